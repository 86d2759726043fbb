"""The questionnaire editor read in French and in English: its words, the history, the problems, the conditions."""
import re

from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import DraftSave
from tests.organiser.test_questionnaire_editor import _copy, _form_data
from tests.respond.helpers import csrf_token


def _in_english(orga):
    orga.post("/language", data={"csrf_token": csrf_token(orga.get("/o/").text), "lang": "en", "next": "/o/"})


def _history_headers(html: str) -> list[str]:
    history = html[html.index('id="history"'):]
    return re.findall(r'<th scope="col">([^<]*)</th>', history)


def test_the_history_columns_are_named_with_nouns(app, orga):
    draft_id = _copy(app, orga)
    assert _history_headers(orga.get(f"/o/drafts/{draft_id}").text) == [
        "Enregistrement", "Modification", "Par", "Quand", "Retour en arrière"]
    _in_english(orga)
    assert _history_headers(orga.get(f"/o/drafts/{draft_id}").text) == ["Save", "Change", "By", "When", "Undo"]


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
