"""Large directory imports as jobs: the file, stored with the job in the database (so that a worker on
any machine reads it), checked whole, then written a committed batch at a time with its history
(evalapp/directory/csv_import.py). A retry checks the file again, leaving out what earlier runs wrote,
and writes only the rest."""
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.utils import secure_filename

from evalapp.directory import csv_import
from evalapp.extensions import db
from evalapp.i18n import LOCALES, ngettext
from evalapp.jobs.files import CHUNK_SIZE, FileWriter, chunks
from evalapp.jobs.registry import kind
from evalapp.jobs.runner import JobError, create_job
from evalapp.models import Job, Organiser

JOB_KIND = "import"
#: Problems a failed import job keeps to show (the first ones of the file, by line); the page says how many more.
PROBLEMS_KEPT = 1000


def runs_as_job(stream) -> bool:
    """Whether the uploaded file has more lines than IMPORT_JOB_THRESHOLD, to be checked and imported by a job.

    Lines are counted near enough (a value may hold a line break), a chunk at a time; the stream is then
    back at its start."""
    newlines = returns = 0
    while data := stream.read(CHUNK_SIZE):
        newlines, returns = newlines + data.count(b"\n"), returns + data.count(b"\r")
    stream.seek(0)
    return max(newlines, returns) > current_app.config["IMPORT_JOB_THRESHOLD"]


def create_import_job(kind_: str, filename: str, stream, check_only: bool, lang: str,
                      organiser: Organiser | None) -> Job:
    """Add the import's job and store its file with it, a chunk at a time (flushes only); commit, then send it.

    ``filename`` is the name the browser gave: shown as typed, and made safe for the name the file is
    downloaded under."""
    job = create_job(JOB_KIND, params={"kind": kind_, "file": filename[:200], "check_only": check_only, "lang": lang},
                     organiser_id=organiser.id if organiser else None)
    stored = secure_filename(filename)[:200] or "import.csv"
    with FileWriter(job.id, stored, "text/csv", current_app.config["EXPORT_KEEP_HOURS"]) as out:
        while data := stream.read(CHUNK_SIZE):
            out.write(data)
    return job


def _describe(job: Job) -> str:
    what = _("authorities") if job.params.get("kind") == "authorities" else _("partnerships")
    if job.params.get("check_only"):
        return _("%(file)s (%(what)s), checked only", file=job.params.get("file", ""), what=what)
    return _("%(file)s (%(what)s)", file=job.params.get("file", ""), what=what)


def _summarise(job: Job) -> str:
    result = job.result or {}
    rows, encoding = result.get("rows", 0), result.get("encoding", "")
    if result.get("checked_only"):
        return ngettext("The file is valid: %(num)s row can be imported (file read as %(encoding)s).",
                        "The file is valid: %(num)s rows can be imported (file read as %(encoding)s).",
                        rows, encoding=encoding)
    return ngettext("%(num)s row imported (file read as %(encoding)s).",
                    "%(num)s rows imported (file read as %(encoding)s).", rows,
                    encoding=encoding)


def _details(job: Job) -> dict | None:
    """The problems of a file refused, as its page lists them."""
    result = job.result or {}
    if "problems" not in result:
        return None
    return {"problems": [csv_import.Problem(*problem) for problem in result["problems"]],
            "total": result.get("problem_count", len(result["problems"])), "encoding": result.get("encoding")}


def _file(job: Job) -> bytes:
    file = job.file
    if file is None or file.completed_at is None or file.removed_at is not None:
        raise JobError(_l("The file of this import is no longer kept (files are kept %(hours)s hours): import it "
                          "again.", hours=current_app.config["EXPORT_KEEP_HOURS"]))
    return b"".join(chunks(file))


@kind(JOB_KIND, label=_l("Import from CSV"), unit="authorities", describe=_describe, summarise=_summarise,
      details=_details)
def run_import(job: Job, progress) -> dict:
    """Check the whole file, refuse it with every problem, or write what earlier runs did not."""
    kind_ = job.params.get("kind")
    if kind_ not in csv_import.IMPORTS:
        raise JobError(_l("Unknown import: %(kind)s.", kind=kind_))
    check, write = csv_import.IMPORTS[kind_]
    data = _file(job)
    written = csv_import.written_by(job.id, kind_)
    lang = job.params.get("lang", "fr")
    # The problems are written in the language of the organiser who sent the file.
    with force_locale(LOCALES.get(lang, lang)):
        result = check(data, written)
    if not result.ok:
        problems = [[p.line, p.column, p.message] for p in result.problems[:PROBLEMS_KEPT]]
        raise JobError(_l("The file has problems, listed below: nothing was imported."),
                       result={"problems": problems, "problem_count": len(result.problems), "encoding": result.encoding})
    if job.params.get("check_only"):
        return {"checked_only": True, "rows": result.count, "encoding": result.encoding}
    progress.set_total(result.count + len(written), kind_)  # authorities or partnerships, as its unit
    progress.advance(len(written))  # a retry resumes after the batches already committed
    by = db.session.get(Organiser, job.organiser_id) if job.organiser_id else None
    write(data, by, job_id=job.id, written=written, progress=progress)
    return {"rows": progress.done, "encoding": result.encoding}
