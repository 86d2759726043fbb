"""Background jobs: each job's page, a round's jobs, and backups for administrators.

    /o/jobs/<id>                the job: waiting, running with its progress, done with its result and
                                file, failed (or stopped) with the reason and a Retry button
    /o/jobs/<id>/download       its file, once complete
    /o/jobs/<id>/retry          POST: run it again, same kind, same parameters
    /o/rounds/<id>/jobs         the round's jobs
    /o/admin/backups            administrators: back up the whole database as a job; the backups made

A job of a round is seen by the organisers who see the round; a job without one (a backup) by the
organiser who asked for it and administrators. Anyone else gets 404.
"""
from flask import Response, abort, current_app, flash, redirect, render_template, stream_with_context, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from evalapp.auth.routes import admin_required
from evalapp.extensions import db
from evalapp.jobs import KINDS, UNITS, retry_job, start_job
from evalapp.jobs.backups import JOB_KIND as BACKUP_JOB
from evalapp.jobs.files import chunks
from evalapp.jobs.registry import UNKNOWN_KIND
from evalapp.models import Job, JobStatus
from evalapp.models.base import utcnow
from evalapp.organiser.access import round_or_404
from evalapp.organiser.blueprint import bp
from evalapp.rounds import visible_round

#: Seconds between two reloads of the page of a job still waiting or running (no script needed).
REFRESH_SECONDS = 3


def job_or_404(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    if job.round_id is not None:
        if visible_round(current_user, job.round_id) is None:
            abort(404)
    elif not (current_user.is_admin or job.organiser_id == current_user.id):
        abort(404)
    return job


def state_of(job: Job) -> str:
    """What the page shows: queued, waiting (queued a long time), running, stalled, done or failed."""
    if job.is_stalled(utcnow(), current_app.config["JOB_STALLED_AFTER"]):
        return "stalled" if job.status == JobStatus.RUNNING else "waiting"
    return job.status


def progress_text(job: Job) -> str:
    """12,400 of 35,000 responses (12 400 sur 35 000 réponses); empty while the size of the work is unknown."""
    if job.total is None or job.unit not in UNITS:
        return ""
    return UNITS[job.unit](format_decimal(job.done), job.total, format_decimal(job.total))


def label_of(job: Job) -> str:
    kind = KINDS.get(job.kind)
    return str(kind.label if kind else UNKNOWN_KIND)


def line_about(job: Job, what: str) -> str:
    """The kind's one line about the job's parameters (``describe``) or its result (``summarise``)."""
    kind = KINDS.get(job.kind)
    describe = getattr(kind, what, None) if kind else None
    return describe(job) if describe else ""


def job_helpers() -> dict:
    """What templates need to show jobs: their state, progress, label and lines about them."""
    return {"state_of": state_of, "progress_text": progress_text, "label_of": label_of, "line_about": line_about}


@bp.get("/jobs/<id:job_id>")
def job_page(job_id):
    job = job_or_404(job_id)
    state = state_of(job)
    refresh = REFRESH_SECONDS if state in ("queued", "running") else None
    kind = KINDS.get(job.kind)
    details = kind.details(job) if kind and kind.details else None
    return render_template("organiser/job.html", job=job, state=state, refresh=refresh, details=details,
                           stalled_after=int(current_app.config["JOB_STALLED_AFTER"]), **job_helpers())


@bp.get("/jobs/<id:job_id>/download")
def job_download(job_id):
    job = job_or_404(job_id)
    file = job.file
    if job.status != JobStatus.DONE or file is None or not file.is_available:
        abort(404)
    return Response(stream_with_context(chunks(file)), content_type=file.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.name}"',
                             "Content-Length": str(file.size)})


@bp.post("/jobs/<id:job_id>/retry")
def retry(job_id):
    job = job_or_404(job_id)
    if retry_job(job):
        flash(_("The job was queued again."), "success")
    else:
        flash(_("This job cannot be retried now: it is running, finished, or was retried already."), "warning")
    return redirect(url_for(".job_page", job_id=job.id), code=303)


@bp.get("/rounds/<id:round_id>/jobs")
def round_jobs(round_id):
    round_ = round_or_404(round_id)
    jobs = db.session.scalars(select(Job).where(Job.round_id == round_.id).order_by(Job.id.desc()).limit(200)).all()
    return render_template("organiser/jobs.html", round=round_, jobs=jobs, **job_helpers())


@bp.route("/admin/backups", methods=["GET", "POST"])
@admin_required
def backups():
    from flask_wtf import FlaskForm

    form = FlaskForm()
    if form.validate_on_submit():
        job = start_job(BACKUP_JOB, organiser_id=current_user.id)
        return redirect(url_for(".job_page", job_id=job.id), code=303)
    jobs = db.session.scalars(select(Job).where(Job.kind == BACKUP_JOB).order_by(Job.id.desc()).limit(100)).all()
    return render_template("organiser/backups.html", form=form, jobs=jobs, **job_helpers())
