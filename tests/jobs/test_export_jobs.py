"""Exports over EXPORT_JOB_THRESHOLD responses run as jobs: the same bytes as an immediate download, a file
offered only once complete and removed after its time; an export that did not finish is never logged complete."""
import re

import pytest
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import ExportRecord, Job
from evalapp.reporting import export as exports
from tests.jobs.test_jobs import in_english, job_row, start
from tests.reporting.fixtures import build_round
from tests.respond.helpers import csrf_token

PRESETS = [
    {"preset": "excel"},
    {"preset": "analysis"},
    {"preset": "custom", "delimiter": ";", "bom": "y", "headers": "text", "values": "labels", "lang": "en",
     "target": "analysis", "partial": "y"},
]


@pytest.fixture
def made(app, round_id):
    return build_round(app, round_id)


def post_export(client, round_id, **fields):
    page = client.get(f"/o/rounds/{round_id}/export")
    data = {"csrf_token": csrf_token(page.text), "layout": "wide", "headers": "codes", "values": "codes", "lang": "fr",
            "delimiter": ",", **fields}
    buffered = data.pop("buffered", True)
    return client.post(f"/o/rounds/{round_id}/export", data=data, buffered=buffered)


def immediate(app, client, round_id, **fields):
    app.config["EXPORT_JOB_THRESHOLD"] = 1000
    response = post_export(client, round_id, **fields)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return response


def as_job(app, client, round_id, **fields) -> int:
    app.config["EXPORT_JOB_THRESHOLD"] = 0
    response = post_export(client, round_id, **fields)
    assert response.status_code == 303, response.text
    return int(re.fullmatch(r"/o/jobs/(\d+)", response.location).group(1))


def test_a_large_export_runs_as_a_job_whose_file_is_the_immediate_download(japp, jorga, run_jobs, round_id, made):
    in_english(jorga)
    for layout in ("wide", "long", "pairs"):
        for preset in PRESETS:
            fields = {"layout": layout, **preset}
            at_once = immediate(japp, jorga, round_id, **fields)
            job_id = as_job(japp, jorga, round_id, **fields)
            run_jobs()
            page = jorga.get(f"/o/jobs/{job_id}").text
            assert "Done" in page and f'href="/o/jobs/{job_id}/download"' in page, (fields, page)
            download = jorga.get(f"/o/jobs/{job_id}/download")
            assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
            assert download.get_data() == at_once.get_data(), fields
            assert download.headers["Content-Disposition"] == at_once.headers["Content-Disposition"]
            assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    # The codebook has no responses to read: always at once.
    assert immediate(japp, jorga, round_id, layout="codebook").status_code == 200
    japp.config["EXPORT_JOB_THRESHOLD"] = 0
    assert post_export(jorga, round_id, layout="codebook", preset="excel").status_code == 200
    # Progress was counted in the export's own unit, and every export is logged complete.
    with japp.app_context():
        units = {(job.params["export"], job.unit, job.done, job.total) for job in db.session.scalars(select(Job))}
        assert units == {("wide", "responses", 4, 4), ("long", "responses", 4, 4), ("pairs", "partnerships", 2, 2)}
        assert {r.status for r in db.session.scalars(select(ExportRecord))} == {"complete"}
    log = jorga.get(f"/o/rounds/{round_id}/export").text
    assert log.count(">Complete<") == 3 * 3 + 2 and log.count(">Complete (<") == 3 * 3 and "Not complete" not in log


def broken_exporter(monkeypatch, layout="wide"):
    original = exports.EXPORTERS[layout]

    def broken(round_, options, progress=None):
        headers, rows = original(round_, options, progress)

        def failing():
            for n, row in enumerate(rows):
                if n == 2:
                    raise OSError("disk full")
                yield row

        return headers, failing()

    monkeypatch.setitem(exports.EXPORTERS, layout, broken)


def test_an_export_job_that_fails_says_why_offers_no_file_and_its_retry_completes(japp, jorga, run_jobs, round_id,
                                                                                   made, monkeypatch):
    in_english(jorga)
    at_once = immediate(japp, jorga, round_id, preset="analysis").get_data()
    broken_exporter(monkeypatch)
    job_id = as_job(japp, jorga, round_id, preset="analysis")
    run_jobs()
    page = jorga.get(f"/o/jobs/{job_id}").text
    assert "Failed" in page and "An unexpected error stopped the job: OSError (disk full)" in page
    assert "/download" not in page and jorga.get(f"/o/jobs/{job_id}/download").status_code == 404
    assert "Une erreur inattendue a arrêté la tâche : OSError (disk full)" in job_row(japp, job_id).error["fr"]
    log = jorga.get(f"/o/rounds/{round_id}/export").text
    assert "Not complete yet or failed" in log and ">Complete<" not in log.split("<tbody>")[1].split("</tr>")[0]
    monkeypatch.undo()
    retried = jorga.post(f"/o/jobs/{job_id}/retry", data={"csrf_token": csrf_token(page)})
    assert retried.status_code == 303
    run_jobs()
    assert "Done" in jorga.get(f"/o/jobs/{job_id}").text
    assert jorga.get(f"/o/jobs/{job_id}/download").get_data() == at_once
    assert job_row(japp, job_id).attempt == 2
    with japp.app_context():
        entry = db.session.scalar(select(ExportRecord).where(ExportRecord.job_id == job_id))
        assert entry.status == "complete" and entry.completed_at is not None
    # Done: nothing left to retry.
    again = jorga.post(f"/o/jobs/{job_id}/retry", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "cannot be retried now" in again.text


def test_an_unknown_export_fails_with_a_reason_in_both_languages(japp, jorga, run_jobs, round_id, organiser_id):
    job_id = start(japp, "export", params={"export": "everything", "options": {}}, round_id=round_id,
                   organiser_id=organiser_id)
    run_jobs()
    assert "Export inconnu : everything." in jorga.get(f"/o/jobs/{job_id}").text
    assert job_row(japp, job_id).error == {"fr": "Export inconnu : everything.", "en": "Unknown export: everything."}


def test_a_jobs_file_is_removed_after_its_time(japp, jorga, run_jobs, round_id, organiser_id, made):
    in_english(jorga)
    kept = as_job(japp, jorga, round_id, preset="excel")
    run_jobs()
    assert japp.test_cli_runner().invoke(args=["jobs", "purge"]).output.startswith("Removed 0 job file(s)")
    assert jorga.get(f"/o/jobs/{kept}/download").status_code == 200
    japp.config["EXPORT_KEEP_HOURS"] = 0
    short = as_job(japp, jorga, round_id, preset="excel")
    run_jobs()
    # The next job's run removes it: the cleanup needs no command...
    start(japp, round_id=round_id, organiser_id=organiser_id)
    run_jobs()
    page = jorga.get(f"/o/jobs/{short}").text
    assert "Its file was removed on" in page and "/download" not in page
    assert jorga.get(f"/o/jobs/{short}/download").status_code == 404
    with japp.app_context():
        assert db.session.scalar(select(Job).where(Job.id == short)).file.removed_at is not None
    # ...and `flask jobs purge` does it too.
    third = as_job(japp, jorga, round_id, preset="analysis")
    run_jobs()
    assert japp.test_cli_runner().invoke(args=["jobs", "purge"]).output.startswith("Removed 1 job file(s)")
    assert jorga.get(f"/o/jobs/{third}/download").status_code == 404
    assert jorga.get(f"/o/jobs/{kept}/download").status_code == 200  # made with 24 hours to live


def test_a_download_cut_midway_is_not_logged_complete(app, orga, round_id, made):
    with orga.session_transaction() as session:
        session["lang"] = "en"
    cut = post_export(orga, round_id, layout="long", preset="analysis", buffered=False)
    assert cut.status_code == 200
    next(iter(cut.response))  # the browser gets a first piece, then goes away (or gunicorn kills the worker)
    cut.close()
    whole = post_export(orga, round_id, layout="long", preset="analysis")
    assert whole.get_data()
    with app.app_context():
        assert [r.status for r in db.session.scalars(select(ExportRecord).order_by(ExportRecord.id))] == [
            "started", "complete"]
    rows = orga.get(f"/o/rounds/{round_id}/export").text.split("<tbody>")[1].split("</tr>")
    assert ">Complete<" in rows[0] and "Not complete: the download was cut, or is still under way" in rows[1]


def test_the_command_line_logs_an_export_complete_and_never_leaves_a_partial_file(app, runner, round_id, made,
                                                                                  tmp_path, monkeypatch):
    out = tmp_path / "wide.csv"
    assert runner.invoke(args=["export", str(round_id), "-o", str(out)]).exit_code == 0
    broken_exporter(monkeypatch)
    failed = tmp_path / "failed.csv"
    assert runner.invoke(args=["export", str(round_id), "-o", str(failed)]).exit_code != 0
    assert not failed.exists() and not (tmp_path / "failed.csv.partial").exists()
    with app.app_context():
        assert [r.status for r in db.session.scalars(select(ExportRecord).order_by(ExportRecord.id))] == [
            "complete", "started"]


def test_workbooks_spss_and_stata_files_run_as_jobs_and_hold_what_the_immediate_download_holds(
        japp, jorga, run_jobs, round_id, made, tmp_path):
    import openpyxl
    import pyreadstat

    def read(data: bytes, file_format: str):
        path = tmp_path / f"file.{file_format}"
        path.write_bytes(data)
        if file_format == "xlsx":
            book = openpyxl.load_workbook(path)
            return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
        frame, meta = (pyreadstat.read_sav if file_format == "sav" else pyreadstat.read_dta)(str(path))
        return frame.astype(str).to_dict("list"), meta.column_names_to_labels, meta.variable_value_labels  # nan != nan

    in_english(jorga)
    content_types = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "sav": "application/x-spss-sav", "dta": "application/x-stata-dta"}
    for layout, file_format in [("wide", "xlsx"), ("long", "xlsx"), ("pairs", "xlsx"), ("wide", "sav"),
                                ("wide", "dta")]:
        fields = {"layout": layout, "preset": file_format, "values": "labels", "lang": "en"}
        japp.config["EXPORT_JOB_THRESHOLD"] = 1000
        at_once = post_export(jorga, round_id, **fields)
        assert at_once.status_code == 200 and at_once.headers["Content-Type"] == content_types[file_format]
        job_id = as_job(japp, jorga, round_id, **fields)
        run_jobs()
        assert "Done" in jorga.get(f"/o/jobs/{job_id}").text
        download = jorga.get(f"/o/jobs/{job_id}/download")
        assert download.headers["Content-Type"] == content_types[file_format]
        assert download.headers["Content-Disposition"] == at_once.headers["Content-Disposition"]
        assert read(download.get_data(), file_format) == read(at_once.get_data(), file_format), fields
