"""Import authorities and partnerships from CSV: check everything first, write nothing unless all is valid.

Files come from Excel as often as not: UTF-8 with or without BOM, UTF-16 (Excel's "Unicode
text"), or Windows-1252 or Mac Roman from an older "CSV" save; separated by commas, by
semicolons (a French Excel) or by tabs. Headers may be in English or in French. A file is
imported with the characters it was typed with, or refused with the line and the reason.
"""
import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

import charset_normalizer
from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from evalapp.directory import history
from evalapp.directory.countries import country_code, fold
from evalapp.extensions import db
from evalapp.models import AUTHORITY_TYPES, Authority, DirectoryChange, Organiser, Partnership

#: Rows written in one INSERT (with their history) by an import.
IMPORT_BATCH = 1000

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
    """How many rows a file would import, and every problem found in it (by line and column)."""

    #: Rows to import (rows a retried import job wrote already are not counted).
    count: int = 0
    problems: list[Problem] = field(default_factory=list)
    #: The encoding the file was read in ("UTF-8", "Mac Roman"...), once it could be read.
    encoding: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


#: What a spreadsheet saves a "CSV" in when not in UTF-8, for the people who send us files: Excel for
#: Windows in Western and Central Europe and in Cyrillic, old Mac Excel, Latin-1 and -9 from other
#: tools. The detector chooses among these (as shown to people); more would only add wrong readings.
LEGACY_ENCODINGS = {"cp1252": "Windows-1252", "mac_roman": "Mac Roman", "latin_1": "ISO-8859-1",
                    "iso8859_15": "ISO-8859-15", "cp1250": "Windows-1250", "cp1251": "Windows-1251"}
#: A French Excel on Windows and on an old Mac: when the detector finds readings in several
#: encodings equally likely, the one reading in these wins, and two such readings refuse the file.
USUAL_ENCODINGS = {"cp1252", "mac_roman"}
#: Readings of the file at most this much more garbled than the best one (charset-normalizer's
#: "chaos": the share of odd characters) count as just as likely.
CHAOS_MARGIN = 0.01
#: Unicode files are known by their byte order mark (Excel's "Unicode text" is UTF-16).
UNICODE_BOMS = [(codecs.BOM_UTF32_LE, "utf_32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf_32", "UTF-32"),
                (codecs.BOM_UTF16_LE, "utf_16", "UTF-16"), (codecs.BOM_UTF16_BE, "utf_16", "UTF-16")]
DELIMITERS = (",", ";", "\t")
SAVE_AS_UTF8 = _l("save it from your spreadsheet as “CSV UTF-8” and import that file")


class Unreadable(Exception):
    """A file that cannot be read as rows, with the problems that say why."""

    def __init__(self, *problems: Problem):
        super().__init__(*problems)
        self.problems = list(problems)


@dataclass(frozen=True)
class Decoded:
    text: str
    #: The encoding the file was read in, as people know it: "UTF-8", "Mac Roman"...
    encoding: str


def decode(data: bytes) -> Decoded:
    """Read the file's bytes as text, in the one encoding they were saved in, or raise Unreadable.

    UTF-8, with or without BOM, comes first, and UTF-16 and -32 by their BOM. A file partly in
    UTF-8 and partly not was pasted together from files saved differently: it is refused,
    naming the lines unlike the rest. Otherwise charset-normalizer reads it in the encodings
    spreadsheets save in; a file it cannot tell is refused rather than stored garbled.
    """
    for bom, codec, name in UNICODE_BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise Unreadable(Problem(1, "", _("the file says it is in %(encoding)s but is damaged: %(how)s",
                                                  encoding=name, how=SAVE_AS_UTF8))) from None
            if "\x00" in text:
                raise _not_csv()
            return Decoded(text, name)
    if b"\x00" in data:
        raise _not_csv()  # an Excel workbook (.xlsx) or another binary file
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return Decoded(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        pass
    lines = data.splitlines()  # at \r\n, \n or \r, as the csv module counts lines
    utf8, other = [], []
    for number, line in enumerate(lines, 1):
        if not line.isascii():
            (utf8 if _is_utf8(line) else other).append(number)
    if utf8:
        odd, message = (other, _("this line is not in the same encoding as the rest of the file (UTF-8): the file "
                                 "was pasted together from files saved differently; %(how)s", how=SAVE_AS_UTF8))
        if len(utf8) < len(other):
            odd, message = (utf8, _("this line is in UTF-8, unlike the rest of the file: the file was pasted "
                                    "together from files saved differently; %(how)s", how=SAVE_AS_UTF8))
        raise Unreadable(*(Problem(number, "", message) for number in odd))
    return _detect(data, {number: lines[number - 1] for number in other})


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _not_csv(line: int = 1) -> Unreadable:
    return Unreadable(Problem(line, "", _("this is not a CSV file: %(how)s", how=SAVE_AS_UTF8)))


def _detect(data: bytes, accented: dict[int, bytes]) -> Decoded:
    """Decode a file that is not UTF-8 in the encoding charset-normalizer finds for its accented lines."""
    # Lines in ASCII read the same in every encoding, so they tell nothing; the accented ones are
    # read whole, not sampled, so that a single odd letter anywhere counts.
    sample = b"\n".join(accented.values())
    matches = charset_normalizer.from_bytes(sample, steps=1, chunk_size=len(sample),
                                            cp_isolation=list(LEGACY_ENCODINGS))
    best = matches.best()
    if best is None:
        raise _not_csv(next(iter(accented)))  # no encoding reads it as text
    readings: dict[str, set[str]] = {}
    for match in matches:
        if match.chaos <= best.chaos + CHAOS_MARGIN:
            readings.setdefault(str(match), set()).update(match.could_be_from_charset)
    usual = [text for text, encodings in readings.items() if encodings & USUAL_ENCODINGS]
    if len(readings) == 1:
        [reading] = readings
    elif len(usual) == 1:
        [reading] = usual
    else:
        one, other = (usual if len(usual) > 1 else list(readings))[:2]
        index, words = _first_difference(one, other)
        raise Unreadable(Problem(list(accented)[index], "", _(
            "cannot tell which encoding the file was saved in: on this line, “%(one)s” or “%(other)s”; %(how)s",
            one=words[0], other=words[1], how=SAVE_AS_UTF8)))
    codec = next(codec for codec in LEGACY_ENCODINGS if codec in readings[reading])
    # Every line that is not ASCII was in the sample, so the whole file decodes as the sample did.
    return Decoded(data.decode(codec), LEGACY_ENCODINGS[codec])


def _first_difference(one: str, other: str) -> tuple[int, tuple[str, str]]:
    """The first line where two readings of the same bytes differ, and the word that differs in each."""
    for index, (line_one, line_other) in enumerate(zip(one.split("\n"), other.split("\n"), strict=True)):
        if line_one != line_other:
            at = next(i for i, (a, b) in enumerate(zip(line_one, line_other, strict=True)) if a != b)
            return index, (_word_at(line_one, at), _word_at(line_other, at))
    raise ValueError("the readings are the same")


def _word_at(line: str, at: int) -> str:
    return next(word.group() for word in re.finditer(r'[^\s,;"]+|.', line) if word.start() <= at < word.end())


@dataclass
class Table:
    """A file read as CSV: the encoding it was read in, its header as written, its rows."""

    encoding: str
    header: list[str]
    #: The line of the header (blank lines before it are skipped).
    header_line: int
    #: (line number, values) of every row that is not blank, read as they are asked for (a national
    #: directory is never held as a list); the line is that of the row's end. Raises Unreadable at
    #: the row that is not well-formed CSV.
    rows: Iterator[tuple[int, list[str]]]


def read_rows(data: bytes) -> Table:
    """Read the file as CSV; raise Unreadable, naming the line, when it is not well-formed.

    The delimiter is the one of comma, semicolon or tab that the header uses most. Quotes are
    read strictly: a quote closed in the middle of a value or never closed is an error, not text
    silently dropped or swallowed.
    """
    decoded = decode(data)
    first_line = next((line for line in io.StringIO(decoded.text) if line.strip()), "")
    delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(decoded.text, newline=""), delimiter=delimiter, strict=True)
    rows = _rows(reader)
    header, header_line = next(rows, (1, []))[::-1]
    return Table(decoded.encoding, [h.strip() for h in header], header_line, rows)


def _rows(reader) -> Iterator[tuple[int, list[str]]]:
    start = 1  # the line where the row being read starts
    try:
        for values in reader:
            if any(value.strip() for value in values):
                yield reader.line_num, values
            start = reader.line_num + 1
    except csv.Error as error:
        raise Unreadable(_csv_problem(str(error), start, reader.line_num)) from None


def _csv_problem(error: str, start: int, end: int) -> Problem:
    """A problem, at its line, for an error of the csv module (known by its message, which has no code)."""
    if "unexpected end of data" in error or (end > start and "field larger than field limit" in error):
        return Problem(start, "", _("a quotation mark opened on this line is never closed, so the rest of the file "
                                    "would be one value; close it, or double it (\"\") inside a value"))
    if "field larger than field limit" in error:
        return Problem(start, "", _("a value longer than %(count)s characters",
                                    count=format_number(csv.field_size_limit())))
    if "expected after" in error:
        return Problem(end, "", _("text after a closing quotation mark; put the whole value in quotation marks and "
                                  "double those inside it (\"\")"))
    return Problem(end, "", _("this line cannot be read as CSV (%(error)s)", error=error))


def _column_name(header: str) -> str:
    key = fold(header).replace(" ", "_")
    return HEADER_ALIASES.get(key, key)


def _header_problems(table: Table, expected: list[str], required: set[str]) -> list[Problem]:
    header, line = table.header, table.header_line
    names = [_column_name(h) for h in header]
    if len(header) == 1 and names[0] not in expected:
        return [Problem(line, "", _("the columns are not separated by commas, semicolons or tabs"))]
    missing = [c for c in expected if c in required and c not in names]
    unknown = [h for h, c in zip(header, names, strict=True) if c and c not in expected]
    twice = [h for n, (h, c) in enumerate(zip(header, names, strict=True)) if c and c in names[:n]]
    problems = [Problem(line, c, _("required column missing")) for c in missing]
    problems += [Problem(line, h, _("unknown column")) for h in unknown]
    problems += [Problem(line, h, _("column given twice")) for h in twice]
    return problems


def _start(data: bytes, expected: list[str], required: set[str]) -> tuple[CheckResult, dict, Iterator]:
    """Read the file and check its header; returns the result so far, the header as written, and the
    rows as dicts by column name, read as they are asked for (Unreadable at a row that is not CSV)."""
    try:
        table = read_rows(data)
        first = next(table.rows, None)
    except Unreadable as unreadable:
        return CheckResult(problems=unreadable.problems), {}, iter(())
    result = CheckResult(problems=_header_problems(table, expected, required), encoding=table.encoding)
    if not table.header:
        result.problems.append(Problem(1, "", _("the file is empty")))
    elif first is None and not result.problems:
        result.problems.append(Problem(table.header_line + 1, "", _("the file has a header but no rows")))
    names = [_column_name(h) for h in table.header]
    as_written = {_column_name(h): h for h in table.header}
    rows = itertools.chain([first] if first else [], table.rows)
    return result, as_written, _as_dicts(rows, names, result)


def _as_dicts(rows, names: list[str], result: CheckResult) -> Iterator[tuple[int, dict]]:
    for line, values in rows:
        while values and not values[-1].strip():
            values = values[:-1]  # empty cells past the last column, as spreadsheets write them
        if len(values) > len(names):
            result.problems.append(Problem(line, "", _("%(count)s values, but the header has only %(columns)s columns",
                                                       count=len(values), columns=len(names))))
        yield line, dict(zip(names, (v.strip() for v in values), strict=False))


def _checked(result: CheckResult, rows: Iterator) -> Iterator:
    """The rows, until one is not well-formed CSV: that one becomes a problem, and the reading stops."""
    try:
        yield from rows
    except Unreadable as unreadable:
        result.problems += unreadable.problems


def authority_key(name: str, country: str | None) -> tuple[str, str | None]:
    """What makes an authority the same as another: its name (accents and case aside) and its country."""
    return fold(name), country


def check_authorities(data: bytes, written: frozenset = frozenset()) -> CheckResult:
    """Check every row; ``written``: the keys (:func:`authority_key`) of the authorities a retried import job
    wrote already, which are neither counted nor taken for authorities already in the directory."""
    result, as_written, rows = _start(data, AUTHORITY_COLUMNS, AUTHORITY_REQUIRED)
    if result.problems:
        return result
    existing = {authority_key(name, country) for name, country
                in db.session.execute(select(Authority.name, Authority.country))} - written
    seen = {}
    for line, row in _checked(result, rows):
        values, problems = _authority_values(line, row)
        key = authority_key(values.get("name", ""), values.get("country"))
        if values.get("name") and key in existing:
            problems.append(Problem(line, "name", _("already in the directory")))
        elif values.get("name") and key in seen:
            problems.append(Problem(line, "name", _("same authority as line %(line)s", line=seen[key])))
        seen.setdefault(key, line)
        result.problems += [Problem(p.line, as_written.get(p.column, p.column), p.message) for p in problems]
        result.count += key not in written
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


def _partnership_rows(rows, by_name: dict[str, list[int]], result: CheckResult) -> Iterator[tuple[int, dict]]:
    """The rows with their authorities' ids; each problem added to ``result`` (columns by their names)."""
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
        year = row.get("start_year") or ""
        values["start_year"] = None
        if year:
            if not year.isdigit() or not 1900 <= int(year) <= 2100:
                result.problems.append(Problem(line, "start_year", _("not a year: %(value)r", value=year)))
            else:
                values["start_year"] = int(year)
        values["name"] = row.get("name") or None
        yield line, values


def _authorities_by_name() -> dict[str, list[int]]:
    by_name: dict[str, list[int]] = {}
    for authority_id, name in db.session.execute(select(Authority.id, Authority.name)):
        by_name.setdefault(fold(name), []).append(authority_id)
    return by_name


def check_partnerships(data: bytes, written: frozenset = frozenset()) -> CheckResult:
    """Check every row; ``written``: the (home, partner) ids of the partnerships a retried import job wrote
    already, which are neither counted nor taken for partnerships already in the directory."""
    result, as_written, rows = _start(data, PARTNERSHIP_COLUMNS, PARTNERSHIP_REQUIRED)
    if result.problems:
        return result
    existing = {tuple(row) for row in db.session.execute(
        select(Partnership.home_authority_id, Partnership.partner_authority_id))} - written
    first_problem = len(result.problems)
    for line, values in _partnership_rows(_checked(result, rows), _authorities_by_name(), result):
        pair = (values.get("home_authority_id"), values.get("partner_authority_id"))
        if None not in pair:
            if pair[0] == pair[1]:
                result.problems.append(Problem(line, "partner_authority", _("an authority cannot be its own partner")))
            elif pair in existing:
                result.problems.append(Problem(line, "partner_authority", _("this partnership is already in the directory")))
            existing.add(pair)
        result.count += pair not in written
    result.problems[first_problem:] = [Problem(p.line, as_written.get(p.column, p.column), p.message)
                                       for p in result.problems[first_problem:]]
    return result


def _valid_rows(data: bytes, expected: list[str], required: set[str]) -> Iterator[tuple[int, dict]]:
    result, _, rows = _start(data, expected, required)
    for line, row in rows:
        if result.problems:
            break
        yield line, row
    if result.problems:  # the file changed since it was checked: never write a part of it
        raise ValueError(f"a file that was not checked is written: {result.problems[0]}")


def import_authorities(data: bytes, by: Organiser | None, *, job_id: int | None = None,
                       written: frozenset = frozenset(), progress=None) -> int:
    """Write the authorities of a file :func:`check_authorities` found valid, recorded in the directory's
    history as imported by ``by`` (and by the job ``job_id``), IMPORT_BATCH rows an INSERT; return how many.

    Flushes only: without ``progress`` the caller's commit makes it all or nothing; with it (a job), each
    batch is committed, and a retry skips the authorities of ``written``, those it wrote already. An
    import only adds: an authority already in the directory is refused by the check, so no address
    changes here.
    """
    rows = (values for line, row in _valid_rows(data, AUTHORITY_COLUMNS, AUTHORITY_REQUIRED)
            for values in [_authority_values(line, row)[0]]
            if authority_key(values["name"], values["country"]) not in written)
    count = 0
    for batch in _batches(rows, IMPORT_BATCH):
        values = [{field: row.get(field) for field in history.AUTHORITY_FIELDS} for row in batch]
        ids = db.session.scalars(insert(Authority).returning(Authority.id, sort_by_parameter_order=True),
                                 [{**row, "sort_name": fold(row["name"])} for row in values]).all()
        history.record(({**change, "job_id": job_id} for authority_id, row in zip(ids, values, strict=True)
                        for change in history.changes("imported", {}, row, authority_id=authority_id)), by)
        count += len(ids)
        if progress is not None:
            progress.advance(len(ids))
            progress.commit()
    return count


def import_partnerships(data: bytes, by: Organiser | None, *, job_id: int | None = None,
                        written: frozenset = frozenset(), progress=None) -> int:
    """As :func:`import_authorities`, for partnerships (``written``: (home, partner) ids)."""
    result = CheckResult()
    rows = (values for _, values in _partnership_rows(_valid_rows(data, PARTNERSHIP_COLUMNS, PARTNERSHIP_REQUIRED),
                                                      _authorities_by_name(), result)
            if (values["home_authority_id"], values["partner_authority_id"]) not in written)
    count = 0
    for batch in _batches(rows, IMPORT_BATCH):
        ids = db.session.scalars(insert(Partnership).returning(Partnership.id, sort_by_parameter_order=True),
                                 list(batch)).all()
        # The history names each side: the names of the batch read in one query.
        sides = {side for row in batch for side in (row["home_authority_id"], row["partner_authority_id"])}
        names = dict(db.session.execute(select(Authority.id, Authority.name).where(Authority.id.in_(sides))).all())
        history.record(({**change, "job_id": job_id} for partnership_id, row in zip(ids, batch, strict=True)
                        for change in history.changes("imported", {}, _partnership_history(row, names),
                                                      partnership_id=partnership_id)), by)
        count += len(ids)
        if progress is not None:
            progress.advance(len(ids))
            progress.commit()
    return count


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    while batch := list(itertools.islice(rows, size)):
        yield batch


def _partnership_history(row: dict, names: dict[int, str]) -> dict:
    return {"home_authority": names[row["home_authority_id"]], "partner_authority": names[row["partner_authority_id"]],
            "start_year": row["start_year"], "name": row["name"]}


def written_by(job_id: int, kind: str) -> frozenset:
    """What an import job wrote in its earlier runs: authority keys, or (home, partner) ids."""
    if kind == "authorities":
        rows = db.session.execute(select(Authority.name, Authority.country).distinct()
                                  .join(DirectoryChange, DirectoryChange.authority_id == Authority.id)
                                  .where(DirectoryChange.job_id == job_id))
        return frozenset(authority_key(name, country) for name, country in rows)
    rows = db.session.execute(select(Partnership.home_authority_id, Partnership.partner_authority_id).distinct()
                              .join(DirectoryChange, DirectoryChange.partnership_id == Partnership.id)
                              .where(DirectoryChange.job_id == job_id))
    return frozenset(tuple(row) for row in rows)


#: Each kind of import: its check and its writer.
IMPORTS = {
    "authorities": (check_authorities, import_authorities),
    "partnerships": (check_partnerships, import_partnerships),
}


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
