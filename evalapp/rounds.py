"""Rounds: who may see them, what they hold, and the changes organisers make to them.

Functions here only flush; views commit.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, exists, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from evalapp.extensions import db
from evalapp.models import (
    WITHDRAWN,
    Authority,
    ExportRecord,
    Invitation,
    Job,
    JobFile,
    JobFileChunk,
    Organiser,
    Partnership,
    Response,
    ResponseStatus,
    RevokedToken,
    Round,
    Side,
    round_members,
)
from evalapp.models.rounds import InvitationEmail


class RoundError(ValueError):
    pass


def visible_rounds(organiser: Organiser):
    """A query of the rounds ``organiser`` may see: all for an administrator, else owned or joined."""
    query = select(Round).order_by(Round.opens_on.desc(), Round.id.desc())
    if organiser.is_admin:
        return query
    member = exists().where(round_members.c.round_id == Round.id, round_members.c.organiser_id == organiser.id)
    return query.where(or_(Round.owner_id == organiser.id, member))


def visible_round(organiser: Organiser, round_id: int) -> Round | None:
    return db.session.scalar(visible_rounds(organiser).where(Round.id == round_id))


def has_responses(round_: Round) -> bool:
    """Whether anyone has started answering: such a round keeps its questionnaire and cannot be deleted."""
    return bool(db.session.scalar(
        select(func.count()).select_from(Response).join(Invitation)
        .where(Invitation.round_id == round_.id, Response.status != ResponseStatus.NOT_STARTED)
    ))


def change_questionnaire(round_: Round, version_id: int) -> None:
    if version_id != round_.questionnaire_version_id:
        if has_responses(round_):
            raise RoundError("a round with responses keeps its questionnaire version")
        round_.questionnaire_version_id = version_id


def delete_round(round_: Round) -> None:
    if has_responses(round_):
        raise RoundError("a round with responses cannot be deleted")
    invitation_ids = select(Invitation.id).where(Invitation.round_id == round_.id)
    db.session.execute(delete(Response).where(Response.invitation_id.in_(invitation_ids)))
    db.session.execute(delete(InvitationEmail).where(InvitationEmail.invitation_id.in_(invitation_ids)))
    db.session.execute(delete(RevokedToken).where(RevokedToken.invitation_id.in_(invitation_ids)))
    db.session.execute(delete(Invitation).where(Invitation.round_id == round_.id))
    db.session.execute(delete(ExportRecord).where(ExportRecord.round_id == round_.id))
    job_ids = select(Job.id).where(Job.round_id == round_.id)
    file_ids = select(JobFile.id).where(JobFile.job_id.in_(job_ids))
    db.session.execute(delete(JobFileChunk).where(JobFileChunk.file_id.in_(file_ids)))
    db.session.execute(delete(JobFile).where(JobFile.id.in_(file_ids)))
    db.session.execute(delete(Job).where(Job.round_id == round_.id))
    db.session.delete(round_)
    db.session.flush()


@dataclass
class RoundSummary:
    counts: dict[str, int]
    invited: int
    revoked: int
    last_activity: datetime | None

    @property
    def response_rate(self) -> float:
        return self.counts.get(ResponseStatus.SUBMITTED, 0) / self.invited if self.invited else 0.0


def summary(round_: Round) -> RoundSummary:
    """Invitation counts by response status (revoked links apart), response rate, last activity."""
    return summaries([round_.id])[round_.id]


def summaries(round_ids: list[int]) -> dict[int, RoundSummary]:
    """The summaries of several rounds, in two GROUP BY queries whatever their number."""
    active = Invitation.revoked_at.is_(None)
    counts = {rid: {status: 0 for status in ResponseStatus} for rid in round_ids}
    last: dict[int, datetime | None] = dict.fromkeys(round_ids)
    for round_id, status, count, latest in db.session.execute(
        select(Invitation.round_id, Response.status, func.count(), func.max(Response.updated_at))
        .join(Invitation).where(Invitation.round_id.in_(round_ids), active)
        .group_by(Invitation.round_id, Response.status)
    ):
        counts[round_id][status] = count
        if latest and (last[round_id] is None or latest > last[round_id]):
            last[round_id] = latest
    revoked = dict(db.session.execute(
        select(Invitation.round_id, func.count()).where(Invitation.round_id.in_(round_ids), ~active)
        .group_by(Invitation.round_id)
    ).all())
    return {rid: RoundSummary(counts=counts[rid], invited=sum(counts[rid].values()), revoked=revoked.get(rid, 0),
                              last_activity=last[rid]) for rid in round_ids}


@dataclass
class InvitationFilters:
    status: str = ""
    kind: str = ""
    country: str = ""
    side: str = ""

    def __post_init__(self):
        # "revoked": the word of the links to this page made before withdrawn links had one name.
        if self.status == "revoked":
            self.status = WITHDRAWN


def invitations_query(round_: Round, filters: InvitationFilters):
    """The round's invitations with their authority and response, filtered, for the round's page."""
    query = (
        select(Invitation)
        .join(Invitation.authority)
        .join(Invitation.response)
        .options(contains_eager(Invitation.authority), contains_eager(Invitation.response),
                 # The page shows each invitation's partner: load them with the page, not one by one.
                 selectinload(Invitation.partnership).selectinload(Partnership.home_authority),
                 selectinload(Invitation.partnership).selectinload(Partnership.partner_authority))
        .where(Invitation.round_id == round_.id)
        .order_by(Authority.sort_name, Invitation.id)
    )
    if filters.status == WITHDRAWN:
        query = query.where(Invitation.revoked_at.is_not(None))
    elif filters.status:
        query = query.where(Response.status == filters.status, Invitation.revoked_at.is_(None))
    if filters.kind:
        query = query.where(Authority.kind == filters.kind)
    if filters.country:
        query = query.where(Authority.country == filters.country)
    if filters.side:
        query = query.where(Invitation.side == filters.side)
    return query


def countries_in_round(round_: Round) -> list[str]:
    return db.session.scalars(
        select(Authority.country).join(Invitation, Invitation.authority_id == Authority.id)
        .where(Invitation.round_id == round_.id).distinct().order_by(Authority.country)
    ).all()


@dataclass
class PartnershipStatus:
    partnership: Partnership
    home: str | None
    partner: str | None

    @property
    def state(self) -> str:
        """``both``, ``one`` or ``neither``: how many sides have submitted."""
        submitted = [self.home, self.partner].count(ResponseStatus.SUBMITTED)
        return ("neither", "one", "both")[submitted]


def partnership_statuses(round_: Round) -> list[PartnershipStatus]:
    """Each partnership invited in the round, with the response status of each side."""
    status_of = func.max(case((Response.status == ResponseStatus.SUBMITTED, 2),
                              (Response.status == ResponseStatus.IN_PROGRESS, 1), else_=0))
    rows = db.session.execute(
        select(Invitation.partnership_id, Invitation.side, status_of)
        .join(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.round_id == round_.id, Invitation.partnership_id.is_not(None),
               Invitation.revoked_at.is_(None))
        .group_by(Invitation.partnership_id, Invitation.side)
    ).all()
    names = {0: ResponseStatus.NOT_STARTED, 1: ResponseStatus.IN_PROGRESS, 2: ResponseStatus.SUBMITTED}
    sides: dict[int, dict[str, str]] = {}
    for partnership_id, side, level in rows:
        sides.setdefault(partnership_id, {})[side] = names[level]
    partnerships = db.session.scalars(
        select(Partnership).where(Partnership.id.in_(sides))
        .options(selectinload(Partnership.home_authority), selectinload(Partnership.partner_authority))
    ).all()
    statuses = [PartnershipStatus(p, sides[p.id].get(Side.HOME), sides[p.id].get(Side.PARTNER)) for p in partnerships]
    return sorted(statuses, key=lambda s: (s.partnership.home_authority.name, s.partnership.id))


def missing_side_filter():
    """Invitations not submitted whose partner, in the same round, has submitted."""
    other = db.aliased(Invitation)
    other_response = db.aliased(Response)
    return exists().where(
        other.round_id == Invitation.round_id,
        other.partnership_id == Invitation.partnership_id,
        other.side != Invitation.side,
        other.revoked_at.is_(None),
        other_response.invitation_id == other.id,
        other_response.status == ResponseStatus.SUBMITTED,
    )

