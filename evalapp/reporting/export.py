"""Exports of a round: wide, long, codebook and partnership pairs, as CSV, Excel workbooks, SPSS and Stata files.

Each export is two steps, as in indico: columns and rows come from here as plain
values, read from the database in batches; a writer makes the file: evalapp.spreadsheets
the CSV, neutralising formulas in files for a spreadsheet and leaving every value as typed
in files for analysis tools; evalapp.workbooks the .xlsx, with typed cells; and
evalapp.reporting.stats_files the labelled .sav and .dta of the wide file. Memory stays flat
whatever the number of responses (the .sav and .dta hold one value per cell until written).

An export is logged when it starts (:func:`record`) and marked complete only once its last
byte is written (:func:`mark_complete`): a download cut midway, or a job that failed, stays
"started" in the log. Large exports run as jobs (evalapp/jobs/exports.py); ``progress``
(an evalapp.jobs Progress) is then told the size of the work and each batch done.
"""
import gc
import json
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from evalapp.extensions import db
from evalapp.models import (
    AUTHORITY_TYPES,
    EXPORT_FORMATS,
    RESPONDENT_ROLES,
    SIDE_LABELS,
    STATUS_LABELS,
    Answer,
    Authority,
    ExportFormat,
    ExportKind,
    ExportRecord,
    ExportStatus,
    Invitation,
    Response,
    ResponseStatus,
    Round,
    Side,
)
from evalapp.models.base import utcnow
from evalapp.questionnaires.conditions import asked_by_answers
from evalapp.questionnaires.definition import SCORED_THEMES, Definition
from evalapp.questionnaires.loader import definition_of
from evalapp.questionnaires.types import NOT_ASKED, NOT_ASKED_LABEL, AnswerRow, Column
from evalapp.reporting import aggregate
from evalapp.reporting.aggregate import Filters
from evalapp.spreadsheets import csv_text
from evalapp.workbooks import Sheet, write_workbook

BATCH = 500
#: Who a file is for. A spreadsheet runs a text starting with = + - @ (or a tab or carriage
#: return) as a formula, so there such text gets a leading apostrophe; analysis tools run
#: nothing, so their files give every value exactly as typed.
TARGETS = {
    "spreadsheet": _l("For a spreadsheet (Excel, LibreOffice): a text that would run as a formula "
                      "(starting with = + - @) starts with an apostrophe"),
    "analysis": _l("For analysis tools (R, Python, SPSS, Stata): every value exactly as typed; "
                   "not to be opened in a spreadsheet"),
}
#: What the codebook says of a column whose texts get an apostrophe in files for a spreadsheet.
IN_SPREADSHEET_FILES = "a ' is put before a text starting with = + - @, tab or CR; files for analysis tools give it as typed"


@dataclass(frozen=True)
class ExportOptions:
    headers: str = "codes"        # codes | text
    values: str = "codes"         # codes | labels
    lang: str = "fr"              # the language of labels and question texts
    delimiter: str = ","          # , | ;
    bom: bool = False
    partial: bool = False         # include responses not submitted
    filters: Filters = field(default_factory=Filters)
    target: str = "spreadsheet"   # a key of TARGETS: spreadsheet (formulas neutralised) | analysis (exact)
    format: str = ExportFormat.CSV  # an ExportFormat: csv | xlsx | sav | dta (the last two: the wide file only)

    @classmethod
    def excel(cls, lang: str = "fr", **overrides) -> "ExportOptions":
        """What the "Excel" button gives: semicolons and a BOM, so accents survive in a French Excel."""
        return cls(delimiter=";", bom=True, lang=lang, target="spreadsheet", **overrides)

    @classmethod
    def analysis(cls, lang: str = "fr", **overrides) -> "ExportOptions":
        """What the button for analysis tools gives: commas, UTF-8 without BOM, every value exact."""
        return cls(delimiter=",", bom=False, lang=lang, target="analysis", **overrides)

    @property
    def for_spreadsheet(self) -> bool:
        return self.target == "spreadsheet"

    @property
    def typed(self) -> bool:
        """Whether the file keeps types (a workbook, SPSS, Stata): dates are then dates, not ISO 8601 texts."""
        return self.format != ExportFormat.CSV

    def as_record(self) -> dict:
        record = asdict(self)
        record["filters"] = self.filters.as_args()
        return record

    @classmethod
    def from_record(cls, record: dict) -> "ExportOptions":
        """The options of :meth:`as_record` (as a job's parameters keep them)."""
        known = {k: v for k, v in record.items() if k in cls.__dataclass_fields__}
        known["filters"] = Filters(**record.get("filters", {}))
        return cls(**known)


# --- Columns ---------------------------------------------------------------------------------

FIXED = ["response_id", "authority", "authority_type", "country", "region", "partnership_id", "side",
         "respondent_role", "status", "started_at", "submitted_at"]


def fixed_header(code: str) -> str:
    return {
        "response_id": _("Response"), "authority": _("Authority"), "authority_type": _("Type"),
        "country": _("Country"), "region": _("Region"), "partnership_id": _("Partnership"), "side": _("Side"),
        "respondent_role": _("Respondent's role"), "status": _("Status"), "started_at": _("Started at"),
        "submitted_at": _("Submitted at"),
    }[code]


def item_columns(definition: Definition) -> list[Column]:
    """The answer columns in questionnaire order, as each item's type makes them (one per item, matrix cell,
    option of a multiple choice, "other" text)."""
    return [column for section in definition.sections for item in section.items for column in item.kind.columns(item)]


def column_header(column: Column, options: ExportOptions) -> str:
    if options.headers == "codes":
        return column.code
    return column.item.kind.column_header(column, options.lang)


def item_values(definition: Definition, columns: list[Column], options: ExportOptions) -> Callable[[dict, frozenset], list]:
    """What gives a response's values in ``columns``, from its answer rows by code and the codes it was not asked.

    Each column's reading (its type's ``value``, its answer code) is looked up once per export, not once
    per cell: a wide export of 100,000 responses reads 17 million cells.
    """
    cells = [(column.answer_code, column.item.kind.value, column) for column in columns]
    with force_locale(options.lang):
        unasked = not_asked_value(options)

    def values(answers: dict, hidden: frozenset) -> list:
        return [unasked if code in hidden else value(definition, column, answers.get(code, ()), options)
                for code, value, column in cells]

    return values


def not_asked(definition: Definition, side: str, partnership_id, answers: dict) -> frozenset[str]:
    """The answer codes a response was not asked (its conditions did not hold), from its answers."""
    return asked_by_answers(definition, side, partnership_id is not None, answers).not_asked_codes


def not_asked_value(options: ExportOptions) -> str:
    """What a column says of an item not asked: apart from empty (not answered) and dk (don't know)."""
    return str(NOT_ASKED_LABEL) if options.values == "labels" else NOT_ASKED


def _side(row) -> str:
    """home or partner, for responses of a partnership only."""
    return row.side if row.partnership_id else ""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def _moment(moment: datetime | None, options: ExportOptions):
    """A time as the file keeps it: a date and time (UTC) in typed files, ISO 8601 text in CSV."""
    if options.typed:
        return moment.replace(microsecond=0) if moment else None
    return _iso(moment)


def _response_query(round_: Round, options: ExportOptions):
    # Plain rows, not ORM objects: nothing accumulates in the session while streaming.
    query = (
        select(Response.id, Response.respondent_role, Response.status, Response.started_at, Response.submitted_at,
               Invitation.side, Invitation.partnership_id, Authority.name, Authority.kind, Authority.country,
               Authority.region)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Authority, Invitation.authority_id == Authority.id)
        .where(Invitation.round_id == round_.id, Invitation.revoked_at.is_(None))
    )
    if not options.partial:
        query = query.where(Response.status == ResponseStatus.SUBMITTED)
    else:
        query = query.where(Response.status != ResponseStatus.NOT_STARTED)
    return options.filters.apply(query)


def count_responses(round_: Round, options: ExportOptions) -> int:
    """How many responses the export reads: what decides whether it runs as a job."""
    return db.session.scalar(select(func.count()).select_from(_response_query(round_, options).subquery()))


def _batches(round_: Round, options: ExportOptions, progress=None) -> Iterator[list[tuple]]:
    """Responses in id order, BATCH at a time, each as (row, its answers grouped by code)."""
    if progress is not None:
        progress.set_total(count_responses(round_, options), "responses")
    last_id = 0
    while True:
        batch = db.session.execute(
            _response_query(round_, options).where(Response.id > last_id).order_by(Response.id).limit(BATCH)
        ).all()
        if not batch:
            return
        ids = [response.id for response in batch]
        answers = _answers_of(ids)
        yield [(response, answers[response.id]) for response in batch]
        last_id = ids[-1]
        if progress is not None:
            progress.advance(len(ids))  # the batch is written out: a job may commit here
        # Let this batch go before reading the next: memory holds one batch, whatever the total.
        del batch, answers


def _answers_of(response_ids: list[int]) -> dict[int, dict[str, list[AnswerRow]]]:
    """The answers of some responses, grouped by response and item code."""
    answers: dict[int, dict[str, list]] = {i: {} for i in response_ids}
    table = Answer.__table__.c
    # Core rather than ORM rows, unpacked by position: at 100,000 responses (8.8 million answers),
    # the ORM's row handling cost more than the rest of the export.
    # In the order they were written: the options of a multiple choice come out the same in every
    # file, whatever plan the database picks (a restored copy, other statistics).
    result = db.session.connection().execute(
        select(table.response_id, table.item_code, table.choice, table.scale_value, table.dont_know,
               table.number_value, table.text_value)
        .where(table.response_id.in_(response_ids), table.set_aside.is_(False)).order_by(table.id)
    )
    # The driver's own tuples rather than SQLAlchemy's rows: psycopg holds the whole result once the
    # statement has run and makes its tuples in C; rows on top of them, and AnswerRow._make's check of
    # their length, were half the time of reading 100,000 responses. (SQLite's booleans come as 0 and 1,
    # which read alike.)
    with result:
        rows = result.cursor.fetchall()
    new = tuple.__new__
    for row in rows:
        answers[row[0]].setdefault(row[1], []).append(new(AnswerRow, row[2:]))
    return answers


def _fixed_values(row, options: ExportOptions) -> list:
    side = _side(row)
    if options.values == "labels":
        return [
            row.id, row.name, str(AUTHORITY_TYPES[row.kind]), row.country, row.region, row.partnership_id,
            _label(SIDE_LABELS, side), _label(RESPONDENT_ROLES, row.respondent_role), _label(STATUS_LABELS, row.status),
            _moment(row.started_at, options), _moment(row.submitted_at, options),
        ]
    return [row.id, row.name, row.kind, row.country, row.region, row.partnership_id, side,
            row.respondent_role, row.status, _moment(row.started_at, options), _moment(row.submitted_at, options)]




def _label(labels: dict, code):
    return str(labels[code]) if code in labels else code


# --- The four exports ---------------------------------------------------------------------------


def wide(round_: Round, options: ExportOptions, progress=None) -> tuple[list[str], Iterator[list]]:
    """One row per response, one column per item code (matrix cells and options included)."""
    definition = definition_of(round_.questionnaire_version)
    columns = item_columns(definition)
    with force_locale(options.lang):
        headers = [c if options.headers == "codes" else fixed_header(c) for c in FIXED]
        headers += [column_header(c, options) for c in columns]

    def rows():
        values_of = item_values(definition, columns, options)
        for batch in _batches(round_, options, progress):
            with force_locale(options.lang):
                for response, answers in batch:
                    hidden = not_asked(definition, response.side, response.partnership_id, answers)
                    yield _fixed_values(response, options) + values_of(answers, hidden)

    return headers, rows()


def long(round_: Round, options: ExportOptions, progress=None) -> tuple[list[str], Iterator[list]]:
    """One row per answer: response, authority, side, item code, theme, value, label.

    An item the response was not asked has a row too, with the value ``not_asked``: without it, the
    file could not tell it from an item left unanswered (which has no row).
    """
    definition = definition_of(round_.questionnaire_version)
    items = {c.answer_code: c.item for c in item_columns(definition)}
    order = {code: n for n, code in enumerate(items)}
    headers = ["response_id", "authority", "side", "item_code", "theme", "value", "label"]

    def rows():
        for batch in _batches(round_, options, progress):
            with force_locale(options.lang):
                for response, answers in batch:
                    side = _side(response)
                    hidden = not_asked(definition, response.side, response.partnership_id, answers)
                    for code in sorted({*answers, *hidden}, key=lambda c: order.get(c, len(order))):
                        item = items.get(code)
                        if item is None:
                            continue
                        if code in hidden:
                            yield [response.id, response.name, side, code, item.theme, NOT_ASKED, str(NOT_ASKED_LABEL)]
                            continue
                        for row in answers[code]:
                            value, label = item.kind.long_value(definition, item, row, options.lang)
                            yield [response.id, response.name, side, code, item.theme, value, label]

    return headers, rows()


def codebook(round_: Round, options: ExportOptions, progress=None) -> tuple[list[str], Iterator[list]]:
    """One row per column of the wide file: code, section, theme, type, question in French and English, values,
    and, for CSV, how the column differs in files for a spreadsheet (free texts get an apostrophe before a
    formula; a workbook's cells are typed, so its texts are always as typed)."""
    definition = definition_of(round_.questionnaire_version)
    sections = {i.code: s.code for s in definition.sections for i in s.items}
    conditions = {i.code: [c for c in (s.when, i.when) if c] for s in definition.sections for i in s.items}
    headers = ["column", "section", "theme", "type", "question_fr", "question_en", "values", "spreadsheet_files"]
    if options.typed:
        headers = headers[:-1]

    def rows():
        for row in _codebook_rows():
            yield row[:len(headers)]

    def _codebook_rows():
        for code in FIXED:
            with force_locale("fr"):
                fr = fixed_header(code)
            with force_locale("en"):
                en = fixed_header(code)
            typed = code in ("authority", "region")  # typed by organisers
            yield [code, "", "", "response", fr, en, _fixed_values_doc(code),
                   IN_SPREADSHEET_FILES if typed else "unchanged"]
        for column in item_columns(definition):
            item = column.item
            questions = []
            for lang in ("fr", "en"):
                with force_locale(lang):
                    questions.append(column_header(column, ExportOptions(headers="text", lang=lang)))
            typed = column.other or item.kind.free_text
            yield [column.code, sections[item.code], item.theme, item.kind.codebook_type(column), *questions,
                   item.kind.allowed_values(definition, column) + _asked_when(item, conditions[item.code]),
                   IN_SPREADSHEET_FILES if typed else "unchanged"]

    return headers, rows()


def _asked_when(item, conditions: list) -> str:
    """What the codebook adds to the values of an item asked under conditions (its section's, its own)."""
    if not conditions:
        return ""
    written = " and ".join(json.dumps(c.model_dump(mode="json"), ensure_ascii=False) for c in conditions)
    return f"; {NOT_ASKED} = non posée / not asked (asked only when {written})"


def _fixed_values_doc(code: str) -> str:
    return {
        "authority_type": "; ".join(AUTHORITY_TYPES),
        "country": "ISO 3166-1 alpha-2",
        "side": f"{Side.HOME} = A; {Side.PARTNER} = B",
        "respondent_role": "; ".join(RESPONDENT_ROLES),
        "status": f"{ResponseStatus.IN_PROGRESS}; {ResponseStatus.SUBMITTED}",
        "started_at": "ISO 8601, UTC (a date and time in typed files)",
        "submitted_at": "ISO 8601, UTC (a date and time in typed files)",
    }.get(code, "")


def pairs(round_: Round, options: ExportOptions, progress=None) -> tuple[list[str], Iterator[list]]:
    """One row per partnership where both sides submitted: A__CODE (home), B__CODE (partner), gaps per theme."""
    definition = definition_of(round_.questionnaire_version)
    columns = item_columns(definition)
    themes = list(SCORED_THEMES)
    headers = ["partnership_id", "A__authority", "B__authority"]
    headers += [f"{side}__index__{t}" for side in ("A", "B") for t in themes] + [f"gap__{t}" for t in themes]
    headers += [f"{side}__{c.code}" for c in columns for side in ("A", "B")]

    def rows():
        values_of = item_values(definition, columns, options)
        comparisons = aggregate.partnership_comparisons(round_, options.filters)
        if progress is not None:
            progress.set_total(len(comparisons), "partnerships")
        for start in range(0, len(comparisons), BATCH // 2):
            chunk = comparisons[start:start + BATCH // 2]
            answers = _answers_of([r for c in chunk for r in (c.home_response_id, c.partner_response_id)])
            hidden = {response_id: not_asked(definition, side, c.partnership_id, answers[response_id])
                      for c in chunk for side, response_id in ((Side.HOME, c.home_response_id),
                                                               (Side.PARTNER, c.partner_response_id))}
            with force_locale(options.lang):
                for c in chunk:
                    values = [c.partnership_id, c.home_name, c.partner_name]
                    values += [_round(c.home.get(t)) for t in themes] + [_round(c.partner.get(t)) for t in themes]
                    values += [_round(c.gaps.get(t)) for t in themes]
                    home, partner = (values_of(answers[response_id], hidden[response_id])
                                     for response_id in (c.home_response_id, c.partner_response_id))
                    yield values + [value for pair in zip(home, partner, strict=True) for value in pair]
            if progress is not None:
                progress.advance(len(chunk))

    return headers, rows()


def _round(value):
    return None if value is None else round(value, 2)


EXPORTERS = {ExportKind.WIDE: wide, ExportKind.LONG: long, ExportKind.CODEBOOK: codebook, ExportKind.PAIRS: pairs}


#: The data sheet of each export in a workbook (English, as the column codes: scripts find them by name).
SHEET_NAMES = {ExportKind.WIDE: "Responses", ExportKind.LONG: "Answers", ExportKind.PAIRS: "Pairs",
               ExportKind.CODEBOOK: "Codebook"}
#: Bytes read at a time from a finished file to send or store it.
PIECE = 1024 * 1024


def export(round_: Round, kind: str, options: ExportOptions, progress=None) -> Iterator[str | bytes]:
    """The file of an export, piece by piece: CSV text, or the bytes of a workbook, an SPSS or a Stata file.

    In a CSV file for a spreadsheet with semicolons (the French convention), decimals take a
    comma, so that a French spreadsheet reads them as numbers: 2,5 rather than 2.5. Files
    for analysis tools always take a point, as those tools read numbers.
    """
    if options.format != ExportFormat.CSV:
        pieces = _made_file(file_writer(round_, kind, options, progress), options.format)
    else:
        headers, rows = EXPORTERS[kind](round_, options, progress)
        pieces = csv_text(headers, rows, delimiter=options.delimiter, bom=options.bom,
                          decimal="," if options.delimiter == ";" and options.for_spreadsheet else ".",
                          neutralise=options.for_spreadsheet)
    return _sparing_collector(pieces)


def _sparing_collector(pieces: Iterator) -> Iterator:
    """The pieces, made while Python's garbage collector leaves alone the objects the process held before.

    An export makes millions of short-lived objects (a tuple per answer, a list per row). Every so
    often they set off a full collection, which walks every object of the process: the application's
    some 170,000 (SQLAlchemy, pandas...) each time. At 10,000 responses that was half the time of
    reading the answers. Frozen, those objects are skipped; the export's own garbage is collected as
    usual, and the process's objects are collectable again once the export ends or is abandoned.
    """
    gc.freeze()
    try:
        yield from pieces
    finally:
        gc.unfreeze()


def file_writer(round_: Round, kind: str, options: ExportOptions, progress=None) -> Callable[[Path], None]:
    """What writes a workbook (every kind, with its codebook in a sheet beside the data), or the wide file as SPSS
    or Stata, into a path. The round is read now (a download's response is sent after the request's commit);
    the responses as the file is written."""
    if options.format == ExportFormat.XLSX:
        headers, rows = EXPORTERS[kind](round_, options, progress)
        sheets = [Sheet(SHEET_NAMES[kind], headers, rows)]
        if kind != ExportKind.CODEBOOK:
            sheets.append(Sheet(SHEET_NAMES[ExportKind.CODEBOOK], *codebook(round_, options)))
        return lambda path: write_workbook(path, sheets)
    from evalapp.reporting import stats_files  # it imports this module

    return stats_files.writer(round_, kind, options, progress)


def _made_file(write: Callable[[Path], None], extension: str) -> Iterator[bytes]:
    # A workbook is a zip and an SPSS or Stata file has its size in its header: each is whole only once
    # written, so it is written to a temporary file first, then read out a piece at a time.
    with tempfile.TemporaryDirectory(prefix="evalapp-export-") as folder:
        path = Path(folder) / f"export.{extension}"
        write(path)
        with path.open("rb") as made:
            while piece := made.read(PIECE):
                yield piece


def record(round_: Round, kind: str, options: ExportOptions, organiser_id: int | None) -> ExportRecord:
    """Log the export as started. Flushes only."""
    entry = ExportRecord(round_id=round_.id, organiser_id=organiser_id, kind=kind, options=options.as_record(),
                         status=ExportStatus.STARTED)
    db.session.add(entry)
    db.session.flush()
    return entry


def mark_complete(record_id: int) -> None:
    """Log that the export's last byte was written. Flushes only."""
    db.session.execute(update(ExportRecord).where(ExportRecord.id == record_id)
                       .values(status=ExportStatus.COMPLETE, completed_at=utcnow())
                       .execution_options(synchronize_session=False))


def describe_options(options: dict) -> str:
    """An export's options as the log shows them: "for a spreadsheet, semicolon, BOM, labels (en), filters: country FR"
    for CSV; "Excel workbook (.xlsx), labels (en)..." for the other formats."""
    file_format = options.get("format", ExportFormat.CSV)  # logged before there were other formats: CSV
    if file_format == ExportFormat.CSV:
        # Exports logged before there were two kinds of file were all for a spreadsheet.
        parts = [_("for analysis tools") if options.get("target") == "analysis" else _("for a spreadsheet")]
        parts.append(_("semicolon") if options.get("delimiter") == ";" else _("comma"))
        if options.get("bom"):
            parts.append("BOM")
    else:
        parts = [str(EXPORT_FORMATS.get(file_format, file_format))]
    if file_format in (ExportFormat.SAV, ExportFormat.DTA):
        parts.append(_("codes and value labels") + f" ({options.get('lang', 'fr')})")
    else:
        parts.append(_("question text") if options.get("headers") == "text" else _("item codes"))
        parts.append((_("labels") if options.get("values") == "labels" else _("codes"))
                     + f" ({options.get('lang', 'fr')})")
    if options.get("partial"):
        parts.append(_("with responses in progress"))
    if options.get("filters"):
        parts.append(_("filters:") + " " + ", ".join(f"{k} {v}" for k, v in options["filters"].items()))
    return ", ".join(parts)


def filename(round_: Round, kind: str, today: date, options: ExportOptions | None = None) -> str:
    """evalapp-<round>-<kind>[-<filters>][-excel|-analysis]-<date>.csv (or .xlsx, .sav, .dta), ASCII only so every
    browser and OS keeps it."""
    ascii_title = unicodedata.normalize("NFKD", round_.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-").lower()[:50] or f"round-{round_.id}"
    parts = [slug, kind]
    if options is not None:
        parts += [re.sub(r"[^A-Za-z0-9]+", "-", v).lower() for v in options.filters.as_args().values()]
        if options.partial:
            parts.append("with-partial")
        # A workbook, an SPSS or a Stata file comes in one kind only: nothing to tell apart in its name.
        if not options.typed and not options.for_spreadsheet:
            parts.append("analysis")  # exact values: the name warns before anyone opens it in Excel
        elif not options.typed and options.delimiter == ";" and options.bom:
            parts.append("excel")  # beside a file of the same export for other tools
    extension = options.format if options is not None else ExportFormat.CSV
    return f"evalapp-{'-'.join(parts)}-{today.isoformat()}.{extension}"





#: The responses the files read and their answers, for the API (evalapp/api), which reads them a page at a time.
response_query = _response_query
answers_of = _answers_of
