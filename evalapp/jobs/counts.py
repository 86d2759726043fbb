"""Counting a round's figures as a job: the responses its tallies do not hold yet (a bulk load, an upgrade),
a committed batch at a time (evalapp/tallies.py). Respondents' submissions go on meanwhile; a retry
counts only what is still not counted, so stopping anywhere loses nothing."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from evalapp import tallies
from evalapp.extensions import db
from evalapp.i18n import ngettext
from evalapp.jobs.registry import kind
from evalapp.jobs.runner import JobError, active_job, create_job, send_job
from evalapp.models import Job, Organiser, Round

JOB_KIND = "count"


def start_count(round_: Round, organiser: Organiser | None) -> tuple[Job, bool]:
    """Start counting the round's figures as a job; COMMITS. Returns (the job, True), or (the round's
    counting job already under way, False)."""
    # The round's row is locked until the commit (PostgreSQL), so that two clicks start one job.
    db.session.scalar(select(Round.id).where(Round.id == round_.id).with_for_update())
    running = active_job(JOB_KIND, round_.id)
    if running is not None:
        db.session.rollback()
        return running, False
    job = create_job(JOB_KIND, round_id=round_.id, organiser_id=organiser.id if organiser else None)
    db.session.commit()
    send_job(job)
    return job, True


def _summarise(job: Job) -> str:
    counted = (job.result or {}).get("counted", 0)
    return ngettext("%(num)s response counted: the figures hold every response.",
                    "%(num)s responses counted: the figures hold every response.", counted)


@kind(JOB_KIND, label=_l("Counting the figures"), unit="responses", summarise=_summarise)
def run_count(job: Job, progress) -> dict:
    """Count the round's responses not counted yet, a batch at a time, each committed at once."""
    if job.round_id is None or db.session.get(Round, job.round_id) is None:
        raise JobError(_l("The round of these figures no longer exists."))
    progress.set_total(tallies.left_to_count(job.round_id), "responses")
    counted = 0
    # A batch holds its responses and tally rows until its commit: committed at once, never batched up.
    while done := tallies.count_next_batch(job.round_id):
        counted += done
        progress.advance(done)
        progress.commit()
    left = tallies.finish_catch_up(job.round_id)
    return {"counted": counted, "left": left}
