"""One CSV writer for every file we hand out: cells neutralised against formula injection.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a
formula. Following OWASP, such text gets a leading apostrophe; numbers stay numbers.
"""
import csv
import io
from collections.abc import Iterable

from flask import Response, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value, decimal: str = "."):
    """Return the value as a CSV cell: text that a spreadsheet would run is made inert."""
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
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(headers: list[str], rows: Iterable[Iterable], delimiter: str = ";", bom: bool = True,
             decimal: str = ".") -> Iterable[str]:
    """Yield the CSV file piece by piece (header first), so it can be streamed.

    ``decimal`` is the decimal mark of numbers with a fractional part ("," for a French spreadsheet).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if bom:
        yield "\ufeff"
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v, decimal) for v in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_download(text_pieces: Iterable[str], name: str) -> Response:
    """Stream a CSV file (the pieces of :func:`csv_text`) to the browser as a download named ``name``."""
    return Response(stream_with_context(text_pieces), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
