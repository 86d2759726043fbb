"""Directory imports over IMPORT_JOB_THRESHOLD lines as jobs, both ways: checked whole first (a bad line refuses
the file, every problem listed), then written in committed batches with their history, resuming after a failure."""
import re

import pytest
from sqlalchemy import event, func, select

from evalapp.directory import csv_import
from evalapp.extensions import db
from evalapp.models import Authority, DirectoryChange, Job, Partnership
from tests.directory.test_csv_import import upload
from tests.jobs.test_jobs import in_english, job_row, post


def authorities_file(n: int, bad_line: int | None = None) -> bytes:
    """A French Excel file of ``n`` communes; line ``bad_line`` (counting the header as 1) has an unknown type."""
    lines = ["nom;type;pays;région;population;langue;courriel"]
    for i in range(n):
        kind = "château" if i + 2 == bad_line else "Commune"
        lines.append(f"Commune n°{i:05};{kind};France;Île-de-France;{1000 + i};fr;mairie{i}@commune{i:05}.example")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def count(app, model, **where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def upload_big(client, data: bytes, **fields):
    """Upload as the import page does; the test client keeps a body over 500 KB in a temporary file of its own,
    which it never closes: close it."""
    response = upload(client, data, **fields)
    response.request.environ["wsgi.input"].close()
    return response


def start(client, data: bytes, **fields) -> str:
    response = upload_big(client, data, **fields)
    assert response.status_code == 303 and re.fullmatch(r"/o/jobs/\d+", response.location), response.status_code
    return response.location


@pytest.fixture
def small_threshold(japp):
    japp.config["IMPORT_JOB_THRESHOLD"] = 10


def test_a_large_import_is_checked_and_written_by_a_job_with_its_history(app, japp, jorga, run_jobs, small_threshold,
                                                                         organiser_id):
    in_english(jorga)
    # At most the threshold: at once, as before.
    assert upload(jorga, authorities_file(9)).status_code == 303
    assert count(app, Authority) == 9 and count(app, Job) == 0
    job_page = start(jorga, authorities_file(30).replace(b"n\xc2\xb000", b"n\xc2\xb0A"))
    run_jobs()
    page = jorga.get(job_page).text
    assert "Done" in page and "30 rows imported (file read as UTF-8)." in page
    assert count(app, Authority) == 39
    with app.app_context():
        job = db.session.get(Job, int(job_page.rsplit("/", 1)[1]))
        assert (job.done, job.total, job.unit) == (30, 30, "authorities")
        changes = db.session.scalars(select(DirectoryChange).where(DirectoryChange.job_id == job.id)).all()
        # Every field given a value, recorded as imported by the organiser, for each authority.
        assert len(changes) == 30 * 7 and {(c.action, c.organiser_id) for c in changes} == {("imported", organiser_id)}
        first = db.session.scalar(select(Authority).where(Authority.name == "Commune n°A000"))
        assert (first.sort_name, first.kind, first.country, first.population) == ("commune n°a000", "commune", "FR", 1000)
    # The directory's history shows them, and the file is checked again on import: now all already there.
    assert "Commune n°A029" in jorga.get("/o/directory/changes").text
    again = start(jorga, authorities_file(30).replace(b"n\xc2\xb000", b"n\xc2\xb0A"))
    run_jobs()
    assert "30 problems: nothing was imported" in jorga.get(again).text


def test_a_bad_line_refuses_the_whole_file_and_the_job_lists_every_problem(app, japp, jorga, run_jobs, small_threshold):
    job_page = start(jorga, authorities_file(3000, bad_line=2345))
    run_jobs()
    page = jorga.get(job_page).text  # in French, as the organiser sent it
    assert "Échouée" in page and "1 problème : rien n'a été importé" in page
    assert re.search(r"<tr><td>2345</td><td>type</td><td>type inconnu &#39;château&#39;", page)
    assert count(app, Authority) == 0 and count(app, DirectoryChange) == 0
    assert job_row(app, int(job_page.rsplit("/", 1)[1])).error["en"] == (
        "The file has problems, listed below: nothing was imported.")
    # Only checking: a job that says how many rows could be imported, and writes none.
    checked = start(jorga, authorities_file(3000), check_only=True)
    run_jobs()
    assert "Le fichier est valide : 3\u202f000 lignes peuvent être importées" in jorga.get(checked).text
    assert count(app, Authority) == 0
    # Both are found again from the import page, the refused one with its problems and its state.
    listed = jorga.get("/o/import").text
    assert "Imports en arrière-plan" in listed
    assert f'href="{job_page}"' in listed and f'href="{checked}"' in listed and "Échouée" in listed


def test_an_import_job_failing_midway_keeps_whole_batches_and_its_retry_writes_the_rest_once(
        app, japp, jorga, run_jobs, small_threshold, monkeypatch):
    monkeypatch.setattr(csv_import, "IMPORT_BATCH", 10)
    in_english(jorga)
    histories = []

    def fail_third_batch(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("INSERT INTO directory_changes"):
            histories.append(statement)
            if len(histories) == 3:
                raise RuntimeError("the disk is full")

    with japp.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", fail_third_batch)
    try:
        job_page = start(jorga, authorities_file(35))
        run_jobs()
    finally:
        event.remove(engine, "before_cursor_execute", fail_third_batch)
    page = jorga.get(job_page).text
    assert "Failed" in page and "Progress when it stopped: 20 of 35 authorities." in page
    assert count(app, Authority) == 20 and count(app, DirectoryChange) == 20 * 7
    # The retry checks the file again, leaving out what the first run wrote, and writes the rest.
    assert post(jorga, f"{job_page}/retry", job_page).status_code == 303
    run_jobs()
    assert "35 rows imported" in jorga.get(job_page).text
    with app.app_context():
        names = db.session.scalars(select(Authority.name)).all()
        assert sorted(names) == [f"Commune n°{i:05}" for i in range(35)]
        per_authority = db.session.execute(select(DirectoryChange.authority_id, func.count())
                                           .group_by(DirectoryChange.authority_id)).all()
        assert {n for _, n in per_authority} == {7} and len(per_authority) == 35


def test_partnerships_import_as_a_job_too(app, japp, jorga, run_jobs, small_threshold):
    assert upload(jorga, authorities_file(9)).status_code == 303
    lines = ["collectivité;partenaire;année de début"]
    lines += [f"Commune n°{i:05};Commune n°{j:05};{1990 + i}" for i in range(9) for j in range(9) if i != j][:40]
    job_page = start(jorga, ("\r\n".join(lines) + "\r\n").encode(), kind="partnerships")
    run_jobs()
    assert "40 lignes importées" in jorga.get(job_page).text
    assert count(app, Partnership) == 40
    with app.app_context():
        change = db.session.scalar(select(DirectoryChange).where(DirectoryChange.field == "home_authority")
                                   .order_by(DirectoryChange.id))
        assert change.new_value == "Commune n°00000" and change.job_id == int(job_page.rsplit("/", 1)[1])


def test_the_import_page_takes_a_national_directory_and_nothing_else_grows(app, japp, jorga, run_jobs):
    """A 7 MB file (beyond the 5 MB of other requests) is taken by the import page, up to IMPORT_MAX_MB."""
    big = authorities_file(80_000).replace(b"nom;type;pays", b"nom;type;pays;colour", 1)  # refused at its header
    assert len(big) > 7_000_000
    job_page = start(jorga, big)
    run_jobs()
    assert "colonne inconnue" in jorga.get(job_page).text and count(app, Authority) == 0
    japp.config["IMPORT_MAX_MB"] = 5
    assert upload_big(jorga, big).status_code == 413
    page = jorga.get("/o/authorities/new")
    assert jorga.post("/o/authorities/new", data={"csrf_token": "x", "name": "x" * 6_000_000}).status_code == 413
    assert page.status_code == 200
