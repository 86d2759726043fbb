"""Exports as files that keep types and labels: Excel workbooks, SPSS and Stata files, each read back by the
library that reads it (openpyxl, pyreadstat, pandas), and the workbook by LibreOffice where it is installed."""
import csv
import io
import math
import shutil
import subprocess
from datetime import date, datetime

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import select

from evalapp import workbooks
from evalapp.extensions import db
from evalapp.models import Answer, Authority, ExportRecord, Response, ResponseStatus, Round
from evalapp.reporting import export as exports
from evalapp.reporting import stats_files
from evalapp.reporting.export import ExportOptions
from tests.reporting.fixtures import RECIPROCITY, answered_cond_round, build_round
from tests.respond.helpers import AICT, csrf_token

#: What respondents and organisers type, that a spreadsheet would run or a file could mangle.
TYPED = {
    "STO_01": '=SUM(A1:A9) « récit » avec des "guillemets", des ; et\nun retour à la ligne <b>gras</b> &amp;',
    "STO_02": "+33 1 23 45 67 89",
    "PRO_06__other_text": "@cmd|' /C calc'!A0 — Réseau\ttabulé",
}
LYON = "=Ville de Lyon"
#: The value labelled "not asked" in each format.
NOT_ASKED = {"sav": -9, "dta": "b"}


@pytest.fixture
def made(app, round_id):
    """The round of tests/reporting/fixtures.py; Lyon's name starts like a formula, and its texts are TYPED."""
    made = build_round(app, round_id)
    with app.app_context():
        lyon = made["Lyon"][0]
        db.session.scalar(select(Authority).where(Authority.name == "Ville de Lyon")).name = LYON
        db.session.execute(db.delete(Answer).where(Answer.response_id == lyon, Answer.text_value.is_not(None)))
        db.session.add_all([
            Answer(response_id=lyon, item_code="STO_01", text_value=TYPED["STO_01"]),
            Answer(response_id=lyon, item_code="STO_02", text_value=TYPED["STO_02"]),
            Answer(response_id=lyon, item_code="PRO_06", choice="other", text_value=TYPED["PRO_06__other_text"]),
            Answer(response_id=lyon, item_code="PRO_02", number_value=12500),
            Answer(response_id=lyon, item_code="PRO_05", number_value=2.5),
            Answer(response_id=lyon, item_code="PRO_01", choice="commune"),
        ])
        db.session.commit()
    return made


def made_file(app, round_id, tmp_path, kind="wide", **options):
    """Write the export into a file as a download would, and return its path."""
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        options = ExportOptions(**options)
        path = tmp_path / exports.filename(round_, kind, date.today(), options)
        path.write_bytes(b"".join(exports.export(round_, kind, options)))
    return path


def sheet_rows(path, sheet):
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


def by_name(rows, column="authority"):
    header = rows[0]
    return {row[header.index(column)]: dict(zip(header, row, strict=True)) for row in rows[1:]}


# --- Excel workbooks ------------------------------------------------------------------------------


def test_a_workbook_types_every_cell_and_keeps_every_text_as_typed(app, round_id, made, tmp_path):
    path = made_file(app, round_id, tmp_path, format="xlsx")
    assert path.name.endswith(".xlsx") and "-excel-" not in path.name
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Responses", "Codebook"]
    sheet = book["Responses"]
    rows = list(sheet.iter_rows(values_only=True))
    with app.app_context():
        headers, _ = exports.wide(db.session.get(Round, round_id), ExportOptions())
    assert list(rows[0]) == headers and len(rows) == 5
    lyon, grenoble = by_name(rows)[LYON], by_name(rows)["Ville de Grenoble"]
    # Texts exactly as typed: no apostrophe, nothing run; each cell stored as a text, not a formula.
    assert {code: lyon[code] for code in TYPED} == TYPED
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert all(cells[text].data_type == "s" for text in (LYON, *TYPED.values()))
    # Numbers are numbers, dates are dates, empty is empty.
    assert (lyon["PRO_02"], lyon["PRO_05"], lyon["IMP_01_SOC_TER"], lyon["PRO_06__other"]) == (12500, 2.5, 3, 1)
    assert (grenoble[RECIPROCITY[0]], grenoble[RECIPROCITY[1]], grenoble["PRO_06__uclg"]) == ("dk", 5, 0)
    assert isinstance(lyon["submitted_at"], datetime) and lyon["response_id"] == made["Lyon"][0]
    assert grenoble["STO_02"] is None and grenoble["respondent_role"] is None
    # The header row frozen and filtered over every row; columns as wide as their header, texts within bounds.
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(headers)).column_letter}5"
    widths = {sheet.cell(1, n + 1).value: sheet.column_dimensions[sheet.cell(1, n + 1).column_letter].width
              for n in range(len(headers))}
    assert widths["response_id"] >= len("response_id") and widths["STO_01"] <= workbooks.MAX_WIDTH + 2
    assert widths["authority"] >= len("Ville de Ouagadougou")
    # The codebook beside the data, one row per column; no word of apostrophes, which a workbook never adds.
    codebook = sheet_rows(path, "Codebook")
    assert [row[0] for row in codebook[1:]] == headers and "spreadsheet_files" not in codebook[0]


def test_a_workbook_for_every_kind_with_the_options_of_csv(app, round_id, made, tmp_path):
    with app.app_context():
        response = db.session.get(Response, made["Tombouctou"][0])
        response.status, response.submitted_at = ResponseStatus.IN_PROGRESS, None
        db.session.commit()
    rec_01 = AICT.items_by_code[RECIPROCITY[1]]
    english = sheet_rows(made_file(app, round_id, tmp_path, headers="text", values="labels", lang="en", format="xlsx"),
                         "Responses")
    assert rec_01.text.en in english[0] and len(english) == 4  # submitted only
    row = dict(zip(english[0], next(r for r in english if r[1] == "Ville de Grenoble"), strict=True))
    assert row[rec_01.text.en] == dict(AICT.scale_labels(rec_01.scale, "en"))[5] and row["Type"] == "Commune"
    assert len(sheet_rows(made_file(app, round_id, tmp_path, partial=True, format="xlsx"), "Responses")) == 5
    from evalapp.reporting.aggregate import Filters
    filtered = sheet_rows(made_file(app, round_id, tmp_path, filters=Filters(country="FR"), format="xlsx"), "Responses")
    assert sorted(r[1] for r in filtered[1:]) == [LYON, "Ville de Grenoble"]

    long_book = openpyxl.load_workbook(made_file(app, round_id, tmp_path, "long", format="xlsx"))
    assert long_book.sheetnames == ["Answers", "Codebook"]
    long_rows = list(long_book["Answers"].iter_rows(values_only=True))
    assert ("=SUM" in str(r) for r in long_rows)
    assert {(r[3], r[5]) for r in long_rows[1:] if r[1] == LYON} >= {("STO_01", TYPED["STO_01"]), ("PRO_02", 12500)}
    pairs = sheet_rows(made_file(app, round_id, tmp_path, "pairs", format="xlsx"), "Pairs")
    grenoble = by_name(pairs, "A__authority")["Ville de Grenoble"]
    assert grenoble["gap__reciprocity"] == 100 and grenoble[f"A__{RECIPROCITY[1]}"] == 5
    codebook_book = openpyxl.load_workbook(made_file(app, round_id, tmp_path, "codebook", format="xlsx"))
    assert codebook_book.sheetnames == ["Codebook"]


def test_rows_beyond_what_a_sheet_holds_go_on_to_the_next_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_ROWS", 3)  # a header and two rows a sheet
    path = tmp_path / "long.xlsx"
    workbooks.write_workbook(path, [workbooks.Sheet("Answers", ["n", "text"], ([n, f"={n}"] for n in range(5))),
                                    workbooks.Sheet("Codebook", ["column"], [["n"], ["text"]])])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Answers", "Answers (2)", "Answers (3)", "Codebook"]
    assert [list(book[name].iter_rows(values_only=True)) for name in book.sheetnames[:3]] == [
        [("n", "text"), (0, "=0"), (1, "=1")], [("n", "text"), (2, "=2"), (3, "=3")], [("n", "text"), (4, "=4")]]
    assert book["Answers (2)"].freeze_panes == "A2" and book["Answers (3)"].auto_filter.ref == "A1:B2"


LIBREOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(not LIBREOFFICE, reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
def test_libreoffice_opens_the_workbook_with_its_values(app, round_id, made, tmp_path):
    path = made_file(app, round_id, tmp_path, format="xlsx")
    # Its first sheet as CSV (UTF-8, comma, quoted texts): what LibreOffice read, cell by cell.
    result = subprocess.run(
        [LIBREOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
         'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true', "--outdir", str(tmp_path / "out"), str(path)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    [converted] = (tmp_path / "out").glob("*.csv")
    rows = list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"), newline="")))
    lyon = by_name(rows)[LYON]
    assert {code: lyon[code] for code in TYPED} == TYPED
    assert (lyon["PRO_02"], lyon["PRO_05"], lyon["IMP_01_SOC_TER"]) == ("12500", "2.5", "3")
    assert lyon["submitted_at"].startswith(str(date.today().year)) and len(rows) == 5


# --- SPSS and Stata ---------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["sav", "dta"])
def test_spss_and_stata_files_hold_the_wide_file_with_its_labels(app, round_id, made, tmp_path, file_format):
    path = made_file(app, round_id, tmp_path, format=file_format, lang="en")
    read = pyreadstat.read_sav if file_format == "sav" else pyreadstat.read_dta
    frame, meta = read(str(path))
    with app.app_context():
        headers, _ = exports.wide(db.session.get(Round, round_id), ExportOptions())
    assert list(frame.columns) == headers and len(frame) == 4
    lyon = frame[frame["authority"] == LYON].iloc[0]
    grenoble = frame[frame["authority"] == "Ville de Grenoble"].iloc[0]
    # Texts exactly as typed; numbers; times.
    assert {code: lyon[code] for code in TYPED} == TYPED
    assert (lyon["PRO_02"], lyon["PRO_05"], lyon["IMP_01_SOC_TER"]) == (12500, 2.5, 3)
    assert isinstance(lyon["submitted_at"], datetime | pd.Timestamp) and lyon["response_id"] == made["Lyon"][0]
    # Variable labels: the question in the chosen language (Stata keeps 80 characters).
    rec_01 = AICT.items_by_code[RECIPROCITY[1]]
    label = meta.column_names_to_labels[RECIPROCITY[1]]
    assert label == rec_01.text.en if len(rec_01.text.en) <= 80 else rec_01.text.en.startswith(label[:-1])
    assert meta.column_names_to_labels["authority"] == "Authority"
    # Value labels for every scale and choice; a multiple choice as 0/1 variables labelled with their option.
    scale = meta.variable_value_labels[RECIPROCITY[1]]
    assert {int(k): v for k, v in scale.items() if not isinstance(k, str) and k > 0} == dict(
        AICT.scale_labels(rec_01.scale, "en"))
    assert grenoble[RECIPROCITY[1]] == 5 and grenoble["PRO_06__cuf"] == 1 and grenoble["PRO_06__uclg"] == 0
    assert meta.variable_value_labels["PRO_06__cuf"] == {0: "No", 1: "Yes", NOT_ASKED[file_format]: "not asked"}
    assert meta.column_names_to_labels["PRO_06__cuf"].startswith(AICT.items_by_code["PRO_06"].text.en[:40])
    single = meta.variable_value_labels["PRO_01"]
    pro_01 = AICT.items_by_code["PRO_01"]
    assert single[lyon["PRO_01"]] == pro_01.option_label("commune", "en")
    # The codebook gives each option's number in these files.
    with app.app_context():
        _, rows = exports.codebook(db.session.get(Round, round_id), ExportOptions())
        values = next(row for row in rows if row[0] == "PRO_01")[6]
    commune = pro_01.options[0]
    assert commune.code == "commune"
    assert f"commune = {commune.label.fr} / {commune.label.en} ({int(lyon['PRO_01'])} in .sav/.dta)" in values
    # "Don't know" is missing, not a number that enters a mean: Grenoble's one dk leaves 5 out of 5.
    assert math.isnan(grenoble[RECIPROCITY[0]])
    assert frame[RECIPROCITY[1]].mean() == pytest.approx((5 + 1 + 3) / 3)
    dk_frame, dk_meta = read(str(path), user_missing=True)
    dk = dk_frame[dk_frame["authority"] == "Ville de Grenoble"].iloc[0][RECIPROCITY[0]]
    assert dk == (-8 if file_format == "sav" else "a")
    assert dk_meta.variable_value_labels[RECIPROCITY[0]][dk] == "Don't know / not applicable"
    # pandas reads them too.
    if file_format == "dta":
        by_pandas = pd.read_stata(path, convert_categoricals=False)
    else:
        by_pandas = pd.read_spss(path, convert_categoricals=False) if hasattr(pd, "read_spss") else frame
    assert by_pandas[by_pandas["authority"] == LYON].iloc[0]["STO_01"] == TYPED["STO_01"]
    if file_format == "dta":
        # As the README reads it: scales become their labels, number items stay numbers.
        plain = pd.read_stata(path)
        assert plain[RECIPROCITY[1]].dropna().iloc[0] in dict(AICT.scale_labels(rec_01.scale, "en")).values()
        assert plain["PRO_02"].dtype.kind == "f" and plain["PRO_02"].max() == 12500


@pytest.fixture
def cond_round(app, organiser_id):
    """cond-v1 answered by both sides: home says there is no agreement, so AGR_02 and what follows are not asked."""
    return answered_cond_round(app, organiser_id)


@pytest.mark.parametrize("file_format", ["sav", "dta"])
def test_not_asked_and_don_t_know_are_declared_missing_values_apart_from_unanswered(app, cond_round, tmp_path,
                                                                                  file_format):
    path = made_file(app, cond_round, tmp_path, format=file_format)
    read = pyreadstat.read_sav if file_format == "sav" else pyreadstat.read_dta
    frame, meta = read(str(path), user_missing=True)
    home, partner = (frame[frame["side"] == side].iloc[0] for side in ("home", "partner"))
    dk, not_asked = (-8, -9) if file_format == "sav" else ("a", "b")
    assert (home["AGR_02"], home["RES_01"], home["HUM_02"]) == (not_asked, not_asked, dk)
    assert math.isnan(home["HUM_03"]) and partner["AGR_02"] == 4 and partner["HUM_03"] == not_asked
    assert meta.variable_value_labels["AGR_02"][not_asked] == "non posée"
    assert meta.variable_value_labels["HUM_02"][dk] == "Ne sait pas / non concerné"
    if file_format == "sav":
        assert {-8.0, -9.0} == {r["lo"] for r in meta.missing_ranges["HUM_02"]}
    else:
        assert "a" in meta.missing_user_values["HUM_02"] and "b" in meta.missing_user_values["AGR_02"]
    # Read as an analyst reads them, both are missing: no -8 or -9 in a mean.
    plain, _ = read(str(path))
    assert plain["AGR_02"].dropna().tolist() == [4] and plain["HUM_02"].isna().all()


def test_variable_names_are_made_valid_for_spss_and_stata():
    codes = ["REC_01", "1st", "with", "a-b", "é_x", "x" * 70, "x" * 70, "_all"]
    spss = stats_files.variable_names(codes, "sav")
    stata = stats_files.variable_names(codes, "dta")
    assert spss[:5] == ["REC_01", "v_1st", "v_with", "a_b", "__x".replace("__x", "v___x")]
    assert len(spss[5]) == 64 and spss[5] != spss[6] and len(spss[6]) <= 64
    assert all(len(name) <= 32 for name in stata) and stata[5] != stata[6] and stata[7] == "v__all"
    assert len(set(n.lower() for n in spss)) == len(codes)


def test_stata_keeps_long_texts_and_truncates_labels_it_cannot_hold(app, round_id, made, tmp_path):
    story = "Récit " + "é" * 4990
    with app.app_context():
        db.session.execute(db.update(Answer).where(Answer.response_id == made["Lyon"][0], Answer.item_code == "STO_01")
                           .values(text_value=story))
        db.session.commit()
    for file_format, read in (("dta", pyreadstat.read_dta), ("sav", pyreadstat.read_sav)):
        frame, meta = read(str(made_file(app, round_id, tmp_path, format=file_format)))
        assert frame[frame["authority"] == LYON].iloc[0]["STO_01"] == story
        labels = meta.column_names_to_labels.values()
        if file_format == "dta":
            assert max(len(label) for label in labels) <= 80 and any(label.endswith("…") for label in labels)
        else:
            assert max(len(label.encode()) for label in labels) <= 256


# --- The page, the log and the command line -------------------------------------------------------------


def post_export(orga, round_id, **fields):
    page = orga.get(f"/o/rounds/{round_id}/export")
    return orga.post(f"/o/rounds/{round_id}/export", data={
        "csrf_token": csrf_token(page.text), "layout": "wide", "headers": "codes", "values": "codes", "lang": "fr",
        "delimiter": ",", **fields})


@pytest.mark.parametrize("file_format, content_type", [
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("sav", "application/x-spss-sav"), ("dta", "application/x-stata-dta")])
def test_the_export_page_downloads_each_format_and_logs_it(app, orga, round_id, made, tmp_path, file_format,
                                                         content_type):
    page = orga.get(f"/o/rounds/{round_id}/export").text
    assert f'name="preset" value="{file_format}"' in page
    response = post_export(orga, round_id, preset=file_format, values="labels", lang="en", country="FR")
    assert response.status_code == 200 and response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="evalapp-tour-test-2026-wide-fr-{date.today().isoformat()}.{file_format}"')
    path = tmp_path / f"download.{file_format}"
    path.write_bytes(response.get_data())
    if file_format == "xlsx":
        rows = sheet_rows(path, "Responses")
        assert sorted(r[1] for r in rows[1:]) == [LYON, "Ville de Grenoble"]
        assert by_name(rows)[LYON]["authority_type"] == "Commune"  # values as labels, in English
    else:
        frame, meta = (pyreadstat.read_sav if file_format == "sav" else pyreadstat.read_dta)(str(path))
        assert sorted(frame["authority"]) == [LYON, "Ville de Grenoble"]
        assert meta.variable_value_labels["PRO_06__cuf"] == {0: "No", 1: "Yes", NOT_ASKED[file_format]: "not asked"}
    log = orga.get(f"/o/rounds/{round_id}/export").text
    expected = {"xlsx": "Classeur Excel (.xlsx)", "sav": "SPSS (.sav)", "dta": "Stata (.dta)"}[file_format]
    assert expected in log and "country FR" in log
    with app.app_context():
        entry = db.session.scalar(select(ExportRecord))
        assert entry.options["format"] == file_format and entry.status == "complete"


def test_spss_and_stata_of_another_file_than_the_wide_one_are_refused_at_the_choice_of_file(app, orga, round_id,
                                                                                          made):
    for file_format in ("sav", "dta"):
        response = post_export(orga, round_id, preset=file_format, layout="long")
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert "Les fichiers SPSS et Stata contiennent le fichier large" in response.text
        assert 'id="layout-error"' in response.text
    assert post_export(orga, round_id, preset="xlsx", layout="long").headers["Content-Type"].startswith(
        "application/vnd.openxmlformats")
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ExportRecord)) == 1


def test_the_command_line_writes_each_format(app, runner, round_id, made, tmp_path):
    for file_format in ("xlsx", "sav", "dta"):
        out = tmp_path / f"wide.{file_format}"
        result = runner.invoke(args=["export", str(round_id), "--format", file_format, "--lang", "en", "-o", str(out)])
        assert result.exit_code == 0, result.output
        if file_format == "xlsx":
            assert by_name(sheet_rows(out, "Responses"))[LYON]["STO_01"] == TYPED["STO_01"]
        else:
            frame, _ = (pyreadstat.read_sav if file_format == "sav" else pyreadstat.read_dta)(str(out))
            assert frame[frame["authority"] == LYON].iloc[0]["STO_01"] == TYPED["STO_01"]
    refused = runner.invoke(args=["export", str(round_id), "--format", "sav", "--kind", "long"])
    assert refused.exit_code == 2 and "wide file only" in refused.output
    assert runner.invoke(args=["export", str(round_id), "--format", "xlsx", "--excel"]).exit_code == 2
