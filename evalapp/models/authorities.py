from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
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


#: What happened to an authority or a partnership of the directory, as its history says it.
DIRECTORY_ACTIONS = {
    "created": _l("creation"),
    "imported": _l("import"),
    "changed": _l("change"),
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


class DirectoryChange(db.Model):
    """One field of an authority or a partnership set or changed: by whom, when, from what to what.

    Written by :func:`evalapp.directory.history.record` alone, which every path that writes the
    directory calls; shown as an authority's history and as the directory's recent changes.
    """

    __tablename__ = "directory_changes"
    __table_args__ = (
        CheckConstraint(_in("action", DIRECTORY_ACTIONS), name="action_known"),
        CheckConstraint("(authority_id IS NULL) <> (partnership_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When; the fields of one change share the same moment.
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The organiser who made the change; empty for the command line.
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("organisers.id"))
    #: The authority changed (or else the partnership).
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    #: The partnership changed (or else the authority).
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id"), index=True)
    #: One of :data:`DIRECTORY_ACTIONS`: created by hand or by a command, imported from a CSV file, changed.
    action: Mapped[str] = mapped_column(String(10))
    #: The field, by the name the history gives it (evalapp/directory/history.py: ``email``, ``home_authority``...).
    field: Mapped[str] = mapped_column(String(30))
    #: The value before, as text; empty when created, or when the field was empty.
    old_value: Mapped[str | None] = mapped_column(Text)
    #: The value after, as text; empty when the field was emptied.
    new_value: Mapped[str | None] = mapped_column(Text)
    #: The import job that wrote it, for an import run as a job: a retry of the job finds here what it
    #: wrote already, and writes only the rest.
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)

    organiser: Mapped["Organiser | None"] = relationship()  # noqa: F821
    authority: Mapped[Authority | None] = relationship()
    partnership: Mapped[Partnership | None] = relationship()

    def __repr__(self):
        subject = f"authority={self.authority_id}" if self.authority_id else f"partnership={self.partnership_id}"
        return f"<DirectoryChange {self.id} {self.action} {subject} {self.field}>"
