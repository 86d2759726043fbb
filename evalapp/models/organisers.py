from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from evalapp.extensions import db
from evalapp.models.base import utcnow

#: Organisers added to a round besides its owner.
round_members = Table(
    "round_members",
    db.metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("organiser_id", ForeignKey("organisers.id", ondelete="CASCADE"), primary_key=True),
)


class Organiser(UserMixin, db.Model):
    """A person who runs evaluation rounds: a member of a network or a research team."""

    __tablename__ = "organisers"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login, stored lowercased.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    #: scrypt hash from Werkzeug; never the password itself.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Administrators see every round and manage organiser accounts.
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: A deactivated account cannot log in.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    #: The secret of the session this request runs in (set at login and by the session loader, never
    #: stored): Flask-Login keeps it in the signed session cookie as the user's id.
    session_secret = None

    def __repr__(self):
        return f"<Organiser {self.id} {self.email}>"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str | None:
        return self.session_secret

    @property
    def is_active(self) -> bool:
        return self.active


class OrganiserSession(db.Model):
    """One login of an organiser. The session cookie carries its secret; logging out, a password change
    made elsewhere or the account's deactivation ends it for good, whoever holds a copy of the cookie."""

    __tablename__ = "organiser_sessions"
    __table_args__ = (CheckConstraint("ended_at IS NULL OR ended_at >= created_at", name="ends_after_it_starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisers.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the secret in the cookie: the database alone opens no session.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The login; the session also ends ORGANISER_SESSION_HOURS later.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When it was ended (logout, password change, deactivation); empty while it is open.
    ended_at: Mapped[datetime | None]
    #: The browser's User-Agent at login (its first 200 characters), to tell one's sessions apart.
    user_agent: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self):
        return f"<OrganiserSession {self.id} organiser={self.organiser_id} {'ended' if self.ended_at else 'open'}>"


class ApiToken(db.Model):
    """A personal token for the read-only API (evalapp/api): it reads what its organiser sees, until revoked.

    Shown once when made; the database keeps only its SHA-256, so the database alone opens nothing.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("revoked_at IS NULL OR revoked_at >= created_at", name="revoked_after_made"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisers.id", ondelete="CASCADE"), index=True)
    #: What the organiser calls it ("Network dashboard"), to tell their tokens apart.
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 of the token sent in ``Authorization: Bearer ...``.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, shown on the account page beside its name.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The last request it made, to the minute: written at most once a minute (evalapp/auth/tokens.py).
    last_used_at: Mapped[datetime | None]
    #: When its organiser revoked it; it opens nothing from then on.
    revoked_at: Mapped[datetime | None]

    def __repr__(self):
        return f"<ApiToken {self.id} organiser={self.organiser_id} {'revoked' if self.revoked_at else 'active'}>"
