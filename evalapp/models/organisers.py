import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
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


def new_session_token() -> str:
    return secrets.token_hex(16)


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
    #: Part of the session cookie's identity: changing it (password change) ends every session.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    def __repr__(self):
        return f"<Organiser {self.id} {self.email}>"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active
