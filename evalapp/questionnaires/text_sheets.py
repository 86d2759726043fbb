"""The translators' spreadsheet: a questionnaire's texts, one row each, French and English side by side.

The first column names each text (``item REC_01 text``) so that the file filled in comes back into a
draft (editing.with_texts); every cell is written as a string, so that a text beginning with ``=``
stays a text in the spreadsheet instead of becoming a formula.
"""
import io
import zipfile

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font

from evalapp.questionnaires.editing import texts_of

HEADERS = ("text", "fr", "en")
#: The largest file taken back (a questionnaire's texts fill well under 1 MB), and the most its parts
#: may unpack to: an xlsx is a zip, and a small one could unpack to gigabytes.
MAX_BYTES = 5_000_000
MAX_UNPACKED = 50_000_000


class SheetError(ValueError):
    """A file that is not the translators' spreadsheet."""


def workbook(document: dict) -> bytes:
    """The xlsx file of the document's texts."""
    book = Workbook()
    sheet = book.active
    sheet.title = "texts"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in texts_of(document):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            # Never a formula, whatever the text starts with.
            cell.data_type = TYPE_STRING
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["C"].width = 70
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(file) -> dict[str, tuple[str, str]]:
    """The texts of a translators' spreadsheet, by where they go: {where: (French, English)}."""
    content = file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise SheetError(_("The spreadsheet is too large for a questionnaire's texts."))
    try:
        if sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(content)).infolist()) > MAX_UNPACKED:
            raise SheetError(_("The spreadsheet is too large for a questionnaire's texts."))
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except SheetError:
        raise
    except Exception:  # zipfile and openpyxl raise many kinds for a file that is not xlsx
        raise SheetError(_("This file cannot be read as an xlsx spreadsheet.")) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = tuple(str(cell or "").strip().lower() for cell in next(rows, ())[:3])
    if header != HEADERS:
        raise SheetError(_("The first row must be “text | fr | en”, as in the downloaded spreadsheet."))
    texts = {}
    for row in rows:
        where, fr, en = (list(row[:3]) + [None, None, None])[:3]
        if where:
            texts[str(where).strip()] = (str(fr or "").strip(), str(en or "").strip())
    book.close()
    return texts
