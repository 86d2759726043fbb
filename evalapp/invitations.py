"""Create invitations: the only place tokens are made."""
import secrets

from flask import current_app

from evalapp.extensions import db
from evalapp.models import Authority, Invitation, Partnership, Response, Round


def new_token() -> str:
    """256 random bits, URL-safe: unguessable, and short enough to paste in an email."""
    return secrets.token_urlsafe(32)


def invite(round_: Round, authority: Authority, partnership: Partnership | None = None) -> Invitation:
    """Invite ``authority`` to ``round_``, for its side of ``partnership`` if given. Flushes only."""
    side = "home"
    if partnership is not None:
        if authority.id not in (partnership.home_authority_id, partnership.partner_authority_id):
            raise ValueError("the authority is not part of this partnership")
        side = "home" if authority.id == partnership.home_authority_id else "partner"
    invitation = Invitation(
        round=round_, authority=authority, partnership=partnership, side=side, token=new_token()
    )
    invitation.response = Response()
    db.session.add(invitation)
    db.session.flush()
    return invitation


def invitation_url(invitation: Invitation) -> str:
    """The link an authority opens, built from ``BASE_URL`` so that it works outside a request."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/r/{invitation.token}"
