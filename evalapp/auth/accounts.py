"""Organiser accounts: the functions that create, find and change them. They flush only."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from evalapp.extensions import db
from evalapp.models import Organiser, OrganiserSession
from evalapp.models.base import utcnow

MIN_PASSWORD_LENGTH = 10

#: Checked instead of an account's hash when the address has no account: computed once per process
#: with the method and cost of every new hash, so that a login takes as long whatever the address.
NO_ACCOUNT_HASH = generate_password_hash(secrets.token_urlsafe(32))


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> Organiser | None:
    return db.session.scalar(select(Organiser).where(func.lower(Organiser.email) == normalise_email(email)))


def create_organiser(email: str, password: str, name: str | None = None, is_admin: bool = False) -> Organiser:
    """Create an account; refuse a taken email or a short password."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(f"{email!r} is not an email address")
    if find_by_email(email) is not None:
        raise AccountError(f"an organiser with the email {email} already exists")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    organiser = Organiser(email=email, name=name, is_admin=is_admin)
    organiser.set_password(password)
    db.session.add(organiser)
    db.session.flush()
    return organiser


def authenticate(email: str, password: str) -> Organiser | None:
    """Return the active organiser with these credentials, or None.

    An unknown address, an inactive account and a wrong password all check one password hash of
    the same cost: the time taken does not tell which addresses have an account.
    """
    organiser = find_by_email(email)
    matches = check_password_hash(organiser.password_hash if organiser else NO_ACCOUNT_HASH, password)
    if organiser is None or not organiser.active or not matches:
        return None
    organiser.last_login_at = utcnow()
    return organiser


def change_password(organiser: Organiser, password: str) -> None:
    """Set a new password and end the organiser's other sessions (the one of this request stays open)."""
    organiser.set_password(password)
    end_sessions(organiser, keep=organiser.session_secret)


def set_active(organiser: Organiser, active: bool) -> None:
    """Let an account log in or not; deactivating it ends its sessions."""
    organiser.active = active
    if not active:
        end_sessions(organiser)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(organiser: Organiser, user_agent: str | None) -> OrganiserSession:
    """Open a session for an organiser who just logged in; its secret goes into the session cookie."""
    secret = secrets.token_urlsafe(32)
    session = OrganiserSession(organiser_id=organiser.id, secret_hash=_digest(secret),
                               user_agent=(user_agent or "")[:200] or None)
    db.session.add(session)
    db.session.flush()
    organiser.session_secret = secret
    return session


def end_session(organiser: Organiser) -> None:
    """End the session of this request (logout): its cookie, and every copy of it, opens nothing any more."""
    db.session.execute(update(OrganiserSession)
                       .where(OrganiserSession.secret_hash == _digest(organiser.session_secret or ""),
                              OrganiserSession.ended_at.is_(None))
                       .values(ended_at=utcnow()))


def end_sessions(organiser: Organiser, keep: str | None = None) -> None:
    """End every open session of the organiser, but the one whose secret is ``keep``."""
    query = update(OrganiserSession).where(OrganiserSession.organiser_id == organiser.id,
                                           OrganiserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(OrganiserSession.secret_hash != _digest(keep))
    db.session.execute(query.values(ended_at=utcnow()))


def load_from_session(secret: str) -> Organiser | None:
    """Flask-Login's user loader: the id in the cookie is the secret of an open session of an active account.

    Reading only: nothing is written on the way (a GET commits nothing).
    """
    lifetime = timedelta(hours=current_app.config["ORGANISER_SESSION_HOURS"])
    organiser = db.session.scalar(
        select(Organiser).join(OrganiserSession, OrganiserSession.organiser_id == Organiser.id)
        .where(OrganiserSession.secret_hash == _digest(secret), OrganiserSession.ended_at.is_(None),
               OrganiserSession.created_at > utcnow() - lifetime, Organiser.active))
    if organiser is not None:
        organiser.session_secret = secret
    return organiser
