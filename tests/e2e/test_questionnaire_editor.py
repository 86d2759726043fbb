"""An organiser makes the next version of the questionnaire in a browser, with scripts on and off: copies it,
rewords a question, adds a multiple choice asked under a condition, has it translated, previews it as the
partner in English, publishes it, runs a round on it that an authority answers, and reads it in the
dashboard and the export; the rounds on earlier versions are left as they were."""
import csv
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import QuestionnaireVersion, Round
from evalapp.questionnaires.loader import checksum, definition_of
from tests.e2e.conftest import CHROMIUM_ARGS, log_in  # noqa: F401  (the browser's settings)
from tests.respond.helpers import valid_answer

REWORDED = "Les décisions du partenariat sont prises ensemble, d'égal à égal."
QUESTION = "Dans quels domaines le partenariat agit-il ?"
TRANSLATED = "In which fields does the partnership work?"
OPTIONS = "water | Eau et assainissement\nschools | Écoles\nnone | Aucun de ces domaines | | exclusive"
ENGLISH = {"water": "Water and sanitation", "schools": "Schools", "none": "None of these fields"}


@pytest.fixture(params=["scripts on", "scripts off"])
def organiser(request, browser, live_server):
    context = browser.new_context(java_script_enabled=request.param == "scripts on", accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server["url"])
                  else route.abort())
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.scripts = request.param == "scripts on"
    yield page
    context.close()
    assert errors == []


def _versions(live_server) -> dict:
    with live_server["app"].app_context():
        return {v.version: (v.id, v.checksum) for v in db.session.scalars(
            select(QuestionnaireVersion).where(QuestionnaireVersion.code == "aict"))}


def test_a_new_version_from_the_browser_to_the_dashboard(organiser, browser, live_server):
    page, url = organiser, live_server["url"]
    before = _versions(live_server)
    with live_server["app"].app_context():
        demo_round = db.session.get(Round, live_server["round_id"])
        demo_version = demo_round.questionnaire_version_id
    log_in(page, live_server)

    # Copy the latest version into a draft.
    page.goto(url + "/o/questionnaires")
    page.locator("tbody tr").first.get_by_role("button", name="Copier dans une nouvelle version").click()
    page.wait_for_url("**/o/drafts/*")
    draft_url = page.url.split("#")[0]
    new_number = max(before) + 1
    assert f"à publier en version {new_number}" in page.content()

    # Reword a question.
    page.locator("#item-REC_01").get_by_role("link", name="Modifier").click()
    page.fill("#text_fr", REWORDED)
    page.get_by_role("button", name="Enregistrer la question").click()
    page.wait_for_url(draft_url + "#item-REC_01")

    # Add a multiple choice, asked only when REC_01 is 4 or more; its English is left to the translator.
    page.select_option("#type-reciprocity", "multiple")
    page.locator("#section-reciprocity").get_by_role("button", name="Ajouter une question à cette page").click()
    code = page.input_value("#code")
    page.fill("#text_fr", QUESTION)
    page.fill("#options", OPTIONS)
    # The condition, built from rules: each step draws the form again, what was typed kept. Without scripts
    # the rule's "Update" button takes the step; with them, choosing in a list takes it, the focus kept.
    page.get_by_role("button", name="Ajouter une règle").click()
    expect(page.locator("#rule-0-subject")).to_be_attached()
    page.wait_for_load_state()  # the builder's script is there
    expect(page.locator("#rule-0-subject")).to_be_focused()  # the new rule's first choice, brought into view
    update = page.get_by_role("button", name="Mettre à jour la règle 1")
    for step, choice in (("#rule-0-subject", "REC_01"), ("#rule-0-operator", "at_least")):
        page.select_option(step, choice)
        if page.scripts:
            expect(page.locator("#when-builder-live")).to_have_text("Les choix de la règle ont été mis à jour.")
            expect(page.locator(step)).to_be_focused()
            expect(update).to_be_hidden()
        else:
            update.click()
    page.select_option("#rule-0-value", "4")
    assert page.input_value("#text_fr") == QUESTION and page.input_value("#options") == OPTIONS
    # Enter in a field saves the question (not a step of the rules).
    page.press("#code", "Enter")
    page.wait_for_url(f"{draft_url}#item-{code}")
    assert "Posée seulement si : REC_01 vaut au moins 4" in page.locator(f"#item-{code}").inner_text()
    assert "À corriger avant de publier" in page.content()  # the English is missing

    # The translator's spreadsheet, filled in and sent back.
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les textes pour la traduction (xlsx)").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    for row in book.active.iter_rows(min_row=2):
        where = row[0].value
        if where == f"item {code} text":
            row[2].value = TRANSLATED
        elif where.startswith(f"item {code} option "):
            row[2].value = ENGLISH[where.rsplit(" ", 1)[1]]
    filled = download.value.path().with_suffix(".filled.xlsx")
    book.save(filled)
    page.set_input_files("#texts_file", filled)
    page.locator("form", has=page.locator("#texts_file")).get_by_role("button", name="Envoyer").click()
    page.wait_for_url(draft_url + "#translated-texts")
    assert "Aucun problème trouvé" in page.content() and "textes modifiés" in page.content()

    # The preview, as the partner in English: the new question follows REC_01.
    page.select_option("#side", "partner")
    page.select_option("#lang", "en")
    page.get_by_role("button", name="Aperçu comme un répondant").click()
    page.wait_for_url("**/preview?**")
    page.goto(page.url + "&page=reciprocity")
    frame = page.locator(".preview-frame")
    assert frame.get_attribute("lang") == "en"
    assert TRANSLATED in frame.text_content() and "Water and sanitation" in frame.text_content()
    question = page.locator(f"#q-{code}")
    page.check('input[name="REC_01"][value="2"]')
    if page.scripts:
        assert question.is_hidden()
        page.check('input[name="REC_01"][value="5"]')
        assert question.is_visible()
    else:
        # Without scripts the question is drawn with a note saying when to answer it.
        assert "Answer only if" in page.locator(f"#note-{code}").inner_text()
        page.get_by_role("button", name="Show the questions these answers ask").click()
        assert page.locator('input[name="REC_01"][value="2"]').is_checked()

    # Publish: a version that rounds may now use.
    page.goto(draft_url)
    page.get_by_role("link", name=f"Publier en version {new_number}…").click()
    page.wait_for_url(draft_url + "/publish")
    assert "la version est figée" in page.content()
    page.get_by_role("button", name=f"Publier en version {new_number}").click()
    page.wait_for_url("**/o/questionnaires")
    assert f"Publié en version {new_number}" in page.content()

    # A round on it, answered by an authority.
    page.goto(url + "/o/rounds/new")
    page.fill("#title", f"Tour sur la v{new_number}")
    page.locator("#questionnaire_version_id").select_option(label=page.locator(
        "#questionnaire_version_id option", has_text=f"(v{new_number})").inner_text())
    page.get_by_role("button", name="Créer le tour").click()
    page.wait_for_url("**/invite")
    round_id = int(page.url.split("/rounds/")[1].split("/")[0])
    page.fill("#q", "Sendai")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("button", name="Inviter les deux côtés").click()
    page.wait_for_url("**/o/rounds/*")
    link = page.locator("input.link").first.input_value()
    with live_server["app"].app_context():
        version = db.session.get(Round, round_id).questionnaire_version
        definition = definition_of(version)
        side = next(i.side for i in db.session.get(Round, round_id).invitations if link.endswith(i.token))
    assert definition.items_by_code["REC_01"].text.fr == REWORDED
    assert definition.items_by_code[code].options[0].label.en == "Water and sanitation"
    _answer_everything(browser, link, definition, side, code, scripts=page.scripts)

    # The dashboard charts it, the export has its column.
    page.goto(f"{url}/o/rounds/{round_id}/dashboard")
    assert page.locator(f"#choice-{code}").count() == 1
    page.goto(f"{url}/o/rounds/{round_id}/export")
    with page.expect_download() as download:
        page.get_by_role("button", name="Excel (points-virgules, accents conservés)").click()
    with open(download.value.path(), encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(io.StringIO(f.read()), delimiter=";"))
    assert len(rows) == 1 and any(key.startswith(code) for key in rows[0]) and "REC_01" in rows[0]

    # The versions before it, and the rounds on them, are as they were.
    after = _versions(live_server)
    assert {number: after[number] for number in before} == before
    with live_server["app"].app_context():
        assert db.session.get(Round, live_server["round_id"]).questionnaire_version_id == demo_version
        assert checksum(definition_of(db.session.get(QuestionnaireVersion, demo_version))) == after[
            next(n for n, (i, _c) in after.items() if i == demo_version)][1]
    page.goto(f"{url}/o/rounds/{live_server['round_id']}/dashboard")
    assert page.locator(f"#choice-{code}").count() == 0


def _answer_everything(browser, link, definition, side, code, scripts):
    """An authority answers every page asked with sample answers (REC_01 at 4, so the new question is asked)."""
    context = browser.new_context(java_script_enabled=scripts)
    page = context.new_page()
    page.goto(link)
    page.check('input[name="respondent_role"][value="elected"]')
    page.locator("form[action$='/start'] button[type=submit]").click()
    while "/p/" in page.url:
        section = definition.section(side, page.url.rsplit("/p/", 1)[1].split("?")[0])
        for item in section.items_for(side):
            if page.locator(f"#q-{item.code}").count() and page.locator(f"#q-{item.code}").is_visible():
                for name, value in valid_answer(item).items():
                    for v in value if isinstance(value, list) else [value]:
                        if page.locator(f'input[name="{name}"][type=radio], input[name="{name}"][type=checkbox]').count():
                            page.check(f'input[name="{name}"][value="{v}"]')
                        else:
                            page.fill(f'[name="{name}"]', str(v))
        page.get_by_role("button", name="Suivant", exact=True).click()
        page.wait_for_load_state()
    assert page.url.endswith("/review"), page.url
    assert QUESTION in page.content()
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.wait_for_url(link)
    context.close()
