"""The directory's history: who created, imported or changed which field of an authority or a
partnership, and when.

:func:`record` is the one writer of :class:`DirectoryChange`. Every path that writes the
directory calls it: the forms and the CSV import (evalapp/directory/operations.py,
evalapp/directory/csv_import.py), the demo and the synthetic authorities of the benchmarks.
Functions here only flush.
"""
from collections.abc import Iterable, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from evalapp.directory.countries import country_name
from evalapp.extensions import db
from evalapp.models import AUTHORITY_TYPES, Authority, DirectoryChange, Organiser, Partnership
from evalapp.models.base import utcnow

#: The fields of an authority the history follows, with their labels.
AUTHORITY_FIELDS = {
    "name": _l("Name"),
    "kind": _l("Type"),
    "country": _l("Country"),
    "region": _l("Region"),
    "population": _l("Population"),
    "language": _l("Language"),
    "email": _l("Email"),
}
#: The fields of a partnership the history follows (its sides by the authorities' names), with their labels.
PARTNERSHIP_FIELDS = {
    "home_authority": _l("Authority (home side)"),
    "partner_authority": _l("Partner authority"),
    "start_year": _l("Start year"),
    "name": _l("Name of the partnership"),
}


def authority_values(authority: Authority) -> dict:
    return {name: getattr(authority, name) for name in AUTHORITY_FIELDS}


def partnership_values(partnership: Partnership, names: Mapping[int, str] | None = None) -> dict:
    """The partnership's fields, its sides by their names (from ``names`` by authority id when given)."""
    if names is None:
        home, partner = partnership.home_authority.name, partnership.partner_authority.name
    else:
        home, partner = names[partnership.home_authority_id], names[partnership.partner_authority_id]
    return {"home_authority": home, "partner_authority": partner, "start_year": partnership.start_year,
            "name": partnership.name}


def as_text(value) -> str | None:
    """A value as the history keeps it; an empty text is no value."""
    if value is None or value == "":
        return None
    return str(value)


def changes(action: str, before: dict, after: dict, *, authority_id: int | None = None,
            partnership_id: int | None = None) -> list[dict]:
    """The rows of :func:`record` for each field of the authority or partnership whose value differs
    between ``before`` and ``after``. A creation or an import compares with ``{}``: every field
    given a value is a row.
    """
    subject = {"authority_id": authority_id, "partnership_id": partnership_id}
    rows = []
    for field, value in after.items():
        old, new = as_text(before.get(field)), as_text(value)
        if old != new:
            rows.append({**subject, "action": action, "field": field, "old_value": old, "new_value": new})
    return rows


def record(rows: Iterable[dict], by: Organiser | None) -> None:
    """Store ``rows`` (authority or partnership id, action, field, old and new values) as made now by
    ``by``, or by the command line when None. The subjects must have been flushed. Flushes only."""
    now = utcnow()
    organiser_id = by.id if by is not None else None
    rows = [{**row, "changed_at": now, "organiser_id": organiser_id} for row in rows]
    if rows:
        db.session.execute(insert(DirectoryChange), rows)


def changes_query(authority_id: int | None = None):
    """The directory's changes, latest first, with what a page shows of them; one authority's if given."""
    query = (
        select(DirectoryChange)
        .options(selectinload(DirectoryChange.organiser), selectinload(DirectoryChange.authority),
                 selectinload(DirectoryChange.partnership).selectinload(Partnership.home_authority),
                 selectinload(DirectoryChange.partnership).selectinload(Partnership.partner_authority))
        .order_by(DirectoryChange.id.desc())
    )
    if authority_id is not None:
        query = query.where(DirectoryChange.authority_id == authority_id)
    return query


def latest_changes(authority_ids: Iterable[int], field: str) -> dict[int, DirectoryChange]:
    """The last change of ``field`` of each authority, by authority id (those never changed are absent)."""
    ids = set(authority_ids)
    if not ids:
        return {}
    last = (select(func.max(DirectoryChange.id))
            .where(DirectoryChange.authority_id.in_(ids), DirectoryChange.field == field)
            .group_by(DirectoryChange.authority_id))
    found = db.session.scalars(select(DirectoryChange).options(selectinload(DirectoryChange.organiser))
                               .where(DirectoryChange.id.in_(last)))
    return {change.authority_id: change for change in found}


def field_label(change: DirectoryChange) -> str:
    fields = AUTHORITY_FIELDS if change.authority_id is not None else PARTNERSHIP_FIELDS
    return str(fields.get(change.field, change.field))


def shown_value(change: DirectoryChange, value: str | None, lang: str) -> str:
    """A value as people read it: a type by its label, a country by its name."""
    if value is None:
        return ""
    if change.authority_id is not None and change.field == "kind":
        return str(AUTHORITY_TYPES.get(value, value))
    if change.authority_id is not None and change.field == "country":
        return country_name(value, lang)
    return value
