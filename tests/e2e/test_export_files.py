"""An organiser downloads the demo round as an Excel workbook, an SPSS and a Stata file in Chromium; each opens
with its labels (openpyxl, pyreadstat), as in the organiser's own tools."""
import openpyxl
import pyreadstat

from tests.e2e.conftest import log_in
from tests.respond.helpers import DEMO_AICT as AICT


def test_the_demo_round_downloads_as_a_workbook_spss_and_stata_each_with_its_labels(page, live_server, tmp_path):
    log_in(page, live_server)
    page.goto(f"{live_server['url']}/o/rounds/{live_server['round_id']}/export")
    files = {}
    for name, file_format in (("Classeur Excel (.xlsx)", "xlsx"), ("SPSS (.sav)", "sav"), ("Stata (.dta)", "dta")):
        with page.expect_download() as download:
            page.get_by_role("button", name=name).click()
        assert download.value.suggested_filename.endswith(f".{file_format}")
        files[file_format] = tmp_path / download.value.suggested_filename
        download.value.save_as(files[file_format])

    book = openpyxl.load_workbook(files["xlsx"])
    assert book.sheetnames == ["Responses", "Codebook"]
    rows = list(book["Responses"].iter_rows(values_only=True))
    assert len(rows) > 10 and isinstance(rows[1][0], int) and any("é" in row[1] for row in rows[1:])
    scale = next(item for item in AICT.items_by_code.values() if item.type == "scale")
    assert scale.code in rows[0] and {row[rows[0].index(scale.code)] for row in rows[1:]} <= {1, 2, 3, 4, 5, "dk", None}

    for file_format, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        frame, meta = read(str(files[file_format]))
        assert len(frame) == len(rows) - 1
        labels = meta.variable_value_labels[scale.code]
        assert {k: v for k, v in labels.items() if k in range(1, 6)} == dict(AICT.scale_labels(scale.scale, "fr"))
        assert meta.column_names_to_labels[scale.code].startswith(scale.text.fr[:40])
        assert frame[scale.code].dropna().between(1, 5).all()  # "don't know" is missing, not a score
