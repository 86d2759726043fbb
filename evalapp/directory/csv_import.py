"""Import authorities and partnerships from CSV: check everything first, write all or nothing.

Files come from Excel as often as not: UTF-8 with or without BOM (or Windows-1252 from
an older "CSV" save), separated by commas or, in a French Excel, by semicolons. Headers
may be in English or in French.
"""
import csv
import io
from dataclasses import dataclass, field
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from evalapp.directory import history
from evalapp.directory.countries import country_code, fold
from evalapp.extensions import db
from evalapp.models import AUTHORITY_TYPES, Authority, Organiser, Partnership

MAX_ROWS = 20_000

AUTHORITY_COLUMNS = ["name", "type", "country", "region", "population", "language", "email"]
PARTNERSHIP_COLUMNS = ["home_authority", "partner_authority", "start_year", "name"]
AUTHORITY_REQUIRED = {"name", "type", "country"}
PARTNERSHIP_REQUIRED = {"home_authority", "partner_authority"}

# French headers, as people write them.
HEADER_ALIASES = {
    "nom": "name", "type": "type", "pays": "country", "region": "region", "population": "population",
    "langue": "language", "courriel": "email", "e-mail": "email", "mail": "email",
    "collectivite": "home_authority", "collectivite_partenaire": "partner_authority",
    "partenaire": "partner_authority", "annee_de_debut": "start_year", "annee": "start_year",
    "nom_du_partenariat": "name",
}

# Besides the codes and the labels the interface shows in both languages.
TYPE_ALIASES = {
    "municipalite": "commune", "ville": "commune", "epci": "intercommunalite", "metropole": "intercommunalite",
    "communaute de communes": "intercommunalite", "communaute d agglomeration": "intercommunalite",
    "communaute urbaine": "intercommunalite", "collectivite locale etrangere": "foreign_municipality",
    "municipalite etrangere": "foreign_municipality", "commune etrangere": "foreign_municipality",
    "collectivite regionale etrangere": "foreign_regional", "region etrangere": "foreign_regional",
    "province": "foreign_regional",
}


def is_email(value: str) -> bool:
    """An address the directory's form would accept (and the mail library can send to)."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def type_code(text: str) -> str | None:
    """The type code of a code, a label in French or English, or a common name."""
    if text in AUTHORITY_TYPES:
        return text
    folded = fold(text)
    return _type_names().get(folded) or TYPE_ALIASES.get(folded) or (folded if folded in AUTHORITY_TYPES else None)


@cache
def _type_names() -> dict[str, str]:
    """Folded labels of the types, in both languages, to their codes (built once: labels do not change)."""
    names = {}
    for lang in ("fr", "en"):
        with force_locale(lang):
            names.update({fold(str(label)): code for code, label in AUTHORITY_TYPES.items()})
    return names



@dataclass
class Problem:
    line: int
    column: str
    message: str


@dataclass
class CheckResult:
    """What a file would import, and every problem found in it (by line and column)."""

    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_rows(data: bytes) -> tuple[list[str], list[tuple[int, dict]]]:
    """Return the header as written and (line number, row by column name) pairs, blank lines skipped."""
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return [], []
    names = [_column_name(h) for h in header]
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows.append((reader.line_num, dict(zip(names, (v.strip() for v in values), strict=False))))
        if len(rows) > MAX_ROWS:
            break
    return [h.strip() for h in header], rows


def _column_name(header: str) -> str:
    key = fold(header).replace(" ", "_")
    return HEADER_ALIASES.get(key, key)


def _header_problems(header: list[str], expected: list[str], required: set[str]) -> list[Problem]:
    names = [_column_name(h) for h in header]
    missing = [c for c in expected if c in required and c not in names]
    unknown = [h for h, c in zip(header, names, strict=True) if c and c not in expected]
    problems = [Problem(1, c, _("required column missing")) for c in missing]
    problems += [Problem(1, h, _("unknown column")) for h in unknown]
    return problems


def _start(data: bytes, expected: list[str], required: set[str]) -> tuple[CheckResult, dict, list]:
    """Read the file and check its header; returns the result so far, the header as written, the rows."""
    if b"\x00" in data:
        # An Excel workbook (.xlsx) or another binary file: nothing in it can be read as rows.
        return CheckResult(problems=[Problem(1, "", _("this is not a CSV file: save it from your spreadsheet "
                                                      "as “CSV UTF-8” and import that file"))]), {}, []
    header, rows = read_rows(data)
    result = CheckResult(problems=_header_problems(header, expected, required))
    if not header:
        result.problems.append(Problem(1, "", _("the file is empty")))
    elif not rows and not result.problems:
        result.problems.append(Problem(2, "", _("the file has a header but no rows")))
    if len(rows) > MAX_ROWS:
        result.problems.append(Problem(rows[-1][0], "", _("more than %(count)s rows", count=MAX_ROWS)))
    as_written = {_column_name(h): h for h in header}
    return result, as_written, rows


def check_authorities(data: bytes) -> CheckResult:
    result, as_written, rows = _start(data, AUTHORITY_COLUMNS, AUTHORITY_REQUIRED)
    if result.problems:
        return result
    existing = {(fold(name), country) for name, country in db.session.execute(select(Authority.name, Authority.country))}
    seen = {}
    for line, row in rows:
        values, problems = _authority_values(line, row)
        key = (fold(values.get("name", "")), values.get("country"))
        if values.get("name") and key in existing:
            problems.append(Problem(line, "name", _("already in the directory")))
        elif values.get("name") and key in seen:
            problems.append(Problem(line, "name", _("same authority as line %(line)s", line=seen[key])))
        seen.setdefault(key, line)
        result.problems += [Problem(p.line, as_written.get(p.column, p.column), p.message) for p in problems]
        result.rows.append(values)
    return result


def _authority_values(line: int, row: dict) -> tuple[dict, list[Problem]]:
    problems = []
    values = {}

    def problem(column, message):
        problems.append(Problem(line, column, message))

    name = row.get("name", "")
    if not name:
        problem("name", _("required"))
    elif len(name) > 200:
        problem("name", _("at most %(count)s characters", count=200))
    values["name"] = name
    kind = row.get("type", "")
    values["kind"] = type_code(kind)
    if values["kind"] is None:
        problem("type", _("unknown type %(value)r; use one of: %(types)s", value=kind,
                          types=", ".join(str(label) for label in AUTHORITY_TYPES.values())))
    values["country"] = country_code(row.get("country", ""))
    if values["country"] is None:
        problem("country", _("unknown country %(value)r; use an ISO code (FR, BF...) or the name", value=row.get("country", "")))
    values["region"] = row.get("region") or None
    population = (row.get("population") or "").replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if population:
        if not population.isdigit():
            problem("population", _("not a whole number: %(value)r", value=row.get("population")))
        else:
            values["population"] = int(population)
    language = fold(row.get("language") or "fr")
    values["language"] = {"fr": "fr", "francais": "fr", "french": "fr", "en": "en", "anglais": "en", "english": "en"}.get(language)
    if values["language"] is None:
        problem("language", _("use fr or en"))
    email = row.get("email") or None
    if email and not is_email(email):
        problem("email", _("not an email address: %(value)r", value=email))
    values["email"] = email
    return values, problems


def check_partnerships(data: bytes) -> CheckResult:
    result, as_written, rows = _start(data, PARTNERSHIP_COLUMNS, PARTNERSHIP_REQUIRED)
    if result.problems:
        return result
    by_name: dict[str, list[int]] = {}
    for authority_id, name in db.session.execute(select(Authority.id, Authority.name)):
        by_name.setdefault(fold(name), []).append(authority_id)
    existing = {tuple(row) for row in db.session.execute(select(Partnership.home_authority_id, Partnership.partner_authority_id))}
    first_problem = len(result.problems)
    for line, row in rows:
        values = {}
        for column in ("home_authority", "partner_authority"):
            text = row.get(column, "")
            ids = by_name.get(fold(text), [])
            if not text:
                result.problems.append(Problem(line, column, _("required")))
            elif not ids:
                result.problems.append(Problem(line, column, _("no authority named %(name)r in the directory", name=text)))
            elif len(ids) > 1:
                result.problems.append(Problem(line, column, _("several authorities are named %(name)r", name=text)))
            else:
                values[column + "_id"] = ids[0]
        pair = (values.get("home_authority_id"), values.get("partner_authority_id"))
        if None not in pair:
            if pair[0] == pair[1]:
                result.problems.append(Problem(line, "partner_authority", _("an authority cannot be its own partner")))
            elif pair in existing:
                result.problems.append(Problem(line, "partner_authority", _("this partnership is already in the directory")))
            existing.add(pair)
        year = row.get("start_year") or ""
        if year:
            if not year.isdigit() or not 1900 <= int(year) <= 2100:
                result.problems.append(Problem(line, "start_year", _("not a year: %(value)r", value=year)))
            else:
                values["start_year"] = int(year)
        values["name"] = row.get("name") or None
        result.rows.append(values)
    result.problems[first_problem:] = [Problem(p.line, as_written.get(p.column, p.column), p.message)
                                       for p in result.problems[first_problem:]]
    return result


def import_authorities(result: CheckResult, by: Organiser | None) -> int:
    """Write the rows of a valid check, each recorded in the directory's history as imported by ``by``.

    Flushes only, so the caller's commit makes it all or nothing. An import only adds: an authority
    already in the directory is refused by the check, so no address changes here.
    """
    assert result.ok
    authorities = [Authority(**values) for values in result.rows]
    db.session.add_all(authorities)
    db.session.flush()
    history.record((row for authority in authorities for row in history.changes(
        "imported", {}, history.authority_values(authority), authority_id=authority.id)), by)
    return len(result.rows)


def import_partnerships(result: CheckResult, by: Organiser | None) -> int:
    assert result.ok
    partnerships = [
        Partnership(home_authority_id=v["home_authority_id"], partner_authority_id=v["partner_authority_id"],
                    start_year=v.get("start_year"), name=v.get("name"))
        for v in result.rows
    ]
    db.session.add_all(partnerships)
    db.session.flush()
    # The history names each side: every name read in one query, not one query a partnership.
    names = dict(db.session.execute(select(Authority.id, Authority.name)).all())
    history.record((row for partnership in partnerships for row in history.changes(
        "imported", {}, history.partnership_values(partnership, names), partnership_id=partnership.id)), by)
    return len(result.rows)


def template_csv(kind: str, lang: str) -> str:
    """A template to fill: semicolons and a BOM, so that a French Excel opens it as it is;
    headers and examples in the interface's language (both are accepted on import)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(TEMPLATES[kind][lang])
    return "\ufeff" + out.getvalue()


TEMPLATES = {
    "authorities": {
        "fr": [["nom", "type", "pays", "région", "population", "langue", "courriel"],
               ["Ville de Chambéry", "Commune", "France", "Auvergne-Rhône-Alpes", "60 000", "fr", "international@example.fr"],
               ["Commune de Ouahigouya", "Collectivité locale étrangère", "Burkina Faso", "Nord", "120 000", "fr", ""]],
        "en": [AUTHORITY_COLUMNS,
               ["Ville de Chambéry", "commune", "FR", "Auvergne-Rhône-Alpes", "60000", "fr", "international@example.fr"],
               ["Commune de Ouahigouya", "foreign_municipality", "BF", "Nord", "120000", "fr", ""]],
    },
    "partnerships": {
        "fr": [["collectivité", "partenaire", "année de début", "nom du partenariat"],
               ["Ville de Chambéry", "Commune de Ouahigouya", "1991", "Chambéry – Ouahigouya"]],
        "en": [PARTNERSHIP_COLUMNS, ["Ville de Chambéry", "Commune de Ouahigouya", "1991", "Chambéry – Ouahigouya"]],
    },
}
