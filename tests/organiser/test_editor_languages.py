"""The questionnaire editor read in French and in English: its words, the history, the problems, the conditions."""
import html
import io
import re

import yaml
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import DraftSave
from tests.organiser.test_questionnaire_editor import _copy, _form_data, _versions
from tests.respond.helpers import csrf_token


def _in_english(orga):
    orga.post("/language", data={"csrf_token": csrf_token(orga.get("/o/").text), "lang": "en", "next": "/o/"})


def _history_headers(html: str) -> list[str]:
    history = html[html.index('id="history"'):]
    return re.findall(r'<th scope="col">([^<]*)</th>', history)


def test_the_history_columns_are_named_with_nouns(app, orga):
    draft_id = _copy(app, orga)
    page = orga.get(f"/o/drafts/{draft_id}").text
    assert _history_headers(page) == ["Enregistrement", "Modification", "Par", "Date", "Retour en arrière"]
    assert '<h2 id="publish-heading">Publication</h2>' in page
    _in_english(orga)
    page = orga.get(f"/o/drafts/{draft_id}").text
    assert _history_headers(page) == ["Save", "Change", "By", "When", "Undo"]
    assert '<h2 id="publish-heading">Publish</h2>' in page


def _history_changes(html: str) -> list[str]:
    history = html[html.index('id="history"'):]
    return re.findall(r'<td id="save-\d+">\d+</td><td>(.*?)</td>', history)


def test_the_history_says_each_change_in_the_readers_language(app, orga):
    draft_id = _copy(app, orga)
    page = orga.get(f"/o/drafts/{draft_id}/items/REC_01")
    data = _form_data(page.text)
    data["text_fr"] = "Les décisions sont prises ensemble."
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=data).status_code == 303
    draft = orga.get(f"/o/drafts/{draft_id}").text
    orga.post(f"/o/drafts/{draft_id}/items/REC_01/move", data={
        "csrf_token": csrf_token(draft), "based_on": "2", "direction": "down"})
    orga.post(f"/o/drafts/{draft_id}/undo/1", data={"csrf_token": csrf_token(draft), "based_on": "3"})

    assert _history_changes(orga.get(f"/o/drafts/{draft_id}").text) == [
        "Retour à l’enregistrement 1", "Question REC_01 déplacée", "Question REC_01 modifiée", "Copie de aict v2"]
    _in_english(orga)
    assert _history_changes(orga.get(f"/o/drafts/{draft_id}").text) == [
        "Back to save 1", "Question REC_01 moved", "Question REC_01 changed", "Copy of aict v2"]


def test_a_save_made_before_changes_were_kept_shows_its_summary(app, orga):
    draft_id = _copy(app, orga)
    with app.app_context():
        saved = db.session.scalar(select(DraftSave).filter_by(draft_id=draft_id))
        saved.change, saved.change_params = None, None
        saved.summary = "Copy of aict v2, <b>as written then</b>"
        db.session.commit()
    assert _history_changes(orga.get(f"/o/drafts/{draft_id}").text) == ["Copy of aict v2, &lt;b&gt;as written then&lt;/b&gt;"]


def _problems(page: str, list_id: str) -> list[str]:
    shown = re.search(rf'id="{list_id}">(.*?)</ul>', page, re.S)[1]
    return [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip())
            for item in re.findall(r"<li>(.*?)</li>", shown, re.S)]


def test_a_drafts_problems_name_the_place_in_the_readers_words_and_language(app, orga):
    draft_id = _copy(app, orga)
    data = _form_data(orga.get(f"/o/drafts/{draft_id}/items/REC_01").text)
    data["text_en"] = ""
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=data).status_code == 303
    french = _problems(orga.get(f"/o/drafts/{draft_id}").text, "draft-problem-list")
    assert french == ["Question REC_01 — texte de la question, en anglais : vide"]
    _in_english(orga)
    english = _problems(orga.get(f"/o/drafts/{draft_id}").text, "draft-problem-list")
    assert english == ["Question REC_01 — text of the question, in English: empty"]


def test_an_uploaded_files_problems_are_in_the_readers_language_and_the_command_keeps_its_paths(app, orga, runner,
                                                                                                  tmp_path):
    versions = _versions(app)
    document = yaml.safe_load(orga.get(f"/o/questionnaires/{versions[('aict', 2)]}/definition.yaml").data)
    first = document["sections"][0]
    first["items"][0]["type"] = "slider"
    first["items"][1]["options"] = [{"code": "Yes", "label": {"fr": "Oui", "en": "Yes"}}]
    first["title"]["fr"] = ""
    broken = yaml.safe_dump(document, allow_unicode=True)

    def upload():
        page = orga.get("/o/questionnaires")
        response = orga.post("/o/questionnaires/upload", data={
            "csrf_token": csrf_token(page.text), "file": (io.BytesIO(broken.encode()), "broken.yaml")})
        assert response.status_code == 422
        return _problems(response.text, "upload-problem-list")

    code_0, code_1, page = first["items"][0]["code"], first["items"][1]["code"], first["code"]
    french = upload()
    assert f"Page {page}, titre, en français : vide" in french
    assert any(p.startswith(f"Question {code_0} — type de question : devrait être l’un de : 'scale'") for p in french)
    assert any(p.startswith(f"Question {code_1} — option Yes, code : pas écrit comme un code") for p in french)
    _in_english(orga)
    english = upload()
    assert f"Page {page}, title, in French: empty" in english
    assert any(p.startswith(f"Question {code_0} — type of question: should be one of: 'scale'") for p in english)

    # The command line, for the file's author: the path and pydantic's words, in English.
    path = tmp_path / "aict-v2.yaml"
    path.write_text(broken, encoding="utf-8")
    result = runner.invoke(args=["questionnaire", "check", str(path)])
    assert result.exit_code == 1
    assert f"aict-v2.yaml: item {code_0}: type: Input should be 'scale'" in result.output
    assert "aict-v2.yaml: sections.0.title.fr: String should have at least 1 character" in result.output


def _card_tags(page: str, code: str) -> str:
    return re.search(rf'<li id="item-{code}".*?<span class="muted">(.*?)</span>', page, re.S)[1]


def test_a_question_asked_of_one_side_says_so_before_and_after_it_is_edited_and_bounds_stay_as_typed(app, orga):
    draft_id = _copy(app, orga)
    page = orga.get(f"/o/drafts/{draft_id}").text
    assert _card_tags(page, "PRO_02") == "Nombre"  # both sides, the default: not said
    data = _form_data(orga.get(f"/o/drafts/{draft_id}/items/PRO_02").text)
    data.pop("side_home")
    assert orga.post(f"/o/drafts/{draft_id}/items/PRO_02", data=data).status_code == 303
    data = _form_data(orga.get(f"/o/drafts/{draft_id}/items/PRO_03").text)
    assert (data["min"], data["max"]) == ("1945", "2030")  # a year, as typed: not 1945.0
    assert orga.post(f"/o/drafts/{draft_id}/items/PRO_03", data=data).status_code == 303

    page = orga.get(f"/o/drafts/{draft_id}").text
    assert _card_tags(page, "PRO_02") == "Nombre, partenaire seulement"
    assert _card_tags(page, "PRO_03") == "Nombre, obligatoire"
    assert _form_data(orga.get(f"/o/drafts/{draft_id}/items/PRO_02").text)["max"] == "300000000"
    _in_english(orga)
    assert _card_tags(orga.get(f"/o/drafts/{draft_id}").text, "PRO_02") == "Number, partner only"


def _condition_shown(page: str, code: str) -> str:
    card = re.search(rf'<li id="item-{code}".*?</li>', page, re.S)[0]
    return html.unescape(re.search(r'<p class="muted">((?:Posée|Asked)[^<]*)</p>', card)[1])


def test_conditions_read_as_sentences_in_the_pages_language(app, orga):
    draft_id = _copy(app, orga)
    data = _form_data(orga.get(f"/o/drafts/{draft_id}/items/REC_02").text)
    data["condition_mode"] = "text"  # rules inside rules: the builder leaves them to the text field
    data["when"] = ("{all: [{item: REC_01, at_least: 4}, {any: [{side: partner}, {partnership: false}]},"
                    " {item: PRO_01, in: [commune, other]}]}")
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_02", data=data).status_code == 303
    page = orga.get(f"/o/drafts/{draft_id}").text
    assert _condition_shown(page, "REC_02") == (
        "Posée seulement si : REC_01 vaut au moins 4 et (l’invitation est pour le côté partenaire ou la collectivité est invitée seule) "
        "et PRO_01 est « Commune (ou municipalité) » (commune) ou « other »")
    _in_english(orga)
    page = orga.get(f"/o/drafts/{draft_id}").text
    assert _condition_shown(page, "REC_02") == (
        "Asked only when: REC_01 is at least 4 and (the invitation is for the partner side or the authority is invited on its own) "
        "and PRO_01 is “Municipality (city, town, commune)” (commune) or “other”")
