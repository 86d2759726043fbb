"""The one CSV writer: formula injection neutralised (OWASP), numbers left as numbers."""
import csv
import io

import pytest

from evalapp.spreadsheets import csv_text, safe_cell


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("Ville de Lyon", "Ville de Lyon"),
    ("a=b", "a=b"),
    (-5, -5),
    (-2.5, -2.5),
    (0, 0),
    (None, ""),
    (True, 1),
])
def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe(value, expected):
    assert safe_cell(value) == expected


def test_writer_streams_and_quotes_what_needs_quoting():
    rows = [["é, è; « »", 'He said "yes"\nthen left', -3]] * 5000
    pieces = list(csv_text(["a", "b", "c"], rows, delimiter=";", bom=True))
    assert len(pieces) > 2  # written as it goes, not in one piece
    text = "".join(pieces)
    assert text.startswith("\ufeffa;b;c\r\n")
    parsed = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))
    assert parsed[1] == ["é, è; « »", 'He said "yes"\nthen left', "-3"]
    assert len(parsed) == 5001
