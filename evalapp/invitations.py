"""Invitations: the only place tokens are made, revoked and replaced. Functions flush only."""
import secrets

from flask import current_app, has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from evalapp.extensions import db
from evalapp.models import Authority, Invitation, Partnership, Response, ResponseStatus, RevokedToken, Round
from evalapp.models.base import utcnow
from evalapp.reporting import tallies


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


def invite(round_: Round, authority: Authority, partnership: Partnership | None = None) -> Invitation:
    """Invite ``authority`` to ``round_``, for its side of ``partnership`` if given.

    The invitation takes the directory's address of the day (see :attr:`Invitation.email`).
    Inviting again the same authority for the same partnership returns the existing invitation.
    """
    side = "home"
    if partnership is not None:
        if authority.id not in (partnership.home_authority_id, partnership.partner_authority_id):
            raise ValueError("the authority is not part of this partnership")
        side = "home" if authority.id == partnership.home_authority_id else "partner"
    existing = existing_invitation(round_, authority, partnership)
    if existing is not None:
        return existing
    invitation = Invitation(round=round_, authority=authority, partnership=partnership, side=side,
                            token=new_token(), email=authority.email)
    invitation.response = Response()
    db.session.add(invitation)
    db.session.flush()
    return invitation


def invite_partnership(round_: Round, partnership: Partnership) -> list[Invitation]:
    """Invite both sides, each with the questionnaire variant of its side."""
    return [invite(round_, partnership.home_authority, partnership),
            invite(round_, partnership.partner_authority, partnership)]


def invite_matching(round_: Round, kind: str = "", country: str = "") -> list[Invitation]:
    """Invite on their own every authority of the directory matching the filters."""
    query = select(Authority).order_by(Authority.sort_name)
    if kind:
        query = query.where(Authority.kind == kind)
    if country:
        query = query.where(Authority.country == country)
    return [invite(round_, authority) for authority in db.session.scalars(query)]


def revoke(invitation: Invitation) -> None:
    """Withdraw the link: it answers 410 from now on. Answers already given are kept."""
    if invitation.revoked_at is None:
        if invitation.response is not None:
            tallies.remove_submission(invitation.response)  # its answers leave the dashboards
        invitation.revoked_at = utcnow()
        db.session.flush()


def reissue(invitation: Invitation) -> str:
    """Give the invitation a new link; the old one answers 410. The response and its answers stay."""
    db.session.add(RevokedToken(token=invitation.token, invitation_id=invitation.id))
    invitation.token = new_token()
    was_revoked, invitation.revoked_at = invitation.revoked_at is not None, None
    db.session.flush()
    if was_revoked and invitation.response is not None and invitation.response.is_submitted:
        tallies.add_submission(invitation.response)  # its answers come back to the dashboards
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


def invitation_url(invitation: Invitation) -> str:
    """The link an authority opens."""
    return f"{base_url()}/r/{invitation.token}"


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
