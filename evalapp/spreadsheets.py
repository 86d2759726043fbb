"""One CSV writer for every file we hand out: cells neutralised against formula injection.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a
formula. Following OWASP, such text gets a leading apostrophe; numbers stay numbers.
Files meant for analysis tools (R, Python, SPSS, Stata), which run nothing, keep every
value exactly as typed instead: ``neutralise=False``.

Headers are always quoted, so that a reader guessing the separator from the first line
(pandas' ``sep=None``, Python's csv.Sniffer) is not misled by commas in question texts.
"""
import csv
import io
from collections.abc import Iterable

from flask import Response, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def exact_cell(value, decimal: str = "."):
    """Return the value as a CSV cell, exactly as typed: for files read by analysis tools."""
    if value.__class__ is int:  # most cells of a wide file: scores and 0/1 options
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and decimal != ".":
        return repr(value).replace(".", decimal)
    if isinstance(value, int | float):
        return value
    return str(value)


def safe_cell(value, decimal: str = "."):
    """Return the value as a CSV cell: text that a spreadsheet would run is made inert."""
    if value.__class__ is int:  # the commonest cells first, without a call: the writer sets the export's pace
        return value
    if value is None:
        return ""
    cell = value if value.__class__ is str else exact_cell(value, decimal)
    if cell.__class__ is str and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_text(headers: list[str], rows: Iterable[Iterable], delimiter: str = ";", bom: bool = True,
             decimal: str = ".", neutralise: bool = True) -> Iterable[str]:
    """Yield the CSV file piece by piece (header first), so it can be streamed.

    ``decimal`` is the decimal mark of numbers with a fractional part ("," for a French spreadsheet).
    ``neutralise`` is for files that may be opened in a spreadsheet; without it, every value is
    written exactly as typed, for analysis tools.
    """
    cell = safe_cell if neutralise else exact_cell
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if bom:
        yield "\ufeff"
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerow(
        [cell(h) for h in headers])
    for row in rows:
        writer.writerow([cell(v, decimal) for v in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_download(text_pieces: Iterable[str], name: str) -> Response:
    """Stream a CSV file (the pieces of :func:`csv_text`) to the browser as a download named ``name``."""
    return Response(stream_with_context(text_pieces), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def file_download(pieces: Iterable[str | bytes], name: str, content_type: str) -> Response:
    """Stream a file (CSV text, or the bytes of a workbook, an SPSS or a Stata file) as a download named ``name``."""
    return Response(stream_with_context(pieces), content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
