"""A question's or a page's condition built from rules, with scripts off: each step a button of the form, the
draft storing the condition the loader reads and the card saying it as a sentence."""
import re
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

from evalapp.questionnaires import editing
from tests.organiser.test_questionnaire_editor import _copy, _document, _unescape


class _Form(HTMLParser):
    """The fields of a page's form posting to the draft (not the type step's), as a browser sends them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self.buttons, self.selects = [], {}, {}
        self._in_form = self._textarea = self._select = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post" and "action" not in attrs:
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            else:
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "button" and name:
            self.buttons[attrs.get("value")] = name
        elif tag == "textarea":
            self._textarea, self._text = name, ""
        elif tag == "select":
            self._select = name
            self.selects[name] = []
        elif tag == "option" and self._select:
            self.selects[self._select].append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select:
            options = self.selects[self._select]
            chosen = next((value for value, selected in options if selected), options[0][0] if options else "")
            self.fields.append((self._select, chosen))
            self._select = None


def form_of(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


def send(client, url: str, html: str, button: str | None = None, **changes):
    """Post the page's form as a browser would, with ``changes`` (a list for several ticked boxes; None to leave a
    field out), pressing the builder's ``button`` (add, apply, remove-0, text, rules) or else saving."""
    form = form_of(html)
    data = MultiDict(form.fields)
    for name, value in changes.items():
        name = name.replace("__", "-")
        data.poplist(name)
        for one in value if isinstance(value, list) else [] if value is None else [value]:
            data.add(name, one)
    if button:
        assert button in form.buttons, (button, form.buttons)
        data.add("builder", button)
    return client.post(url, data=data)


def options_of(html: str, name: str) -> list[str]:
    """The values a select offers (its groups' options included), or a group of checkboxes."""
    form = form_of(html)
    if name in form.selects:
        return [value for value, _selected in form.selects[name]]
    return re.findall(rf'name="{name}" value="([^"]*)"', html)


def focused(html: str) -> list[str]:
    """The ids of the fields that take the focus when the page is drawn (and so come into view)."""
    return re.findall(r'<(?:select|input|button)[^>]*\bid="([^"]+)"[^>]*\sautofocus[\s>]', html)


def card_condition(client, draft_id: int, anchor: str) -> str:
    page = client.get(f"/o/drafts/{draft_id}").text
    card = re.search(rf'id="{anchor}".*?(?:seulement si|only when)\s*:\s*(.*?)</p>', page, re.S)
    return _unescape(card[1]).strip()


def test_a_question_asked_when_an_earlier_scale_is_at_least_4_is_built_step_by_step(app, orga):
    draft_id = _copy(app, orga)
    url = f"/o/drafts/{draft_id}/sections/reciprocity/items/new"
    page = orga.get(url + "?type=multiple").text
    assert "Aucune règle : la question est toujours posée." in page
    typed = dict(text_fr="Quels domaines ?", text_en="Which fields?",
                 options="water | Eau | Water\nschools | Écoles | Schools")

    page = send(orga, url, page, "add", **typed)
    assert page.status_code == 200
    assert focused(page.text) == ["rule-0-subject"]  # each step leads to the choice it opens
    # The invitation, and only the questions asked before it (the new one is added at the page's end).
    document = _document(app, draft_id)
    pages = [s["code"] for s in document["sections"]]
    earlier = [item["code"] for s in document["sections"][:pages.index("reciprocity") + 1] for item in s["items"]]
    assert options_of(page.text, "rule-0-subject") == ["", "invitation", *earlier]
    assert 'id="rule-0-operator"' not in page.text  # no operator before a question is chosen

    # The question chosen, its operators; the operator chosen, its answers (no "don't know" for "at least").
    page = send(orga, url, page.text, "apply", rule__0__subject="REC_01")
    assert options_of(page.text, "rule-0-operator") == ["", "equals", "in", "at_least", "answered"]
    assert focused(page.text) == ["rule-0-operator"]
    page = send(orga, url, page.text, "apply", rule__0__operator="at_least")
    assert options_of(page.text, "rule-0-value") == ["", "1", "2", "3", "4", "5"]
    assert focused(page.text) == ["rule-0-value"]
    assert "Quels domaines ?" in page.text  # what was typed stays
    response = send(orga, url, page.text, rule__0__value="4")
    assert response.status_code == 303, response.text

    code = re.search(r"#item-(\w+)", response.location)[1]
    assert editing.item_of(_document(app, draft_id), code)["when"] == {"item": "REC_01", "at_least": 4}
    assert card_condition(orga, draft_id, f"item-{code}") == "REC_01 vaut au moins 4"
    # Drawn again, the question's form shows the rule as it was built.
    page = orga.get(f"/o/drafts/{draft_id}/items/{code}").text
    assert form_of(page).fields.count(("rule-0-subject", "REC_01")) == 1
    assert ("rule-0-operator", "at_least") in form_of(page).fields and ("rule-0-value", "4") in form_of(page).fields


def test_a_page_shown_to_the_partner_or_for_some_answers_combines_rules_and_removes_one(app, orga):
    draft_id = _copy(app, orga)
    url = f"/o/drafts/{draft_id}/sections/reciprocity"
    page = orga.get(url).text
    # aict's own condition, {partnership: true}, is a rule on the invitation.
    assert ("rule-0-subject", "invitation") in form_of(page).fields
    assert ("rule-0-operator", "partnership") in form_of(page).fields
    page = send(orga, url, page, "add").text
    page = send(orga, url, page, "add", rule__1__subject="invitation").text
    page = send(orga, url, page, "apply", rule__1__operator="partner", rule__2__subject="CTX_03").text
    assert options_of(page, "rule-2-operator") == ["", "equals", "in", "answered"]  # a single choice
    page = send(orga, url, page, "apply", rule__2__operator="in").text
    answers = options_of(page, "rule-2-value")
    assert len(answers) >= 2 and 'type="checkbox"' in page
    assert options_of(page, "combine") == ["all", "any"]  # a choice once there are two rules

    # The first rule removed, the others kept; any one of them is enough.
    page = send(orga, url, page, "remove-0", combine="any", rule__2__value=answers[:2]).text
    assert ("rule-0-subject", "invitation") in form_of(page).fields and ("rule-0-operator", "partner") in form_of(page).fields
    assert ("rule-1-subject", "CTX_03") in form_of(page).fields and 'id="rule-2-subject"' not in page
    assert [v for n, v in form_of(page).fields if n == "rule-1-value"] == answers[:2]
    assert focused(page) == ["when-add"]
    response = send(orga, url, page)
    assert response.status_code == 303, response.text

    # A matrix is named by its cells, on the pages after it.
    human = f"/o/drafts/{draft_id}/sections/human"
    offered = options_of(send(orga, human, orga.get(human).text, "add").text, "rule-0-subject")
    matrix = editing.item_of(_document(app, draft_id), "IMP_12")
    cells = [f"IMP_12_{row['code']}_{column['code']}" for row in matrix["rows"] for column in matrix["columns"]]
    assert "IMP_12" not in offered and [code for code in offered if code.startswith("IMP_12")] == cells

    section = editing.section_of(_document(app, draft_id), "reciprocity")
    assert section["when"] == {"any": [{"side": "partner"}, {"item": "CTX_03", "in": answers[:2]}]}
    sentence = card_condition(orga, draft_id, "section-reciprocity")
    assert sentence.startswith("l’invitation est pour le côté partenaire ou CTX_03 est ") and f"({answers[1]})" in sentence


def test_a_rule_not_complete_is_refused_beside_it_and_kept(app, orga):
    draft_id = _copy(app, orga)
    url = f"/o/drafts/{draft_id}/items/REC_02"
    page = orga.get(url).text
    page = send(orga, url, page, "add", rule__0__subject="PRO_02").text
    page = send(orga, url, page, "apply").text
    assert options_of(page, "rule-0-operator") == ["", "equals", "at_least", "answered"]  # a number
    page = send(orga, url, page, "apply", rule__0__operator="at_least").text
    # Its errors are said with the form's others.
    response = send(orga, url, page, text_fr="")
    assert response.status_code == 422 and 'id="text_fr-error"' in response.text
    assert re.search(r'id="rule-0-error">Saisissez un nombre\.</p>', response.text)
    response = send(orga, url, page, rule__0__value="beaucoup")
    assert response.status_code == 422
    assert re.search(r'id="rule-0-error">Saisissez un nombre\.</p>', response.text)
    assert 'value="beaucoup"' in response.text
    # A number the question cannot have: the loader's own rule, beside the rules.
    response = send(orga, url, response.text, rule__0__value="-5")
    assert response.status_code == 422
    assert re.search(r'id="when" tabindex="-1">condition sur .PRO_02. : -5 n’est pas une réponse', _unescape(
        response.text))
    assert "when" not in editing.item_of(_document(app, draft_id), "REC_02")
    response = send(orga, url, response.text, rule__0__value="12,5")
    assert response.status_code == 303
    assert editing.item_of(_document(app, draft_id), "REC_02")["when"] == {"item": "PRO_02", "at_least": 12.5}


def test_a_condition_the_rules_cannot_show_stays_as_text_and_a_later_question_is_refused(app, orga):
    draft_id = _copy(app, orga)
    url = f"/o/drafts/{draft_id}/items/REC_04"
    page = orga.get(url).text
    page = send(orga, url, page, "text").text
    assert 'name="when"' in page and ("condition_mode", "text") in form_of(page).fields
    nested = "{all: [{item: REC_01, at_least: 4}, {any: [{side: partner}, {partnership: false}]}]}"
    assert send(orga, url, page, when=nested).status_code == 303
    stored = {"all": [{"item": "REC_01", "at_least": 4}, {"any": [{"side": "partner"}, {"partnership": False}]}]}
    assert editing.item_of(_document(app, draft_id), "REC_04")["when"] == stored

    # Drawn again: as text, saying why; the rules cannot take it, and saving keeps it as it was.
    page = orga.get(url).text
    assert "Le constructeur de règles ne peut pas montrer cette condition" in page
    assert ("condition_mode", "text") in form_of(page).fields
    response = send(orga, url, page, "rules")
    assert response.status_code == 200 and ("condition_mode", "text") in form_of(response.text).fields
    assert send(orga, url, response.text).status_code == 303
    assert editing.item_of(_document(app, draft_id), "REC_04")["when"] == stored

    # A question asked later, an option the question does not have, itself: refused, what was typed kept.
    for typed, said in (("{item: REC_05, answered: true}", "condition sur 'REC_05', qui n’est pas posée avant REC_04"),
                        ("{item: REC_04, answered: true}", "condition sur 'REC_04', qui n’est pas posée avant REC_04"),
                        ("{item: CTX_03, equals: nowhere}", "condition sur 'CTX_03' : 'nowhere' n’est pas une réponse"),
                        ("{item: NOPE_01, answered: true}", "condition sur 'NOPE_01' : aucune question n’a ce code")):
        response = send(orga, url, page, when=typed)
        assert response.status_code == 422, typed
        shown = _unescape(response.text)
        assert said in shown and 'id="when-error"' in response.text, (typed, said)
        assert f"\n{typed}</textarea>" in shown
    assert editing.item_of(_document(app, draft_id), "REC_04")["when"] == stored

    # A simple condition written as text comes back into the rules.
    page = send(orga, url, orga.get(url).text, "rules", when="{item: REC_01, equals: dk}").text
    assert ("condition_mode", "rules") in form_of(page).fields and ("rule-0-value", "dk") in form_of(page).fields
    assert send(orga, url, page).status_code == 303
    assert editing.item_of(_document(app, draft_id), "REC_04")["when"] == {"item": "REC_01", "equals": "dk"}

    # A form drawn before the rules existed (no mode said) still sends its condition as text.
    assert send(orga, url, orga.get(url).text, condition_mode=None, when="{partnership: true}").status_code == 303
    assert editing.item_of(_document(app, draft_id), "REC_04")["when"] == {"partnership": True}


def test_the_rules_read_in_english(app, orga):
    from tests.organiser.test_editor_languages import _in_english

    draft_id = _copy(app, orga)
    _in_english(orga)
    url = f"/o/drafts/{draft_id}/items/REC_02"
    page = send(orga, url, orga.get(url).text, "add", rule__0__subject="REC_01").text
    page = send(orga, url, page, "apply").text
    assert "Rule 1" in page and "Add a rule" in page and "Write the condition as text instead" in page
    assert re.search(r'<option[^>]*value="at_least">is at least</option>', page)
    assert re.search(r'<option[^>]*value="REC_01">REC_01 — [^<]*</option>', page)
    assert '<option value="invitation">The invitation</option>' in page


def test_rules_refused_because_the_draft_moved_on_are_all_still_there(app, orga):
    draft_id = _copy(app, orga)
    url = f"/o/drafts/{draft_id}/sections/impact"
    page = orga.get(url).text
    assert send(orga, url, page, title_en="Impact (first)").status_code == 303
    page = send(orga, url, page, "add", rule__0__subject="REC_01").text
    page = send(orga, url, page, "apply", rule__0__operator="equals").text
    refused = send(orga, url, page, rule__0__value="dk")
    assert refused.status_code == 409 and "le brouillon a changé entre-temps" in refused.text
    assert ("rule-0-subject", "REC_01") in form_of(refused.text).fields
    assert ("rule-0-value", "dk") in form_of(refused.text).fields
    assert send(orga, url, refused.text).status_code == 303
    assert editing.section_of(_document(app, draft_id), "impact")["when"] == {"item": "REC_01", "equals": "dk"}


def test_the_same_rule_twice_is_refused_beside_the_second(app, orga):
    draft_id = _copy(app, orga)
    url = f"/o/drafts/{draft_id}/sections/reciprocity/items/new"
    page = orga.get(url + "?type=multiple").text
    typed = dict(text_fr="Quels domaines ?", text_en="Which fields?", options="water | Eau | Water")
    page = send(orga, url, page, "add", **typed).text
    page = send(orga, url, page, "add").text
    twice = dict(rule__0__subject="invitation", rule__0__operator="partner",
                 rule__1__subject="invitation", rule__1__operator="partner")
    refused = send(orga, url, page, **twice)
    assert refused.status_code == 422
    assert re.search(r'id="rule-1-error">Cette règle est la même que la règle 1 : retirez l’une des deux\.<',
                     refused.text)
    assert 'id="rule-0-error"' not in refused.text and "Une règle est à corriger : voir plus bas." in refused.text
