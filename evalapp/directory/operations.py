"""What organisers and commands do to the directory, recorded in its history. Functions flush only.

The CSV import writes through :mod:`evalapp.directory.csv_import`, recorded the same way.
"""
from evalapp import tallies
from evalapp.directory import history
from evalapp.extensions import db
from evalapp.invitations import Readdressed, readdress
from evalapp.models import Authority, Organiser, Partnership, Response
from evalapp.rounds import visible_rounds


def create_authority(values: dict, by: Organiser | None) -> Authority:
    """Add an authority (``values`` by field of :data:`history.AUTHORITY_FIELDS`); ``by`` None is the command line."""
    authority = Authority(**values)
    db.session.add(authority)
    db.session.flush()
    history.record(history.changes("created", {}, history.authority_values(authority), authority_id=authority.id), by)
    return authority


def update_authority(authority: Authority, values: dict, by: Organiser | None) -> Readdressed | None:
    """Change the authority's fields to ``values``, recorded in the history.

    A new address is used by the invitations not yet submitted of the rounds ``by`` may see; the
    invitations of other rounds keep theirs, and their organisers see the change on their round's
    page (:func:`evalapp.invitations.address_differences`). The command line sees no round.
    Returns what became of the invitations when the address changed, else None.
    """
    before = history.authority_values(authority)
    for field, value in values.items():
        setattr(authority, field, value)
    db.session.flush()
    history.record(history.changes("changed", before, history.authority_values(authority), authority_id=authority.id),
                   by)
    # A new type, country or region: its responses move to them in the dashboards' figures.
    tallies.refresh(tallies.of_authority(authority.id).where(~Response.counts_current))
    if history.as_text(before["email"]) == history.as_text(authority.email):
        return None
    return readdress(authority, visible_rounds(by) if by is not None else None)


def create_partnership(values: dict, by: Organiser | None) -> Partnership:
    """Add a partnership (home_authority_id, partner_authority_id, start_year, name)."""
    partnership = Partnership(**values)
    db.session.add(partnership)
    db.session.flush()
    history.record(history.changes("created", {}, history.partnership_values(partnership),
                                   partnership_id=partnership.id), by)
    return partnership
