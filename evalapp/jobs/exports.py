"""Exports as jobs: the same files as the export page's immediate downloads, made by a worker and
stored in the database until downloaded (or EXPORT_KEEP_HOURS have passed)."""
from datetime import date

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from evalapp.extensions import db
from evalapp.jobs.registry import kind
from evalapp.jobs.runner import JobError, create_job
from evalapp.models import EXPORT_CONTENT_TYPES, EXPORT_KIND_NAMES, EXPORT_KINDS, ExportKind, Job, Round
from evalapp.reporting import export as exports

JOB_KIND = "export"


def runs_as_job(round_: Round, kind_: str, options: exports.ExportOptions) -> bool:
    """Whether this export is large enough to run as a job (more responses than EXPORT_JOB_THRESHOLD)."""
    if kind_ == ExportKind.CODEBOOK:  # a line per column: never large, whatever its format
        return False
    return exports.count_responses(round_, options) > current_app.config["EXPORT_JOB_THRESHOLD"]


def create_export_job(round_: Round, kind_: str, options: exports.ExportOptions, organiser_id: int | None) -> Job:
    """Log the export and add its job (flushes only); the caller commits, then sends the job."""
    entry = exports.record(round_, kind_, options, organiser_id)
    job = create_job(JOB_KIND, params={"export": kind_, "options": options.as_record(), "record_id": entry.id},
                     round_id=round_.id, organiser_id=organiser_id)
    entry.job_id = job.id
    db.session.flush()
    return job


def _describe(job: Job) -> str:
    kind_ = job.params.get("export")
    return f"{EXPORT_KIND_NAMES.get(kind_, kind_)} — {exports.describe_options(job.params.get('options', {}))}"


def _summarise(job: Job) -> str:
    result = job.result or {}
    return _("%(name)s, %(size)s bytes", name=result.get("file", ""), size=format_decimal(result.get("bytes", 0)))


@kind(JOB_KIND, label=_l("Export"), unit="responses", describe=_describe, summarise=_summarise)
def run_export(job: Job, progress) -> dict:
    """Make the export's file again from the start (a retry replaces the file of an earlier run)."""
    round_ = db.session.get(Round, job.round_id) if job.round_id else None
    export_kind = job.params.get("export")
    if round_ is None:
        raise JobError(_l("The round of this export no longer exists."))
    if export_kind not in EXPORT_KINDS:
        raise JobError(_l("Unknown export: %(kind)s.", kind=export_kind))
    options = exports.ExportOptions.from_record(job.params.get("options", {}))
    name = exports.filename(round_, export_kind, date.today(), options)
    with progress.file(name, EXPORT_CONTENT_TYPES[options.format]) as out:
        for piece in exports.export(round_, export_kind, options, progress=progress):
            out.write(piece)
    if job.params.get("record_id"):
        exports.mark_complete(job.params["record_id"])
    return {"file": name, "bytes": out.size, "rows_read": progress.done}
