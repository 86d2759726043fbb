"""Exports: wide, long, codebook and pairs; options; round trip; the page, the log and the CLI."""
import csv
import io
import re
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Answer, ExportRecord, Response, ResponseStatus, Round
from evalapp.reporting import export as exports
from evalapp.reporting.aggregate import Filters
from evalapp.reporting.export import ExportOptions
from tests.reporting.fixtures import RECIPROCITY, answered_cond_round, build_round
from tests.respond.helpers import AICT, csrf_token

TRICKY = 'Réponse « longue », avec des ; et des "guillemets"\net un retour à la ligne — fin.'


@pytest.fixture
def made(app, round_id):
    made = build_round(app, round_id)
    with app.app_context():
        response_id = made["Lyon"][0]
        db.session.add_all([
            Answer(response_id=response_id, item_code="STO_01", text_value=TRICKY),
            Answer(response_id=response_id, item_code="PRO_02", number_value=12500),
            Answer(response_id=response_id, item_code="PRO_05", number_value=2.5),
            Answer(response_id=response_id, item_code="PRO_01", choice="commune"),
        ])
        db.session.commit()
    return made


def run(app, round_id, kind="wide", **options):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        return "".join(exports.export(round_, kind, ExportOptions(**options)))


def read(text, delimiter=","):
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter))


def by_authority(rows):
    return {row["authority"]: row for row in rows}


def test_wide_has_one_row_per_response_and_one_column_per_item_code_in_order(app, round_id, made):
    text = run(app, round_id)
    rows = read(text)
    header = next(csv.reader(io.StringIO(text)))
    assert header[:11] == exports.FIXED
    assert len(rows) == 4
    # Items in questionnaire order; options of a multiple choice and matrix cells have columns of their own.
    assert header.index("PRO_01") < header.index("PRO_06__cuf") < header.index("IMP_01_SOC_TER") < header.index("STO_01")
    assert {"PRO_06__cuf", "PRO_06__other", "PRO_06__other_text", "IMP_01_CUL_BTW"} <= set(header)
    grenoble, lyon = by_authority(rows)["Ville de Grenoble"], by_authority(rows)["Ville de Lyon"]
    assert grenoble["PRO_06__cuf"] == "1" and grenoble["PRO_06__ccre_cemr"] == "1" and grenoble["PRO_06__uclg"] == "0"
    assert grenoble[RECIPROCITY[0]] == "dk" and grenoble[RECIPROCITY[1]] == "5"
    assert lyon["PRO_06__other"] == "1" and lyon["PRO_06__other_text"] == "<b>Réseau</b> =SUM(A1)"
    assert lyon["IMP_01_SOC_TER"] == "3" and lyon["PRO_02"] == "12500" and lyon["PRO_05"] == "2.5"
    assert grenoble["status"] == "submitted" and grenoble["side"] == "home" and re.match(r"\d{4}-\d\d-\d\dT", grenoble["submitted_at"])


@pytest.mark.parametrize("delimiter, bom", [(",", False), (";", True), (";", False), (",", True)])
def test_values_round_trip_through_csv_and_pandas(app, round_id, made, delimiter, bom):
    text = run(app, round_id, delimiter=delimiter, bom=bom)
    assert text.startswith("\ufeff") == bom
    assert by_authority(read(text, delimiter))["Ville de Lyon"]["STO_01"] == TRICKY
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, encoding_errors="strict", keep_default_na=False,
                        dtype=str).rename(columns=lambda c: c.removeprefix("\ufeff"))
    lyon = frame[frame["authority"] == "Ville de Lyon"].iloc[0]
    assert lyon["STO_01"] == TRICKY and lyon["PRO_02"] == "12500"
    numbers = pd.read_csv(io.StringIO(text), sep=delimiter).rename(columns=lambda c: c.removeprefix("\ufeff"))
    assert numbers["PRO_06__cuf"].dtype.kind == "i" and set(numbers["PRO_06__cuf"]) == {0, 1}


def test_formulas_in_every_text_column_are_neutralised(app, round_id, made):
    from evalapp.models import Authority

    with app.app_context():
        authority = db.session.scalar(select(Authority).where(Authority.name == "Ville de Lyon"))
        authority.name, authority.region = "=cmd|' /C calc'!A0", "+33 region"
        db.session.add(Answer(response_id=made["Lyon"][0], item_code="STO_02", text_value="@SUM(1+1)"))
        db.session.commit()
    for kind in ("wide", "long", "pairs"):
        text = run(app, round_id, kind)
        for cell in (cell for row in csv.reader(io.StringIO(text)) for cell in row):
            assert not cell.startswith(("=", "+", "@")), (kind, cell)
    lyon = read(run(app, round_id))[2]
    assert lyon["authority"] == "'=cmd|' /C calc'!A0" and lyon["region"] == "'+33 region" and lyon["STO_02"] == "'@SUM(1+1)"


def test_options_headers_as_text_values_as_labels_in_english(app, round_id, made):
    text = run(app, round_id, headers="text", values="labels", lang="en")
    header = next(csv.reader(io.StringIO(text)))
    rec_01 = AICT.items_by_code[RECIPROCITY[1]]
    assert "Authority" in header and rec_01.text.en in header
    row = {h: v for h, v in zip(header, next(r for r in list(csv.reader(io.StringIO(text)))[1:] if r[1] == "Ville de Grenoble"), strict=True)}
    assert row[rec_01.text.en] == dict(AICT.scale_labels(rec_01.scale, "en"))[5]
    assert row["Type"] == "Commune"
    french = run(app, round_id, values="labels", lang="fr")
    assert "Ne sait pas / non concerné" in french


def test_partial_responses_and_filters(app, round_id, made):
    with app.app_context():
        response = db.session.get(Response, made["Tombouctou"][0])
        response.status, response.submitted_at = ResponseStatus.IN_PROGRESS, None
        db.session.commit()
    assert len(read(run(app, round_id))) == 3
    assert len(read(run(app, round_id, partial=True))) == 4
    assert [r["authority"] for r in read(run(app, round_id, filters=Filters(country="FR")))] == ["Ville de Grenoble", "Ville de Lyon"]
    assert [r["side"] for r in read(run(app, round_id, filters=Filters(side="partner")))] == ["partner"]


def test_long_codebook_and_pairs_agree_with_the_wide_file_and_the_dashboard(app, round_id, made):
    wide_text = run(app, round_id)
    wide_header = next(csv.reader(io.StringIO(wide_text)))
    codebook = read(run(app, round_id, "codebook"))
    assert [r["column"] for r in codebook] == wide_header
    rec = next(r for r in codebook if r["column"] == RECIPROCITY[0])
    assert rec["theme"] == "reciprocity" and rec["type"] == "scale" and "dk = " in rec["values"]
    assert rec["question_fr"] == AICT.items_by_code[RECIPROCITY[0]].text.fr
    long_rows = read(run(app, round_id, "long"))
    with app.app_context():
        answers = db.session.scalar(select(db.func.count()).select_from(Answer))
    assert len(long_rows) == answers
    scored = [r for r in long_rows if r["item_code"] == RECIPROCITY[1]]
    assert sorted(r["value"] for r in scored) == ["1", "3", "5", "dk"]
    pairs = read(run(app, round_id, "pairs"))
    grenoble = next(r for r in pairs if r["A__authority"] == "Ville de Grenoble")
    assert float(grenoble["gap__reciprocity"]) == 100 and float(grenoble["A__index__reciprocity"]) == 100
    assert grenoble[f"A__{RECIPROCITY[1]}"] == "5" and grenoble[f"B__{RECIPROCITY[1]}"] == "1"


def test_excel_button_downloads_semicolons_with_bom_and_logs_the_export(app, orga, round_id, made):
    page = orga.get(f"/o/rounds/{round_id}/export?country=FR")
    assert page.status_code == 200 and 'name="country" value="FR"' in page.text
    response = orga.post(f"/o/rounds/{round_id}/export", data={
        "csrf_token": csrf_token(page.text), "layout": "wide", "preset": "excel", "headers": "codes", "values": "codes",
        "lang": "fr", "delimiter": ",", "country": "FR"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="evalapp-tour-test-2026-wide-fr-excel-{date.today().isoformat()}.csv"'
    text = response.get_data(as_text=True)
    assert text.startswith('\ufeff"response_id";"authority";')
    assert len(read(text, ";")) == 2  # the dashboard's filter applied
    log = orga.get(f"/o/rounds/{round_id}/export").text
    assert "orga@example.org" in log and "country FR" in log and "point-virgule, BOM" in log
    assert "<td>format large</td>" in log  # the file's kind in the page's language, not its code
    with app.app_context():
        entry = db.session.scalar(select(ExportRecord))
        assert entry.kind == "wide" and entry.options["bom"] is True and entry.options["filters"] == {"country": "FR"}


def test_the_command_line_writes_the_same_file(app, orga, runner, round_id, made, tmp_path):
    page = orga.get(f"/o/rounds/{round_id}/export")
    web = orga.post(f"/o/rounds/{round_id}/export", data={
        "csrf_token": csrf_token(page.text), "layout": "long", "preset": "custom", "headers": "codes",
        "values": "labels", "lang": "en", "delimiter": ","}).get_data(as_text=True)
    out = tmp_path / "long.csv"
    result = runner.invoke(args=["export", str(round_id), "--kind", "long", "--values", "labels", "--lang", "en",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().decode("utf-8") == web
    assert runner.invoke(args=["export", "999999"]).exit_code == 1


def test_semicolon_files_write_decimals_with_a_comma_for_a_french_spreadsheet(app, round_id, made):
    lyon = by_authority(read(run(app, round_id, delimiter=";"), ";"))["Ville de Lyon"]
    assert lyon["PRO_05"] == "2,5" and lyon["PRO_02"] == "12500"
    frame = pd.read_csv(io.StringIO(run(app, round_id, delimiter=";")), sep=";", decimal=",")
    assert frame.loc[frame["authority"] == "Ville de Lyon", "PRO_05"].iloc[0] == 2.5


def test_labels_cover_side_role_and_status(app, round_id, made):
    grenoble = by_authority(read(run(app, round_id, values="labels")))["Ville de Grenoble"]
    assert (grenoble["side"], grenoble["status"]) == ("initiateur", "répondu")


def test_long_file_leaves_the_side_empty_without_a_partnership(app, round_id, made):
    from evalapp.invitations import invite
    from evalapp.models import Authority

    with app.app_context():
        alone = Authority(name="Ville seule", kind="commune", country="FR")
        response = invite(db.session.get(Round, round_id), alone).response
        response.status = ResponseStatus.SUBMITTED
        db.session.add(Answer(response=response, item_code="PRO_03", number_value=2001))
        db.session.commit()
    rows = [r for r in read(run(app, round_id, "long")) if r["authority"] == "Ville seule"]
    assert rows and all(r["side"] == "" for r in rows)
    assert by_authority(read(run(app, round_id)))["Ville seule"]["side"] == ""


def test_the_excel_button_keeps_the_in_progress_option(app, orga, round_id, made):
    with app.app_context():
        response = db.session.get(Response, made["Tombouctou"][0])
        response.status, response.submitted_at = ResponseStatus.IN_PROGRESS, None
        db.session.commit()
    page = orga.get(f"/o/rounds/{round_id}/export")
    text = orga.post(f"/o/rounds/{round_id}/export", data={
        "csrf_token": csrf_token(page.text), "layout": "wide", "preset": "excel", "headers": "codes",
        "values": "codes", "lang": "fr", "delimiter": ",", "partial": "y"}).get_data(as_text=True)
    assert len(read(text, ";")) == 4


# --- Two variants: for a spreadsheet (formulas neutralised) and for analysis tools (exact) -------

#: What researchers' respondents type, that a spreadsheet would run as a formula.
TYPED = {"STO_01": "-1+2", "STO_02": "+33 1 23 45 67 89", "PRO_06__other_text": "@SUM(A1)"}


@pytest.fixture
def typed(app, round_id, made):
    """Lyon's texts start like formulas: its name, its region, two answers and its "other" text."""
    from evalapp.models import Authority

    with app.app_context():
        authority = db.session.scalar(select(Authority).where(Authority.name == "Ville de Lyon"))
        authority.name, authority.region = "=Ville de Lyon", "\tRhône"
        db.session.execute(db.delete(Answer).where(Answer.response_id == made["Lyon"][0], Answer.text_value.is_not(None)))
        db.session.add_all([
            Answer(response_id=made["Lyon"][0], item_code="STO_01", text_value=TYPED["STO_01"]),
            Answer(response_id=made["Lyon"][0], item_code="STO_02", text_value=TYPED["STO_02"]),
            Answer(response_id=made["Lyon"][0], item_code="PRO_06", choice="other", text_value=TYPED["PRO_06__other_text"]),
        ])
        db.session.commit()
    return {"authority": "=Ville de Lyon", "region": "\tRhône", **TYPED}


def test_files_for_analysis_tools_give_every_value_exactly_as_typed(app, round_id, typed):
    lyon = next(r for r in read(run(app, round_id, target="analysis")) if r["authority"].endswith("Ville de Lyon"))
    assert {column: lyon[column] for column in typed} == typed
    assert lyon["PRO_02"] == "12500" and lyon["PRO_05"] == "2.5"
    long_cells = {cell for r in read(run(app, round_id, "long", target="analysis")) for cell in (r["value"], r["label"])}
    assert set(TYPED.values()) <= long_cells
    pairs = read(run(app, round_id, "pairs", target="analysis"))
    assert next(r for r in pairs if r["A__authority"] == typed["authority"])["A__STO_02"] == TYPED["STO_02"]
    # The same export for a spreadsheet neutralises them, as before.
    lyon = next(r for r in read(run(app, round_id)) if r["authority"].endswith("Ville de Lyon"))
    assert {column: lyon[column] for column in typed} == {column: "'" + value for column, value in typed.items()}


def test_analysis_files_keep_a_decimal_point_with_semicolons(app, round_id, made):
    lyon = by_authority(read(run(app, round_id, target="analysis", delimiter=";"), ";"))["Ville de Lyon"]
    assert lyon["PRO_05"] == "2.5"


@pytest.mark.parametrize("target", ["spreadsheet", "analysis"])
@pytest.mark.parametrize("delimiter, bom", [(",", False), (";", False), (";", True), (",", True)])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pandas_guesses_the_separator_of_files_with_question_text_headers(app, round_id, made, tmp_path, target,
                                                                          delimiter, bom, lang):
    """As the README says to read them: pandas.read_csv(path, sep=None, engine="python", encoding="utf-8-sig")."""
    chosen = {"headers": "text", "lang": lang, "delimiter": delimiter, "bom": bom, "target": target}
    with app.app_context():
        headers, _ = exports.wide(db.session.get(Round, round_id), ExportOptions(**chosen))
        codes, _ = exports.wide(db.session.get(Round, round_id), ExportOptions())
    assert sum("," in h for h in headers) > 10  # question texts with commas: the trap for the guess
    path = tmp_path / "export.csv"
    path.write_text(run(app, round_id, **chosen), encoding="utf-8", newline="")
    frame = pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == headers and len(frame) == 4
    lyon = frame[frame[headers[1]] == "Ville de Lyon"].iloc[0]
    assert lyon[headers[codes.index("STO_01")]] == TRICKY


def test_the_codebook_says_how_each_column_differs_in_files_for_a_spreadsheet(app, round_id, made):
    codebook = {row["column"]: row for row in read(run(app, round_id, "codebook"))}
    assert list(next(iter(codebook.values())))[-1] == "spreadsheet_files"
    for text_column in ("authority", "region", "STO_01", "PRO_06__other_text"):
        assert codebook[text_column]["spreadsheet_files"].startswith("a ' is put before a text starting with = + - @"), text_column
    for other in ("response_id", "PRO_02", "PRO_06__cuf", RECIPROCITY[0], "IMP_01_SOC_TER"):
        assert codebook[other]["spreadsheet_files"] == "unchanged", other


def test_the_analysis_button_the_log_the_file_name_and_the_command_line(app, orga, runner, round_id, typed, tmp_path):
    page = orga.get(f"/o/rounds/{round_id}/export")
    assert "Pour les outils d'analyse (R, Python, SPSS, Stata)" in page.text
    response = orga.post(f"/o/rounds/{round_id}/export", data={
        "csrf_token": csrf_token(page.text), "layout": "wide", "preset": "analysis", "headers": "codes",
        "values": "codes", "lang": "fr", "delimiter": ";", "target": "spreadsheet"})
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="evalapp-tour-test-2026-wide-analysis-{date.today().isoformat()}.csv"')
    web = response.get_data(as_text=True)
    assert not web.startswith("\ufeff") and typed["authority"] in {r["authority"] for r in read(web)}
    log = orga.get(f"/o/rounds/{round_id}/export").text
    assert "pour les outils d&#39;analyse, virgule" in log
    with app.app_context():
        assert db.session.scalar(select(ExportRecord)).options["target"] == "analysis"
    out = tmp_path / "wide.csv"
    result = runner.invoke(args=["export", str(round_id), "--for", "analysis", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().decode("utf-8") == web
    assert runner.invoke(args=["export", str(round_id), "--for", "analysis", "--excel"]).exit_code == 2


def test_the_options_form_makes_files_for_a_spreadsheet_unless_told_otherwise(app, orga, round_id, typed):
    page = orga.get(f"/o/rounds/{round_id}/export")
    assert re.search(r'<input checked[^>]*name="target"[^>]*value="spreadsheet"', page.text)
    form = {"csrf_token": csrf_token(page.text), "layout": "wide", "preset": "custom", "headers": "codes",
            "values": "codes", "lang": "fr", "delimiter": ","}
    neutralised = orga.post(f"/o/rounds/{round_id}/export", data=form).get_data(as_text=True)
    assert "'" + typed["authority"] in {r["authority"] for r in read(neutralised)}
    exact = orga.post(f"/o/rounds/{round_id}/export", data={**form, "target": "analysis"})
    assert typed["authority"] in {r["authority"] for r in read(exact.get_data(as_text=True))}
    assert "-analysis-" in exact.headers["Content-Disposition"]


@pytest.fixture
def cond_round(app, organiser_id):
    """cond-v1 answered by both sides of a partnership: home says there is no agreement (yet answers AGR_02
    on the page, scripts off), the partner says there is one."""
    return answered_cond_round(app, organiser_id)


def test_every_export_says_not_asked_apart_from_not_answered_and_don_t_know(app, cond_round):
    wide = {row["side"]: row for row in read(run(app, cond_round))}
    home, partner = wide["home"], wide["partner"]
    # AGR_02 answered 5 by home, but not asked: "no" agreement. HUM_01 depends on AGR_02, RES_* on the page
    # "results", AGR_04 on "culture", AGR_06 on the partner side.
    for code in ("AGR_02", "RES_01", "RES_02", "HUM_01", "AGR_04", "AGR_06"):
        assert home[code] == "not_asked", code
    assert (home["HUM_03"], home["HUM_02"], home["AGR_03__water"]) == ("", "dk", "1")  # not answered, don't know
    assert (partner["AGR_02"], partner["RES_01"], partner["HUM_01"], partner["HUM_03"]) == ("4", "4", "", "not_asked")
    labelled = by_authority(read(run(app, cond_round, values="labels", lang="fr")))["Ville de Grenoble"]
    assert (labelled["AGR_02"], labelled["HUM_02"]) == ("non posée", "Ne sait pas / non concerné")
    assert by_authority(read(run(app, cond_round, values="labels", lang="en")))["Ville de Grenoble"]["AGR_02"] == (
        "not asked")

    long = read(run(app, cond_round, kind="long"))
    home_long = {row["item_code"]: row for row in long if row["side"] == "home"}
    assert (home_long["AGR_02"]["value"], home_long["AGR_02"]["label"]) == ("not_asked", "non posée")
    assert "HUM_03" not in home_long  # asked, not answered: no row, as before
    assert "HUM_01" not in {row["item_code"] for row in long if row["side"] == "partner"}

    [pair] = read(run(app, cond_round, kind="pairs"))
    assert (pair["A__AGR_02"], pair["B__AGR_02"], pair["A__HUM_03"], pair["B__HUM_03"]) == ("not_asked", "4", "",
                                                                                          "not_asked")

    codebook = {row["column"]: row for row in read(run(app, cond_round, kind="codebook"))}
    assert 'not_asked = non posée / not asked (asked only when {"item": "AGR_01", "equals": "yes"})' in (
        codebook["AGR_02"]["values"])
    assert "not_asked" in codebook["RES_01"]["values"] and "not_asked" not in codebook["HUM_02"]["values"]


@pytest.mark.parametrize("file_format", ["csv", "sav"])
def test_an_export_leaves_the_garbage_collector_as_it_found_it(app, round_id, made, file_format):
    """An export spares the process's objects from full collections while it runs (export._sparing_collector);
    once it ends, or its download is cut midway, they are collected as before."""
    import gc

    with app.app_context():
        round_ = db.session.get(Round, round_id)
        pieces = exports.export(round_, "wide", ExportOptions(format=file_format))
        next(pieces)
        assert gc.get_freeze_count() > 0
        pieces.close()  # the browser went away
        assert gc.get_freeze_count() == 0
        assert "".join(map(str, exports.export(round_, "wide", ExportOptions(format=file_format))))
        assert gc.get_freeze_count() == 0
