"""Personal API tokens: made and revoked by their organiser, checked on every API request.

A token is ``evk_`` and 43 random characters; the database keeps its SHA-256 only, so a copy of
the database opens nothing. It reads what its organiser sees (evalapp/rounds.py), and nothing once
revoked or once the account is deactivated. The functions that change tokens flush only; views commit.

Last use. Every API request is a GET, and a GET commits nothing (tests/writes.py) — with one
exception, named there: :func:`record_use` writes a token's ``last_used_at`` at most once a minute,
in a short transaction of its own, as one conditional UPDATE that two workers cannot both apply. A
client polling every second thus costs one small write a minute, not one per request; the account
page shows the last use to the minute. Redis would spare even that write, but it is optional here
(``make run`` has none), and a value kept in one process's memory would not be seen by the others.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from evalapp.extensions import db
from evalapp.models import ApiToken, Organiser
from evalapp.models.base import utcnow

PREFIX = "evk_"
#: The longest name a token may have (the column's size).
MAX_NAME_LENGTH = 100
#: ``last_used_at`` is written at most this often per token.
LAST_USE_EVERY = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(organiser: Organiser, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``organiser``; return it with its secret, which is never stored nor shown again."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(organiser_id=organiser.id, name=name.strip()[:MAX_NAME_LENGTH], secret_hash=_digest(secret),
                     prefix=secret[:len(PREFIX) + 4])
    db.session.add(token)
    db.session.flush()
    return token, secret


def tokens_of(organiser: Organiser) -> list[ApiToken]:
    """The organiser's tokens, active ones first, newest first."""
    return db.session.scalars(select(ApiToken).where(ApiToken.organiser_id == organiser.id)
                              .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())).all()


def own_token(organiser: Organiser, token_id: int) -> ApiToken | None:
    """One of the organiser's own tokens (revoked or not); None for any other id."""
    return db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.organiser_id == organiser.id))


def revoke_token(token: ApiToken) -> None:
    """Revoke a token for good (once: revoking it again changes nothing)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def authenticate(secret: str) -> tuple[ApiToken, Organiser] | None:
    """The active token with this secret and its organiser (an active account), or None. Reads only."""
    if not secret.startswith(PREFIX):
        return None
    row = db.session.execute(
        select(ApiToken, Organiser).join(Organiser, Organiser.id == ApiToken.organiser_id)
        .where(ApiToken.secret_hash == _digest(secret), ApiToken.revoked_at.is_(None), Organiser.active)
    ).first()
    return (row[0], row[1]) if row else None


def record_use(token: ApiToken) -> None:
    """Write the token's last use when the one stored is a minute old or more (see the module's docstring).

    Its own transaction, not the request's: the request reads outside one, and commits nothing. A failure
    here (a locked SQLite file) costs the last use, never the request.
    """
    now = utcnow()
    if token.last_used_at is not None and token.last_used_at > now - LAST_USE_EVERY:
        return
    try:
        with db.engine.begin() as connection:
            connection.execute(
                update(ApiToken)
                .where(ApiToken.id == token.id,
                       or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USE_EVERY))
                .values(last_used_at=now)
            )
    except SQLAlchemyError:
        current_app.logger.warning("API token %s: last use not recorded", token.id, exc_info=True)
