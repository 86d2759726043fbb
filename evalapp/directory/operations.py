"""What organisers and commands do to the directory, recorded in its history. Functions flush only.

The CSV import writes through :mod:`evalapp.directory.csv_import`, recorded the same way.
"""
from evalapp.directory import history
from evalapp.extensions import db
from evalapp.models import Authority, Organiser, Partnership


def create_authority(values: dict, by: Organiser | None) -> Authority:
    """Add an authority (``values`` by field of :data:`history.AUTHORITY_FIELDS`); ``by`` None is the command line."""
    authority = Authority(**values)
    db.session.add(authority)
    db.session.flush()
    history.record(history.changes("created", {}, history.authority_values(authority), authority_id=authority.id), by)
    return authority


def update_authority(authority: Authority, values: dict, by: Organiser | None) -> None:
    """Change the authority's fields to ``values``, recorded in the history."""
    before = history.authority_values(authority)
    for field, value in values.items():
        setattr(authority, field, value)
    db.session.flush()
    history.record(history.changes("changed", before, history.authority_values(authority), authority_id=authority.id),
                   by)


def create_partnership(values: dict, by: Organiser | None) -> Partnership:
    """Add a partnership (home_authority_id, partner_authority_id, start_year, name)."""
    partnership = Partnership(**values)
    db.session.add(partnership)
    db.session.flush()
    history.record(history.changes("created", {}, history.partnership_values(partnership),
                                   partnership_id=partnership.id), by)
    return partnership
