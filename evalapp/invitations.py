"""Invitations: the only place tokens are made, revoked and replaced, and where their addresses change.

Functions flush only.
"""
import secrets
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from evalapp import tallies
from evalapp.directory.history import latest_changes
from evalapp.extensions import db
from evalapp.models import (
    Authority,
    DirectoryChange,
    Invitation,
    Partnership,
    Response,
    ResponseStatus,
    RevokedToken,
    Round,
    Side,
)
from evalapp.models.base import utcnow


def new_token() -> str:
    """256 random bits, URL-safe: unguessable, and short enough to paste in an email."""
    return secrets.token_urlsafe(32)


def existing_invitation(round_: Round, authority: Authority, partnership: Partnership | None) -> Invitation | None:
    query = select(Invitation).where(Invitation.round_id == round_.id, Invitation.authority_id == authority.id)
    if partnership is None:
        query = query.where(Invitation.partnership_id.is_(None))
    else:
        query = query.where(Invitation.partnership_id == partnership.id)
    return db.session.scalar(query)


def invite(round_: Round, authority: Authority, partnership: Partnership | None = None, count: bool = True) -> Invitation:
    """Invite ``authority`` to ``round_``, for its side of ``partnership`` if given.

    The invitation takes the directory's address of the day (see :attr:`Invitation.email`).
    Inviting again the same authority for the same partnership returns the existing invitation.
    Its response is counted in the round's tallies as not started; with ``count`` False, the
    caller counts all it invites at once.
    """
    side = Side.HOME
    if partnership is not None:
        if authority.id not in (partnership.home_authority_id, partnership.partner_authority_id):
            raise ValueError("the authority is not part of this partnership")
        side = Side.HOME if authority.id == partnership.home_authority_id else Side.PARTNER
    existing = existing_invitation(round_, authority, partnership)
    if existing is not None:
        return existing
    invitation = Invitation(round=round_, authority=authority, partnership=partnership, side=side,
                            token=new_token(), email=authority.email)
    invitation.response = Response()
    db.session.add(invitation)
    db.session.flush()
    if count:
        tallies.refresh([invitation.response.id])
    return invitation


def not_started(invitation: Invitation) -> Response:
    """Give an invitation without a response row (written by other means than :func:`invite`) one that
    reads as not started, in memory only: showing its pages writes nothing. :func:`locked_response` writes it."""
    response = Response(invitation_id=invitation.id, status=ResponseStatus.NOT_STARTED)
    # As if read from the database: nothing to flush, nothing that a flush would add.
    set_committed_value(response, "invitation", invitation)
    set_committed_value(invitation, "response", response)
    return response


def locked_response(invitation: Invitation) -> Response:
    """The invitation's response, locked until the transaction ends (PostgreSQL; SQLite locks the whole
    file); a missing one is created first, and counted as not started. Flushes.

    Two first posts at once may both find none: the response's unique invitation makes one INSERT
    write it and the other do nothing, and both then lock the same row.
    """
    if invitation.response is None:
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        created = db.session.scalar(
            dialect.insert(Response).values(invitation_id=invitation.id)
            .on_conflict_do_nothing(index_elements=[Response.invitation_id]).returning(Response.id))
        if created is not None:
            tallies.refresh([created])
    response = db.session.scalar(
        select(Response).where(Response.invitation_id == invitation.id)
        .with_for_update().execution_options(populate_existing=True))
    set_committed_value(invitation, "response", response)
    return response


# Those inviting several count them in one statement: the tally rows are then locked in one order.


def invite_partnership(round_: Round, partnership: Partnership) -> list[Invitation]:
    """Invite both sides, each with the questionnaire variant of its side."""
    invitations = [invite(round_, partnership.home_authority, partnership, count=False),
                   invite(round_, partnership.partner_authority, partnership, count=False)]
    tallies.refresh([invitation.response.id for invitation in invitations])
    return invitations


#: Authorities invited by filter in one transaction: each batch is committed with its responses, so a
#: job stopped midway keeps whole batches and resumes with the authorities not yet invited.
INVITE_BATCH = 1000


def matching_conditions(kind: str = "", country: str = "") -> list:
    """The conditions on Authority of inviting by filter: its type and its country, when given."""
    conditions = []
    if kind:
        conditions.append(Authority.kind == kind)
    if country:
        conditions.append(Authority.country == country)
    return conditions


def _invited(round_id: int):
    """The authorities invited to the round, on their own or for a partnership: they have a link already."""
    return select(Invitation.authority_id).where(Invitation.round_id == round_id)


@dataclass
class Matching:
    """What inviting by filter would do: the authorities matching, and those of them already invited."""

    authorities: int
    invited: int

    @property
    def new(self) -> int:
        return self.authorities - self.invited


def count_matching(round_: Round, kind: str = "", country: str = "") -> Matching:
    """How many authorities match the filters, and how many of them are invited already (in any way)."""
    matching = select(func.count()).select_from(Authority).where(*matching_conditions(kind, country))
    return Matching(authorities=db.session.scalar(matching),
                    invited=db.session.scalar(matching.where(Authority.id.in_(_invited(round_.id)))))


def invite_batch(round_: Round, kind: str = "", country: str = "", size: int = INVITE_BATCH) -> int:
    """Invite on their own the next ``size`` authorities matching the filters not yet invited; return how many.

    Set-based: one query reads the batch, one INSERT writes its invitations (each with its own token and
    the directory's address of the day), one its responses. Flushes only; commit each batch.
    """
    batch = db.session.execute(
        select(Authority.id, Authority.email)
        .where(*matching_conditions(kind, country), Authority.id.not_in(_invited(round_.id)))
        .order_by(Authority.id).limit(size)
    ).all()
    if not batch:
        return 0
    now = utcnow()
    invitation_ids = db.session.scalars(insert(Invitation).returning(Invitation.id), [
        {"round_id": round_.id, "authority_id": authority_id, "partnership_id": None, "side": Side.HOME.value,
         "token": new_token(), "email": email, "created_at": now}
        for authority_id, email in batch
    ]).all()
    response_ids = db.session.scalars(insert(Response).returning(Response.id),
                                      [{"invitation_id": invitation_id} for invitation_id in invitation_ids]).all()
    tallies.refresh(response_ids)  # counted "not started", in one statement
    return len(invitation_ids)


def not_submitted_query():
    """Invitations whose answers are not submitted: the ones an address change may still concern."""
    return select(Invitation).join(Invitation.response).where(Response.status != ResponseStatus.SUBMITTED)


@dataclass
class Readdressed:
    """What a new address in the directory did to an authority's invitations not yet submitted."""

    #: Invitations of the rounds the editor may see, now sent to the new address.
    followed: int
    #: Invitations of other rounds, which keep the address their organisers invited.
    kept: int


def readdress(authority: Authority, rounds) -> Readdressed:
    """Send the authority's links in ``rounds`` (a query of rounds, or None for none) to its new address.

    Its invitations not yet submitted in those rounds take the directory's address; those of other
    rounds keep theirs until their own organisers take it (:func:`use_directory_addresses`).
    """
    pending = not_submitted_query().where(Invitation.authority_id == authority.id)
    followed = []
    if rounds is not None:
        round_ids = rounds.with_only_columns(Round.id).order_by(None)
        followed = db.session.scalars(pending.where(Invitation.round_id.in_(round_ids))).all()
        for invitation in followed:
            invitation.email = authority.email
        db.session.flush()
    kept = db.session.scalar(select(func.count()).select_from(
        pending.where(Invitation.email.is_distinct_from(authority.email)).subquery()))
    return Readdressed(followed=len(followed), kept=kept)


@dataclass
class AddressDifference:
    """An invitation sent to another address than the directory now gives, and the change that did it."""

    invitation: Invitation
    #: The directory's last change of the authority's address (who, when), if the history has one.
    change: DirectoryChange | None


def _differing_query(round_: Round):
    return (
        not_submitted_query().join(Invitation.authority).options(contains_eager(Invitation.authority))
        .where(Invitation.round_id == round_.id, Invitation.email.is_distinct_from(Authority.email))
        .order_by(Authority.sort_name, Invitation.id)
    )


def address_differences(round_: Round) -> list[AddressDifference]:
    """The round's invitations not yet submitted whose address is no longer the directory's."""
    invitations = db.session.scalars(_differing_query(round_)).all()
    changes = latest_changes((i.authority_id for i in invitations), "email")
    return [AddressDifference(i, changes.get(i.authority_id)) for i in invitations]


def use_directory_addresses(round_: Round) -> int:
    """Send the round's links not yet submitted to the directory's addresses; return how many changed."""
    invitations = db.session.scalars(_differing_query(round_)).all()
    for invitation in invitations:
        invitation.email = invitation.authority.email
    db.session.flush()
    return len(invitations)


def revoke(invitation: Invitation) -> None:
    """Withdraw the link: it answers 410 from now on. Answers already given are kept."""
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        if invitation.response is not None:
            tallies.refresh([invitation.response.id])  # its answers leave the dashboards; flushes
        db.session.flush()


def reissue(invitation: Invitation) -> str:
    """Give the invitation a new link; the old one answers 410. The response and its answers stay."""
    db.session.add(RevokedToken(token=invitation.token, invitation_id=invitation.id))
    invitation.token = new_token()
    was_revoked, invitation.revoked_at = invitation.revoked_at is not None, None
    db.session.flush()
    if was_revoked and invitation.response is not None:
        tallies.refresh([invitation.response.id])  # its answers come back to the dashboards
    return invitation.token


def is_revoked_token(token: str) -> bool:
    return db.session.scalar(select(RevokedToken.id).where(RevokedToken.token == token)) is not None


def base_url() -> str:
    """``BASE_URL`` if set; else the address of the current request; else the local default."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return "http://127.0.0.1:5000"


def invitation_url(invitation: Invitation, base: str | None = None) -> str:
    """The link an authority opens (from ``base``, the start of the links, if given)."""
    return f"{(base or base_url()).rstrip('/')}/r/{invitation.token}"


def open_invitations_query(round_: Round):
    """Invitations whose link still leads to a questionnaire to fill: not revoked, not submitted.

    Their authority, response and partner come with them, for lists and emails.
    """
    return (
        select(Invitation).join(Invitation.response).join(Invitation.authority)
        .options(contains_eager(Invitation.authority), contains_eager(Invitation.response),
                 selectinload(Invitation.partnership).selectinload(Partnership.home_authority),
                 selectinload(Invitation.partnership).selectinload(Partnership.partner_authority))
        .where(Invitation.round_id == round_.id, Invitation.revoked_at.is_(None),
               Response.status != ResponseStatus.SUBMITTED)
        .order_by(Authority.sort_name, Invitation.id)
    )


def open_invitations(round_: Round) -> list[Invitation]:
    return db.session.scalars(open_invitations_query(round_)).all()
