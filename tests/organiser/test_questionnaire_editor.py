"""Questionnaires written in the browser: drafts, their saves and conflicts, publishing, versions."""
import copy
import io
import re
import zipfile
from datetime import UTC

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import func, select

from evalapp.clock import PARIS, today
from evalapp.extensions import db
from evalapp.models import DraftSave, Organiser, QuestionnaireDraft, QuestionnaireVersion, Round
from evalapp.questionnaires import drafts, editing, text_sheets
from evalapp.questionnaires.loader import load_all
from tests.factories import create_organiser, create_partnership_invitations, login
from tests.respond.helpers import DEMO_AICT, csrf_token, start


def _versions(app) -> dict:
    with app.app_context():
        load_all()
        db.session.commit()
        return {(v.code, v.version): v.id for v in db.session.scalars(select(QuestionnaireVersion))}


def _copy(app, orga, version=2) -> int:
    version_id = _versions(app)[("aict", version)]
    page = orga.get("/o/questionnaires")
    response = orga.post(f"/o/questionnaires/{version_id}/copy", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 303
    return int(re.search(r"/o/drafts/(\d+)", response.location)[1])


def _form_data(html: str) -> dict:
    """The values of a form page's inputs, textareas and selects, as a browser would send them."""
    data = {}
    for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', html):
        data.setdefault(name, value)
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="checkbox"' in tag:
            name = re.search(r'name="([^"]+)"', tag)[1]
            if " checked" in tag:
                data[name] = "y"
            else:
                data.pop(name, None)
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = _unescape(value.removeprefix("\r\n").removeprefix("\n"))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body) or re.search(r'<option value="([^"]*)"', body)
        data[name] = chosen[1]
    return data


def _unescape(text: str) -> str:
    return (text.replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&quot;", '"').replace("&amp;", "&"))


def _document(app, draft_id) -> dict:
    with app.app_context():
        return db.session.get(QuestionnaireDraft, draft_id).latest.document


def test_copy_reword_add_a_question_with_a_condition_and_publish(app, orga):
    draft_id = _copy(app, orga)
    draft_page = orga.get(f"/o/drafts/{draft_id}")
    assert draft_page.status_code == 200 and "à publier en version 3" in draft_page.text

    # Reword an item: its code stays.
    page = orga.get(f"/o/drafts/{draft_id}/items/REC_01")
    data = _form_data(page.text)
    assert data["code"] == "REC_01" and data["type"] == "scale"
    data["text_fr"] = "Les décisions sont prises ensemble, <b>vraiment</b>."
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=data).status_code == 303

    # A multiple choice asked only when REC_01 is at least 4.
    page = orga.get(f"/o/drafts/{draft_id}/sections/reciprocity/items/new?type=multiple")
    data = _form_data(page.text)
    code = data["code"]
    assert code.startswith("REC_") and data["type"] == "multiple"
    assert data["condition_mode"] == "rules"  # the rule builder (tests/organiser/test_condition_builder.py)
    data.update({"text_fr": "Quels domaines ?", "text_en": "Which fields?", "rule-0-subject": "REC_01",
                 "rule-0-operator": "at_least", "rule-0-value": "4", "other": "y",
                 "options": "water | Eau | Water\nschools | Écoles | Schools\nnone | Aucun | None | exclusive"})
    response = orga.post(f"/o/drafts/{draft_id}/sections/reciprocity/items/new", data=data)
    assert response.status_code == 303, response.text
    item = editing.item_of(_document(app, draft_id), code)
    assert item["options"][2] == {"code": "none", "label": {"fr": "Aucun", "en": "None"}, "exclusive": True}
    assert item["when"] == {"item": "REC_01", "at_least": 4} and item["other"] is True

    page = orga.get(f"/o/drafts/{draft_id}")
    assert "Aucun problème trouvé" in page.text
    # Organisers' texts are inert.
    assert "&lt;b&gt;vraiment&lt;/b&gt;" in page.text and "<b>vraiment" not in page.text
    response = orga.post(f"/o/drafts/{draft_id}/publish", data={"csrf_token": csrf_token(page.text),
                                                                "based_on": _based_on(page.text)})
    assert response.status_code == 303
    with app.app_context():
        version = db.session.scalar(select(QuestionnaireVersion).filter_by(code="aict", version=3))
        assert any(row.code == code and row.type == "multiple" for row in version.items)
        assert db.session.get(QuestionnaireDraft, draft_id).published_version_id == version.id
    # Published: frozen, and offered to new rounds.
    assert orga.get(f"/o/drafts/{draft_id}/items/REC_01").status_code == 303
    assert "(v3)" in orga.get("/o/rounds/new").text


def _based_on(html: str) -> str:
    return re.search(r'name="based_on"[^>]*value="(\d+)"', html)[1]

def _upload_into(orga, draft_id: int, content: bytes, name: str, **kwargs):
    """Upload a definition file into a draft from its page, as the page's form does."""
    page = orga.get(f"/o/drafts/{draft_id}")
    return orga.post(f"/o/drafts/{draft_id}/upload", data={
        "csrf_token": csrf_token(page.text), "based_on": _based_on(page.text),
        "definition_file": (io.BytesIO(content), name)}, **kwargs)

def _upload_texts(orga, draft_id: int, book):
    """Upload a translators' workbook into a draft from its page, as the page's form does."""
    out = io.BytesIO()
    book.save(out)
    page = orga.get(f"/o/drafts/{draft_id}")
    return orga.post(f"/o/drafts/{draft_id}/texts", data={
        "csrf_token": csrf_token(page.text), "based_on": _based_on(page.text),
        "texts_file": (io.BytesIO(out.getvalue()), "texts.xlsx")})




def test_an_item_the_format_refuses_is_not_saved_and_the_form_keeps_what_was_typed(app, orga):
    draft_id = _copy(app, orga)
    page = orga.get(f"/o/drafts/{draft_id}/sections/reciprocity/items/new?type=single")
    data = _form_data(page.text)
    data.update(text_fr="Une seule option ?", text_en="Only one option?", options="yes | Oui | Yes")
    response = orga.post(f"/o/drafts/{draft_id}/sections/reciprocity/items/new", data=data)
    assert response.status_code == 422
    assert "Une seule option ?" in response.text and 'class="field-error"' in response.text
    data["options"] = "yes"
    response = orga.post(f"/o/drafts/{draft_id}/sections/reciprocity/items/new", data=data)
    assert response.status_code == 422 and "Ligne 1 : écrivez" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DraftSave)) == 1


def test_two_organisers_never_erase_each_other_and_any_save_comes_back(app, orga):
    draft_id = _copy(app, orga)
    first = _form_data(orga.get(f"/o/drafts/{draft_id}/items/REC_01").text)
    second = dict(first)
    first["text_en"] = "Decisions are taken together (first)."
    second["text_en"] = "Decisions are taken jointly (second)."
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=first).status_code == 303
    refused = orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=second)
    assert refused.status_code == 409
    assert "le brouillon a changé entre-temps" in refused.text and "jointly (second)" in refused.text
    assert editing.item_of(_document(app, draft_id), "REC_01")["text"]["en"] == "Decisions are taken together (first)."
    # Saving again, knowingly, replaces it; every save is kept and any one can be brought back.
    again = _form_data(refused.text)
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=again).status_code == 303
    assert editing.item_of(_document(app, draft_id), "REC_01")["text"]["en"] == "Decisions are taken jointly (second)."
    page = orga.get(f"/o/drafts/{draft_id}")
    response = orga.post(f"/o/drafts/{draft_id}/undo/1", data={"csrf_token": csrf_token(page.text),
                                                               "based_on": _based_on(page.text)})
    assert response.status_code == 303
    with app.app_context():
        draft = db.session.get(QuestionnaireDraft, draft_id)
        assert draft.latest.number == 4 and draft.latest.summary == "Back to save 1"
        original = db.session.scalar(select(QuestionnaireVersion).filter_by(code="aict", version=2)).definition
        assert editing.item_of(draft.latest.document, "REC_01") == editing.item_of(original, "REC_01")


def test_buttons_on_a_stale_page_change_nothing(app, orga):
    draft_id = _copy(app, orga)
    stale = orga.get(f"/o/drafts/{draft_id}")
    token, based_on = csrf_token(stale.text), _based_on(stale.text)
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01/delete",
                     data={"csrf_token": token, "based_on": based_on}).status_code == 303
    response = orga.post(f"/o/drafts/{draft_id}/items/REC_02/delete", data={"csrf_token": token, "based_on": based_on},
                         follow_redirects=True)
    assert "Rien n’a été modifié" in response.text
    with app.app_context():
        saved_at = db.session.scalar(select(func.max(DraftSave.saved_at)).where(DraftSave.draft_id == draft_id))
    # When, in the organisers' time, as the pages say it.
    paris = saved_at.replace(tzinfo=UTC).astimezone(PARIS).strftime("%H:%M:%S")
    assert f"a enregistré ce brouillon à {paris}" in response.text
    document = _document(app, draft_id)
    assert editing.item_of(document, "REC_01") is None and editing.item_of(document, "REC_02") is not None


def test_a_draft_is_private_to_its_author_and_administrators(app, orga):
    draft_id = _copy(app, orga)
    create_organiser(app, "other@example.org")
    other = app.test_client()
    login(other, "other@example.org")
    assert other.get(f"/o/drafts/{draft_id}").status_code == 404
    assert "Draft" not in other.get("/o/questionnaires").text.split("Published versions")[0].split("<h2>")[-1]
    create_organiser(app, "admin@example.org", admin=True)
    admin = app.test_client()
    login(admin, "admin@example.org")
    assert admin.get(f"/o/drafts/{draft_id}").status_code == 200


def test_a_code_of_another_meaning_in_an_earlier_version_is_refused_at_publishing(app, orga):
    draft_id = _copy(app, orga)
    page = orga.get(f"/o/drafts/{draft_id}/items/REC_01")
    data = _form_data(page.text)
    data.update(type="short_text")
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=data).status_code == 303
    page = orga.get(f"/o/drafts/{draft_id}")
    assert "le code &#39;REC_01&#39; était une question scale en v2" in page.text
    response = orga.post(f"/o/drafts/{draft_id}/publish", data={"csrf_token": csrf_token(page.text),
                                                                "based_on": _based_on(page.text)},
                         follow_redirects=True)
    assert "Non publié" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 2


def test_withdrawn_versions_are_not_offered_to_new_rounds(app, orga):
    versions = _versions(app)
    page = orga.get("/o/questionnaires")
    orga.post(f"/o/questionnaires/{versions[('aict', 1)]}/withdraw", data={"csrf_token": csrf_token(page.text)})
    form = orga.get("/o/rounds/new").text
    assert f'value="{versions[("aict", 1)]}"' not in form and f'value="{versions[("aict", 2)]}"' in form
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_yaml_round_trip_and_upload_errors(app, orga):
    versions = _versions(app)
    downloaded = orga.get(f"/o/questionnaires/{versions[('aict', 2)]}/definition.yaml")
    assert downloaded.status_code == 200 and 'filename="aict-v2.yaml"' in downloaded.headers["Content-Disposition"]
    document = yaml.safe_load(downloaded.data)
    assert document["code"] == "aict" and document["version"] == 2
    page = orga.get("/o/questionnaires")
    response = orga.post("/o/questionnaires/upload", data={
        "csrf_token": csrf_token(page.text), "file": (io.BytesIO(downloaded.data), "aict-v2.yaml")})
    assert response.status_code == 303
    document["sections"][0]["items"][0]["type"] = "nonsense"
    broken = yaml.safe_dump(document, allow_unicode=True).encode()
    response = orga.post("/o/questionnaires/upload", data={
        "csrf_token": csrf_token(page.text), "file": (io.BytesIO(broken), "broken.yaml")})
    assert response.status_code == 422
    first = document["sections"][0]["items"][0]["code"]
    assert f"Question {first}" in response.text and "type" in response.text


def test_translators_spreadsheet_round_trip(app, orga):
    draft_id = _copy(app, orga)
    sheet = orga.get(f"/o/drafts/{draft_id}/texts.xlsx")
    book = load_workbook(io.BytesIO(sheet.data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("text", "fr", "en")
    where = {row[0]: row for row in rows}
    assert where["item REC_01 text"][1] == editing.item_of(_document(app, draft_id), "REC_01")["text"]["fr"]
    for row in book.active.iter_rows(min_row=2):
        if row[0].value == "item REC_01 text":
            row[2].value = "Decisions are shared"
    response = _upload_texts(orga, draft_id, book)
    assert response.status_code == 303 and response.location.endswith("#translated-texts")
    assert editing.item_of(_document(app, draft_id), "REC_01")["text"]["en"] == "Decisions are shared"
    assert "Le tableur a été pris : 1 texte modifié." in orga.get(response.location).text
    # A sheet naming a text the draft does not have: refused, said beside its form as well as at the top.
    book.active.append(["item ZZZ_01 text", "Rien", "Nothing"])
    response = _upload_texts(orga, draft_id, book)
    assert response.status_code == 422
    beside = re.search(r'<form id="translated-texts".*?</form>', response.text, re.S)[0]
    assert "item ZZZ_01 text" in beside and 'href="#translated-texts"' in response.text


def test_a_text_that_looks_like_a_formula_stays_a_text_in_the_spreadsheet():
    document = editing.new_document("demo", "=HYPERLINK(\"http://x\")", "Title")
    sheet = load_workbook(io.BytesIO(text_sheets.workbook(document))).active
    cell = sheet["B2"]
    assert sheet["A2"].value == "title" and cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_preview_as_partner_in_english_follows_conditions_and_writes_nothing(app, orga):
    draft_id = _copy(app, orga)
    page = orga.get(f"/o/drafts/{draft_id}/preview?side=partner&lang=en&partnership=1")
    assert page.status_code == 200
    assert 'lang="en"' in page.text and "Start the questionnaire" in page.text
    with app.app_context():
        saves = db.session.scalar(select(func.count()).select_from(DraftSave))
    first = re.search(r'name="page" value="([^"]+)"', page.text)[1]
    response = orga.post(f"/o/drafts/{draft_id}/preview?side=partner&lang=en&partnership=1",
                         data={"csrf_token": csrf_token(page.text), "page": first, "carried": "{}", "action": "next"})
    assert response.status_code == 200
    assert re.search(r'name="page" value="([^"]+)"', response.text)[1] != first
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DraftSave)) == saves


def test_the_preview_refuses_what_a_respondent_s_page_refuses(app, orga):
    draft_id = _copy(app, orga)
    item = next(item for section in DEMO_AICT.sections for item in section.items_for("partner")
                if item.type == "multiple" and any(o.exclusive for o in item.options))
    section = next(s.code for s in DEMO_AICT.sections if item in s.items)
    exclusive = next(o.code for o in item.options if o.exclusive)
    other = next(o.code for o in item.options if not o.exclusive)
    address = f"/o/drafts/{draft_id}/preview?side=partner&lang=en&partnership=1"
    page = orga.get(f"{address}&page={section}")
    response = orga.post(address, data={"csrf_token": csrf_token(page.text), "page": section, "carried": "{}",
                                        "action": "next", item.code: [exclusive, other]})
    # The same page again, the choice kept and the message at the question, as a respondent would see it.
    assert response.status_code == 422
    assert re.search(r'name="page" value="([^"]+)"', response.text)[1] == section
    assert f'id="{item.code}-error"' in response.text
    assert re.search(rf'<input[^>]*name="{item.code}"[^>]*value="{exclusive}"[^>]*checked', response.text)


def test_texts_typed_by_organisers_are_inert_in_the_preview_the_questionnaire_and_the_charts(app, orga):
    draft_id = _copy(app, orga)
    code = next(item.code for section in DEMO_AICT.sections for item in section.items if item.type == "multiple")
    section = next(section.code for section in DEMO_AICT.sections if code in [i.code for i in section.items])
    data = _form_data(orga.get(f"/o/drafts/{draft_id}/items/{code}").text)
    data["text_fr"] = "<script>alert(1)</script> Domaines"
    assert orga.post(f"/o/drafts/{draft_id}/items/{code}", data=data).status_code == 303
    marked = "&lt;script&gt;alert(1)&lt;/script&gt;"
    preview = orga.get(f"/o/drafts/{draft_id}/preview?side=home&lang=fr&partnership=1&page={section}").text
    assert marked in preview and "<script>alert(1)" not in preview
    page = orga.get(f"/o/drafts/{draft_id}")
    orga.post(f"/o/drafts/{draft_id}/publish", data={"csrf_token": csrf_token(page.text), "based_on": _based_on(page.text)})
    with app.app_context():
        version = db.session.scalar(select(QuestionnaireVersion).filter_by(code="aict", version=3))
        round_ = Round(questionnaire_version=version, title="Tour v3", opens_on=today(), closes_on=today(),
                       owner_id=db.session.scalar(select(Organiser.id)))
        db.session.add(round_)
        db.session.commit()
        round_id = round_.id
    home, _partner = create_partnership_invitations(app, round_id)
    respondent = app.test_client()
    start(respondent, home)
    questionnaire = respondent.get(f"/r/{home}/p/{section}").text
    dashboard = orga.get(f"/o/rounds/{round_id}/dashboard").text
    for text in (questionnaire, dashboard):
        assert "<script>alert(1)" not in text and "alert(1)" in text


def test_a_question_may_wait_for_its_english_but_not_be_published_without_it(app, orga):
    draft_id = _copy(app, orga)
    data = _form_data(orga.get(f"/o/drafts/{draft_id}/items/REC_01").text)
    data["text_en"] = ""
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=data).status_code == 303
    page = orga.get(f"/o/drafts/{draft_id}")
    assert "À corriger avant de publier" in page.text and "texte de la question, en anglais : vide" in page.text


def test_a_spreadsheet_that_unpacks_to_too_much_is_refused():
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", b"0" * (text_sheets.MAX_UNPACKED + 1))
    content.seek(0)
    with pytest.raises(text_sheets.SheetError, match="too large"):
        text_sheets.read(content)
    with pytest.raises(text_sheets.SheetError, match="cannot be read"):
        text_sheets.read(io.BytesIO(b"not a spreadsheet"))


def test_a_new_questionnaire_starts_as_a_draft_of_its_own(app, orga):
    _versions(app)
    page = orga.get("/o/questionnaires")
    taken = orga.post("/o/questionnaires/new", data={"csrf_token": csrf_token(page.text), "code": "aict",
                                                     "title_fr": "Autre", "title_en": "Other"})
    assert taken.status_code == 422 and "copiez plutôt sa dernière version" in taken.text
    response = orga.post("/o/questionnaires/new", data={"csrf_token": csrf_token(page.text), "code": "reseau",
                                                        "title_fr": "Notre réseau", "title_en": "Our network"})
    assert response.status_code == 303
    draft = orga.get(response.location).text
    assert "Questionnaire reseau, à publier en version 1." in draft and "Aucun problème trouvé" in draft


def test_a_draft_says_when_a_later_version_was_published_meanwhile(app, orga):
    first, second = _copy(app, orga), _copy(app, orga)
    page = orga.get(f"/o/drafts/{first}")
    orga.post(f"/o/drafts/{first}/publish", data={"csrf_token": csrf_token(page.text), "based_on": _based_on(page.text)})
    page = orga.get(f"/o/drafts/{second}").text
    assert "La version 3 a été publiée" in page and "à publier en version 4" in page


def test_every_url_of_another_organisers_draft_answers_404(app, orga):
    from tests.organiser.test_access import organiser_urls

    draft_id = _copy(app, orga)
    create_organiser(app, "stranger@example.org")
    stranger = app.test_client()
    login(stranger, "stranger@example.org")
    token = csrf_token(stranger.get("/o/").text)
    checked = 0
    for endpoint, method, path in organiser_urls(app, 1, 1, 1):
        if not path.startswith("/o/drafts/"):
            continue
        path = path.replace("/o/drafts/1", f"/o/drafts/{draft_id}", 1)
        response = stranger.open(path, method=method, data={"csrf_token": token, "based_on": 1})
        assert response.status_code == 404, (endpoint, method, path)
        checked += 1
    assert checked >= 20
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DraftSave)) == 1


def test_pages_themes_and_scales_are_edited_with_forms(app, orga):
    draft_id = _copy(app, orga)
    data = _form_data(orga.get(f"/o/drafts/{draft_id}/sections/reciprocity").text)
    assert data["rule-0-subject"] == "invitation" and data["rule-0-operator"] == "partnership"
    data.update(title_en="Reciprocity", intro_fr="", intro_en="")
    data.pop("side_home")
    assert orga.post(f"/o/drafts/{draft_id}/sections/reciprocity", data=data).status_code == 303
    section = editing.section_of(_document(app, draft_id), "reciprocity")
    assert section["title"]["en"] == "Reciprocity" and section["sides"] == ["partner"] and "intro" not in section
    assert section["when"] == {"partnership": True} and len(section["items"]) > 5

    data = _form_data(orga.get(f"/o/drafts/{draft_id}/general").text)
    assert "agreement | 1 | Pas du tout d'accord | Strongly disagree" in data["scales"]
    data["themes"] += "\nnetwork | Réseau | Network"
    data["scales"] += "\nyears | 1 | Moins d'un an | Less than a year"
    response = orga.post(f"/o/drafts/{draft_id}/general", data=data)
    assert response.status_code == 303
    page = orga.get(f"/o/drafts/{draft_id}").text
    assert "L’échelle &#39;years&#39; doit nommer exactement les valeurs 1 à 5" in page  # the loader's own rule
    data["scales"] = data["scales"].replace("years | 1 |", "years | one |")
    response = orga.post(f"/o/drafts/{draft_id}/general", data=data)
    assert response.status_code == 422 and "Ligne " in response.text and "Less than a year" in response.text

    page = orga.get(f"/o/drafts/{draft_id}")
    order = [s["code"] for s in _document(app, draft_id)["sections"]]
    orga.post(f"/o/drafts/{draft_id}/sections/reciprocity/move", data={
        "csrf_token": csrf_token(page.text), "based_on": _based_on(page.text), "direction": "up"})
    moved = [s["code"] for s in _document(app, draft_id)["sections"]]
    index = order.index("reciprocity")
    assert moved[index - 1] == "reciprocity" and moved[index] == order[index - 1]


def test_a_file_refused_beside_a_draft_with_problems_shows_each_list_in_its_place(app, orga):
    draft_id = _copy(app, orga)
    data = _form_data(orga.get(f"/o/drafts/{draft_id}/items/REC_01").text)
    data["text_en"] = ""
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=data).status_code == 303
    document = yaml.safe_load(orga.get(f"/o/drafts/{draft_id}/definition.yaml").data)
    document["sections"][0]["items"][0]["type"] = "nonsense"
    response = _upload_into(orga, draft_id, yaml.safe_dump(document, allow_unicode=True).encode(), "broken.yaml")
    assert response.status_code == 422
    draft_list = re.search(r'id="draft-problem-list">(.*?)</ul>', response.text, re.S)[1]
    file_list = re.search(r'id="upload-problem-list">(.*?)</ul>', response.text, re.S)[1]
    first = document["sections"][0]["items"][0]["code"]
    # The draft's own problem in its list, the file's in the file's: no longer the file's twice.
    assert "Question REC_01" in draft_list and f"Question {first}" not in draft_list
    assert f"Question {first}" in file_list and "type" in file_list


def test_every_problem_of_a_draft_is_listed_beside_a_condition_the_format_refuses(app, orga, organiser_id):
    draft_id = _copy(app, orga)
    # A page's condition that is not one (a typo: "equal"), an English to come, a theme gone, a code
    # that meant a scale in v2, a condition on a later question.
    data = _form_data(orga.get(f"/o/drafts/{draft_id}/sections/reciprocity").text)
    data.update(condition_mode="text", when="{item: PRO_02, equal: 'yes'}")
    response = orga.post(f"/o/drafts/{draft_id}/sections/reciprocity", data=data)
    assert response.status_code == 422 and "une condition demande exactement l’un de" in response.text
    # The form refuses it: a draft saved before the forms checked conditions may still hold it.
    with app.app_context():
        draft = db.session.get(QuestionnaireDraft, draft_id)
        document = copy.deepcopy(draft.latest.document)
        editing.section_of(document, "reciprocity")["when"] = {"item": "PRO_02", "equal": "yes"}
        drafts.save(draft, document, draft.latest.number, db.session.get(Organiser, organiser_id),
                    drafts.change("page_changed", code="reciprocity"))
        db.session.commit()
    data = _form_data(orga.get(f"/o/drafts/{draft_id}/items/REC_01").text)
    data.update(text_en="", type="short_text")
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=data).status_code == 303
    # A condition on a later question is refused by the form; moving the question it names makes one.
    data = _form_data(orga.get(f"/o/drafts/{draft_id}/items/REC_02").text)
    data.update(condition_mode="text", when="{item: REC_14, at_least: 4}")
    response = orga.post(f"/o/drafts/{draft_id}/items/REC_02", data=data)
    assert response.status_code == 422 and "condition sur &#39;REC_14&#39;, qui n’est pas posée avant" in response.text
    data["when"] = "{item: REC_01, answered: true}"
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_02", data=data).status_code == 303
    page = orga.get(f"/o/drafts/{draft_id}").text
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01/move", data={
        "csrf_token": csrf_token(page), "based_on": _based_on(page), "direction": "down"}).status_code == 303
    general = _form_data(orga.get(f"/o/drafts/{draft_id}/general").text)
    general["themes"] = "\n".join(line for line in general["themes"].splitlines() if not line.startswith("reciprocity"))
    assert orga.post(f"/o/drafts/{draft_id}/general", data=general).status_code == 303

    listed = re.search(r'id="draft-problem-list">(.*?)</ul>', orga.get(f"/o/drafts/{draft_id}").text, re.S)[1]
    listed = _unescape(re.sub(r"<[^>]+>", "", listed))
    assert "Page reciprocity, condition : une condition demande exactement l’un de" in listed
    assert "Question REC_01 — texte de la question, en anglais : vide" in listed
    assert "Question REC_01 — le thème 'reciprocity' ne fait pas partie des thèmes" in listed
    assert "Question REC_01 — le code 'REC_01' était une question scale en v2" in listed
    assert "Question REC_02 — condition sur 'REC_01', qui n’est pas posée avant REC_02" in listed


def test_a_drafts_own_file_comes_back_with_what_a_draft_may_hold_and_publishing_asks_for_the_rest(app, orga):
    draft_id = _copy(app, orga)
    data = _form_data(orga.get(f"/o/drafts/{draft_id}/items/REC_01").text)
    data["text_en"] = ""
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=data).status_code == 303
    downloaded = orga.get(f"/o/drafts/{draft_id}/definition.yaml").data

    # Into the draft itself, and as a new draft: taken, the English still listed as to come.
    response = _upload_into(orga, draft_id, downloaded, "aict-draft.yaml", follow_redirects=True)
    assert response.status_code == 200 and "Le fichier a été lu dans le brouillon." in response.text
    listed = re.search(r'id="draft-problem-list">(.*?)</ul>', response.text, re.S)[1]
    assert "Question REC_01" in listed and "en anglais : vide" in listed
    page = orga.get("/o/questionnaires")
    response = orga.post("/o/questionnaires/upload", data={
        "csrf_token": csrf_token(page.text), "file": (io.BytesIO(downloaded), "aict-draft.yaml")})
    assert response.status_code == 303

    # Publishing still asks for it.
    page = orga.get(f"/o/drafts/{draft_id}")
    response = orga.post(f"/o/drafts/{draft_id}/publish", data={
        "csrf_token": csrf_token(page.text), "based_on": _based_on(page.text)}, follow_redirects=True)
    assert "Non publié" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 2

    # What the editor itself refuses is still refused: a French text missing.
    document = yaml.safe_load(downloaded)
    document["sections"][0]["items"][0]["text"]["fr"] = ""
    response = _upload_into(orga, draft_id, yaml.safe_dump(document, allow_unicode=True).encode(), "broken.yaml")
    assert response.status_code == 422
    refused = re.search(r'id="upload-problem-list">(.*?)</ul>', response.text, re.S)[1]
    assert "texte de la question, en français : vide" in refused


def _field_names(page: str) -> set[str]:
    form = page[page.index('<form method="post"'):]
    return set(re.findall(r'<(?:input|textarea|select)[^>]*name="([^"]+)"', form))


def test_the_question_form_has_the_fields_of_its_type_and_the_type_is_changed_in_a_step_of_its_own(app, orga):
    draft_id = _copy(app, orga)
    page = orga.get(f"/o/drafts/{draft_id}/items/PRO_01").text  # a single choice
    fields = _field_names(page)
    assert {"options", "other"} <= fields and not fields & {"scale", "gap", "min", "max", "rows", "max_length"}
    assert "Champs du type : Choix unique" in page

    # The type's own step: a form of its own (it works without scripts), which saves nothing.
    step = re.search(r'<form method="get"[^>]*>(.*?)</form>', page, re.S)[1]
    assert 'name="type"' in step and "Changer le type" in step
    page = orga.get(f"/o/drafts/{draft_id}/items/PRO_01?type=number").text
    fields = _field_names(page)
    assert {"min", "max", "integer", "unit_fr"} <= fields and not fields & {"options", "other", "scale"}
    assert editing.item_of(_document(app, draft_id), "PRO_01")["type"] == "single"
    data = _form_data(page)
    assert data["type"] == "number" and data["text_fr"].startswith("Quel type de collectivité")
    data.update(min="1", max="10")
    assert orga.post(f"/o/drafts/{draft_id}/items/PRO_01", data=data).status_code == 303
    item = editing.item_of(_document(app, draft_id), "PRO_01")
    assert item["type"] == "number" and (item["min"], item["max"]) == (1, 10) and "options" not in item


def test_publishing_is_confirmed_in_a_step_that_says_what_it_does_and_lists_the_problems(app, orga):
    draft_id = _copy(app, orga)
    draft = orga.get(f"/o/drafts/{draft_id}").text
    assert f'href="/o/drafts/{draft_id}/publish">Publier en version 3…</a>' in draft
    step = orga.get(f"/o/drafts/{draft_id}/publish")
    assert step.status_code == 200 and "la version est figée : elle ne changera plus jamais" in step.text
    assert "les tours peuvent l’utiliser dès maintenant" in step.text and "Aucun problème trouvé" in step.text
    with app.app_context():  # a GET writes nothing
        assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 2

    data = _form_data(orga.get(f"/o/drafts/{draft_id}/items/REC_01").text)
    data["text_en"] = ""
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=data).status_code == 303
    step = orga.get(f"/o/drafts/{draft_id}/publish").text
    listed = re.search(r'id="draft-problem-list">(.*?)</ul>', step, re.S)[1]
    assert "Il ne peut pas encore être publié" in step and "Question REC_01" in listed
    assert f'action="/o/drafts/{draft_id}/publish"' not in step

    data = _form_data(orga.get(f"/o/drafts/{draft_id}/items/REC_01").text)
    data["text_en"] = "Decisions are taken together."
    assert orga.post(f"/o/drafts/{draft_id}/items/REC_01", data=data).status_code == 303
    step = orga.get(f"/o/drafts/{draft_id}/publish").text
    response = orga.post(f"/o/drafts/{draft_id}/publish", data={"csrf_token": csrf_token(step), "based_on": _based_on(step)})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 3


def test_the_preview_has_the_welcome_page_and_the_review_page_with_the_answers_typed(app, orga):
    draft_id = _copy(app, orga)
    url = f"/o/drafts/{draft_id}/preview?side=home&lang=fr&partnership=0"
    welcome = orga.get(url).text
    frame = welcome[welcome.index('class="preview-frame"'):]
    assert "La page d’accueil" in welcome and "Commencer le questionnaire" in frame
    assert re.search(r'name="page" value="([^"]+)"', frame)[1] == "start"

    def send(page: str, shown: str, action: str, **answers) -> str:
        carried = _unescape(re.search(r'name="carried" value="([^"]*)"', shown)[1])
        response = orga.post(url, data={"csrf_token": csrf_token(shown), "page": page, "carried": carried,
                                        "action": action, **answers})
        assert response.status_code == 200
        return response.text

    shown = send("start", welcome, "next")
    first = re.search(r'name="page" value="([^"]+)"', shown)[1]
    assert first == "profile"
    shown = send(first, shown, "next", PRO_01="commune", PRO_02="12500")
    # From the last page on, the review page: the answers typed, and nothing to submit.
    last = first
    while 'name="page" value="review"' not in shown:
        last = re.search(r'name="page" value="([^"]+)"', shown)[1]
        shown = send(last, shown, "next")
    assert "La page de relecture" in shown and "Vérifier et envoyer" in shown
    review = _unescape(re.sub(r"<[^>]+>", " ", shown[shown.index('class="preview-frame"'):]))
    assert "Commune (ou municipalité)" in review and re.search(r"12\s500", review)
    assert re.search(r'<button type="button" class="btn btn-primary" disabled>', shown)
    assert re.search(r'name="page" value="([^"]+)"', send("review", shown, "previous"))[1] == last
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DraftSave)) == 1
