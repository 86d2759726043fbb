"""The one CSV writer: formula injection neutralised (OWASP), numbers left as numbers."""
import csv
import io

import pytest

from evalapp.spreadsheets import csv_text, exact_cell, safe_cell


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


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+33 1 23 45 67 89", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_files_for_analysis_tools_keep_text_exactly_as_typed(value):
    assert exact_cell(value) == value
    text = "".join(csv_text(["a", "b"], [[value, -2.5]], delimiter=",", bom=False, neutralise=False))
    assert list(csv.reader(io.StringIO(text, newline="")))[1] == [value, "-2.5"]


def test_writer_streams_and_quotes_what_needs_quoting():
    rows = [["é, è; « »", 'He said "yes"\nthen left', -3]] * 5000
    pieces = list(csv_text(["a", "b", "c"], rows, delimiter=";", bom=True))
    assert len(pieces) > 2  # written as it goes, not in one piece
    text = "".join(pieces)
    assert text.startswith('\ufeff"a";"b";"c"\r\n')  # headers quoted, for readers that guess the separator
    parsed = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))
    assert parsed[1] == ["é, è; « »", 'He said "yes"\nthen left', "-3"]
    assert len(parsed) == 5001


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("headers", [
    ["Réponse", "Collectivité", "Quelle part du budget, selon vous ?", "Avec qui, et depuis quand ?"],
    ["Réponse", "Qui ; et pourquoi", "Quand, où ?", 'Le "partenaire", en deux mots', "l'action — fin"],
])
def test_pandas_guesses_the_separator_from_the_quoted_header(tmp_path, delimiter, headers):
    """pandas.read_csv(sep=None) guesses from the first line alone: commas in question texts must not mislead it."""
    import pandas as pd

    row = [1, "texte, avec; tout"] + ["x"] * (len(headers) - 2)
    path = tmp_path / "file.csv"
    path.write_text("".join(csv_text(headers, [row], delimiter=delimiter, bom=False)), encoding="utf-8", newline="")
    frame = pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False)
    assert list(frame.columns) == headers and frame.iloc[0].tolist() == [str(v) for v in row]
