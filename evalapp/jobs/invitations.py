"""Inviting by filter as a job: every authority of the directory matching a type and a country, a batch
at a time (evalapp/invitations.py ``invite_batch``), each batch committed; a retry invites only those
not yet invited, so each authority is invited once however often the job stops."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from evalapp import invitations
from evalapp.directory.countries import country_name
from evalapp.extensions import db
from evalapp.i18n import current_lang, ngettext
from evalapp.jobs.registry import kind
from evalapp.jobs.runner import JobError, active_job, create_job, send_job
from evalapp.models import AUTHORITY_TYPES, Invitation, Job, Organiser, Round

JOB_KIND = "invite"


def start_invite(round_: Round, kind_: str, country: str, organiser: Organiser | None) -> tuple[Job, bool]:
    """Start inviting by filter as a job; COMMITS. Returns (the job, True), or (the round's invitation
    job already under way, False)."""
    # The round's row is locked until the commit (PostgreSQL), so that two clicks start one job.
    db.session.scalar(select(Round.id).where(Round.id == round_.id).with_for_update())
    running = active_job(JOB_KIND, round_.id)
    if running is not None:
        db.session.rollback()
        return running, False
    job = create_job(JOB_KIND, params={"kind": kind_, "country": country}, round_id=round_.id,
                     organiser_id=organiser.id if organiser else None)
    db.session.commit()
    send_job(job)
    return job, True


def describe_filters(kind_: str, country: str) -> str:
    """'Commune, France', or 'every authority of the directory'."""
    parts = [str(AUTHORITY_TYPES.get(kind_, kind_))] if kind_ else []
    if country:
        parts.append(country_name(country, current_lang()))
    return ", ".join(parts) if parts else _("every authority of the directory")


def _describe(job: Job) -> str:
    return describe_filters(job.params.get("kind", ""), job.params.get("country", ""))


def _summarise(job: Job) -> str:
    result = job.result or {}
    matching = result.get("authorities", 0)
    return ngettext("%(num)s authority matching is invited, %(new)s of them by this job: their links are on the "
                    "round's page.",
                    "%(num)s authorities matching are invited, %(new)s of them by this job: their links are on the "
                    "round's page.", matching, new=result.get("new", 0))


@kind(JOB_KIND, label=_l("Invitations by filter"), unit="authorities", describe=_describe, summarise=_summarise)
def run_invite(job: Job, progress) -> dict:
    """Invite the authorities matching not yet invited, a committed batch at a time."""
    round_ = db.session.get(Round, job.round_id) if job.round_id else None
    if round_ is None:
        raise JobError(_l("The round of these invitations no longer exists."))
    kind_, country = job.params.get("kind", ""), job.params.get("country", "")
    matching = invitations.count_matching(round_, kind_, country)
    progress.set_total(matching.authorities, "authorities")
    progress.advance(matching.invited)  # a retry resumes after the batches already committed
    while created := invitations.invite_batch(round_, kind_, country):
        progress.advance(created)
        progress.commit()
    # Invited by this job, whichever of its runs: created since it was asked for.
    new = db.session.scalar(select(func.count()).select_from(Invitation).join(Invitation.authority).where(
        Invitation.round_id == round_.id, Invitation.partnership_id.is_(None),
        Invitation.created_at >= job.created_at, *invitations.matching_conditions(kind_, country)))
    return {"authorities": progress.done, "new": new}
