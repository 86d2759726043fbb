from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from evalapp.extensions import db
from evalapp.models.base import utcnow

#: The fixed list of authority types, with their labels.
AUTHORITY_TYPES = {
    "commune": _l("Commune"),
    "intercommunalite": _l("Intercommunal authority"),
    "departement": _l("Department"),
    "region": _l("Region"),
    "foreign_municipality": _l("Foreign municipality"),
    "foreign_regional": _l("Foreign regional authority"),
    "other": _l("Other"),
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Authority(db.Model):
    """A local authority: a French commune, département, région or a partner abroad."""

    __tablename__ = "authorities"
    __table_args__ = (CheckConstraint(_in("kind", AUTHORITY_TYPES), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The authority's official name, as it should appear on pages and exports.
    name: Mapped[str] = mapped_column(String(200))
    #: The name folded for searching and sorting: lowercase, without accents ("Nîmes" → "nimes").
    sort_name: Mapped[str] = mapped_column(String(200), index=True, default="", server_default="")
    #: One of :data:`AUTHORITY_TYPES`.
    kind: Mapped[str] = mapped_column(String(30))
    #: ISO 3166-1 alpha-2 country code.
    country: Mapped[str] = mapped_column(String(2))
    #: Region or province, free text (French région, foreign province...).
    region: Mapped[str | None] = mapped_column(String(120))
    population: Mapped[int | None]
    #: The language invitations are written in, and the questionnaire opens in.
    language: Mapped[str] = mapped_column(String(2), default="fr")
    #: Where invitations are sent.
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f"<Authority {self.id} {self.name!r}>"

    @validates("name")
    def _keep_sort_name(self, key, name):
        from evalapp.directory.countries import fold

        self.sort_name = fold(name or "")
        return name


class Partnership(db.Model):
    """A partnership between a home authority and its partner, often abroad.

    Both sides answer mirror questionnaires; comparing them gives the reciprocity gap.
    """

    __tablename__ = "partnerships"
    __table_args__ = (
        CheckConstraint("home_authority_id <> partner_authority_id", name="two_authorities"),
        UniqueConstraint("home_authority_id", "partner_authority_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The side that answers the home variant of the questionnaire (side A in exports).
    home_authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    #: The side that answers the partner variant (side B in exports).
    partner_authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    #: The year the partnership began, if known.
    start_year: Mapped[int | None]
    #: An optional name ("Jumelage Lyon–Ouagadougou").
    name: Mapped[str | None] = mapped_column(String(200))

    home_authority: Mapped[Authority] = relationship(foreign_keys=[home_authority_id])
    partner_authority: Mapped[Authority] = relationship(foreign_keys=[partner_authority_id])

    def __repr__(self):
        return f"<Partnership {self.id} {self.home_authority_id}–{self.partner_authority_id}>"

    def other_side(self, authority_id: int) -> Authority:
        """Return the authority on the other side from ``authority_id``."""
        if authority_id == self.home_authority_id:
            return self.partner_authority
        return self.home_authority
