"""The questionnaire editor read in French and in English: its words, the history, the problems, the conditions."""
import re

from tests.organiser.test_questionnaire_editor import _copy
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
