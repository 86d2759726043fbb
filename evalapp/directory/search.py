"""Finding authorities and partnerships in the directory by what people type: a name (accents and case
do not matter), a region, a country by its code or its name."""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, selectinload

from evalapp.directory.countries import countries_named_like, country_code, fold
from evalapp.models import Authority, Partnership


def _authority_matches(entity, q: str) -> list:
    conditions = [entity.sort_name.contains(fold(q), autoescape=True),
                  func.lower(entity.region).contains(q.lower(), autoescape=True)]
    codes = set(countries_named_like(q)) | ({country_code(q)} - {None})
    if codes:
        conditions.append(entity.country.in_(codes))
    return conditions


def authority_search(q: str = "", kind: str = ""):
    """The authorities matching ``q`` (every one when empty) and of type ``kind`` (any when empty), by name."""
    query = select(Authority).order_by(Authority.sort_name, Authority.id)
    q = q.strip()
    if q:
        query = query.where(or_(*_authority_matches(Authority, q)))
    if kind:
        query = query.where(Authority.kind == kind)
    return query


def partnership_search(q: str):
    """The partnerships one of whose sides matches ``q``, or whose own name does; by their home side's name."""
    home, partner = aliased(Authority), aliased(Authority)
    q = q.strip()
    return (
        select(Partnership).join(home, Partnership.home_authority).join(partner, Partnership.partner_authority)
        .options(selectinload(Partnership.home_authority), selectinload(Partnership.partner_authority))
        .where(or_(*_authority_matches(home, q), *_authority_matches(partner, q),
                   func.lower(Partnership.name).contains(q.lower(), autoescape=True)))
        .order_by(home.sort_name, partner.sort_name, Partnership.id)
    )
