"""One Excel workbook writer (.xlsx) for every file we hand out as a workbook: typed cells, streamed.

Where a CSV file for a spreadsheet must guard texts that look like formulas with an apostrophe
(evalapp/spreadsheets.py), a workbook says what each cell is: numbers are numbers, dates are
dates, and text is text, so a text starting with ``=`` is stored as typed and never runs.
XlsxWriter writes it in its constant-memory mode: each row goes to a temporary file as soon as
the next one starts, so memory stays flat whatever the number of rows; the workbook is whole
(a zip) only once closed, so it is written to a file, then sent or stored.

Each sheet has its header row frozen and filtered, and columns as wide as their header and
their first rows need (within bounds). A sheet holds at most Excel's 1,048,576 rows; the rows
beyond go on to a sheet of the same name numbered "(2)", "(3)"..., each with its header.
"""
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

#: The most rows a sheet of Excel holds (header included).
MAX_ROWS = 1_048_576
#: Column widths (in characters) are measured on this many rows, then kept.
MEASURED_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 6, 50
#: A sheet's name is at most 31 characters, without []:*?/\.
MAX_SHEET_NAME = 31


class Sheet:
    """One sheet to write: its name, its header and its rows (plain values: int, float, str, datetime, None)."""

    def __init__(self, name: str, headers: list[str], rows: Iterable[Iterable]):
        self.name, self.headers, self.rows = name, headers, rows


def write_workbook(path: Path | str, sheets: list[Sheet]) -> None:
    """Write the sheets, in order, into the workbook ``path``."""
    workbook = xlsxwriter.Workbook(str(path), {
        "constant_memory": True,
        # Text stays text: nothing typed is turned into a formula, a number or a link.
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
    })
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DCE6F1", "bottom": 1}),
        "moment": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "day": workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }
    try:
        for sheet in sheets:
            _write_sheet(workbook, sheet, formats)
    finally:
        workbook.close()


def _write_sheet(workbook, sheet: Sheet, formats: dict) -> None:
    headers = sheet.headers
    widths = [min(max(len(h), MIN_WIDTH), MAX_WIDTH) for h in headers]
    part, worksheet, r = 1, _new_sheet(workbook, sheet.name, 1, headers, formats), 0
    number, string, moment = _cell_writers(worksheet)
    for row in sheet.rows:
        r += 1
        if r == MAX_ROWS:
            _finish(worksheet, headers, r - 1, widths)
            part += 1
            worksheet, r = _new_sheet(workbook, sheet.name, part, headers, formats), 1
            number, string, moment = _cell_writers(worksheet)
        measured = r <= MEASURED_ROWS and part == 1
        for c, value in enumerate(row):
            kind = value.__class__
            if kind is int or kind is float:
                number(r, c, value)
            elif kind is str:
                if value:
                    string(r, c, value)
            elif value is None:
                continue
            elif kind is datetime:
                moment(r, c, value, formats["moment"])
            elif kind is date:
                moment(r, c, value, formats["day"])
            elif kind is bool:
                number(r, c, int(value))
            elif isinstance(value, int | float):
                number(r, c, value)
            else:
                string(r, c, str(value))
            if measured:
                length = 19 if kind is datetime else len(value) if kind is str else len(str(value))
                if length > widths[c]:
                    widths[c] = min(length, MAX_WIDTH)
    _finish(worksheet, headers, r, widths)


def _cell_writers(worksheet) -> tuple:
    """The worksheet's writers of a number, a text and a date, each called as (row, column, value[, format])."""
    # The public write_number, write_string and write_datetime first try each call's arguments as "A1"
    # notation (a decorator), which costs about as much as writing the cell; the rows here always give
    # numbers, so the methods they call, the same since XlsxWriter 1.0, write each cell in half the time
    # (the workbook's export stays within 3x the CSV's, issue 17). The public ones if they ever go.
    return tuple(getattr(worksheet, f"_write_{kind}", getattr(worksheet, f"write_{kind}"))
                 for kind in ("number", "string", "datetime"))


def _new_sheet(workbook, name: str, part: int, headers: list[str], formats: dict):
    suffix = f" ({part})" if part > 1 else ""
    worksheet = workbook.add_worksheet(name[:MAX_SHEET_NAME - len(suffix)] + suffix)
    for c, header in enumerate(headers):
        worksheet.write_string(0, c, header, formats["header"])
    return worksheet


def _finish(worksheet, headers: list[str], last_row: int, widths: list[int]) -> None:
    """The header row frozen and filtered, the columns' widths: kept apart from the rows, set once they are written."""
    if not headers:
        return
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, last_row, len(headers) - 1)
    for c, width in enumerate(widths):
        worksheet.set_column(c, c, width + 1)
