"""Organiser accounts: the functions that create, find and change them. They flush only."""
import secrets

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from evalapp.extensions import db
from evalapp.models import Organiser
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


def load_from_session(session_id: str) -> Organiser | None:
    """Flask-Login's user loader: the id is ``<id>:<session token>``, so a password change logs out everywhere."""
    organiser_id, _, token = session_id.partition(":")
    if not organiser_id.isdigit():
        return None
    organiser = db.session.get(Organiser, int(organiser_id))
    if organiser is None or organiser.session_token != token:
        return None
    return organiser
