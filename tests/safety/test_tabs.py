"""Two copies of one response open at once (two tabs, or two colleagues sharing a link), both
opened before either saves: each save writes what its copy changed, so nothing another copy saved
in between is erased; where both changed the same answer, the respondent is told and chooses."""
import re
from html import unescape

import pytest

from tests.factories import create_partnership_invitations, create_round
from tests.respond.helpers import AICT, section_data, start


@pytest.fixture(params=["two tabs of one browser", "two browsers"])
def tabs(request, app):
    """Two places the same invitation link is open in: sharing their cookies or not."""
    first = app.test_client()
    return first, first if request.param == "two tabs of one browser" else app.test_client()


@pytest.fixture
def token(app):
    return create_partnership_invitations(app, create_round(app))[0]


def open_page(tab, token, code) -> dict:
    """Open the page and return what its form sends besides the answers (token, fingerprints, language),
    as the page keeps them until it is saved."""
    return hidden_fields(tab.get(f"/r/{token}/p/{code}").text)


def save(tab, token, code, page, data, expect=303):
    response = tab.post(f"/r/{token}/p/{code}", data={**page, "action": "save", **data})
    assert response.status_code == expect, response.text
    return response


def ticked(tab, token, code) -> dict[str, set[str]]:
    """The boxes and buttons the respondent sees ticked when they open the page again."""
    html = tab.get(f"/r/{token}/p/{code}").text
    shown = {}
    for tag in re.findall(r"<input[^>]*\bchecked\b[^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag).group(1), re.search(r'value="([^"]*)"', tag).group(1)
        shown.setdefault(name, set()).add(value)
    return shown


def as_ticked(data: dict) -> dict[str, set[str]]:
    return {code: set(value) if isinstance(value, list) else {value} for code, value in data.items()}


def other_answers(code: str) -> dict:
    """Answers to a page of choices and scales, each different from :func:`section_data`'s."""
    data = {}
    for item in AICT.section("home", code).items_for("home"):
        if item.type == "scale":
            data[item.code] = "2"
        elif item.type == "single":
            data[item.code] = item.options[2].code
        elif item.type == "multiple":
            data[item.code] = [item.options[2].code]
    return data


def test_two_tabs_saving_two_pages_keep_both_pages(tabs, token):
    first, second = tabs
    start(first, token)
    context, organisation = open_page(first, token, "context"), open_page(second, token, "organisation")

    save(first, token, "context", context, section_data("context"))
    save(second, token, "organisation", organisation, section_data("organisation"))

    assert ticked(first, token, "context") == as_ticked(section_data("context"))
    assert ticked(second, token, "organisation") == as_ticked(section_data("organisation"))


def test_two_copies_of_one_page_changing_different_answers_keep_both(tabs, token):
    first, second = tabs
    start(first, token)
    earlier, later = section_data("context"), other_answers("context")
    codes = sorted(earlier)
    mine, theirs = codes[: len(codes) // 2], codes[len(codes) // 2:]
    first_page, second_page = open_page(first, token, "context"), open_page(second, token, "context")

    save(first, token, "context", first_page, {code: earlier[code] for code in mine})
    # The second copy still shows nothing for the first copy's answers: it sends them empty.
    save(second, token, "context", second_page, {code: later[code] for code in theirs})

    expected = {**{code: earlier[code] for code in mine}, **{code: later[code] for code in theirs}}
    assert ticked(first, token, "context") == as_ticked(expected)


def test_an_old_copy_saved_unchanged_erases_nothing(tabs, token):
    first, second = tabs
    start(first, token)
    old_copy = open_page(second, token, "context")
    save(first, token, "context", open_page(first, token, "context"), section_data("context"))
    save(second, token, "context", old_copy, {})  # "Next" on a copy left open since before
    assert ticked(first, token, "context") == as_ticked(section_data("context"))


def conflict_notices(html: str) -> dict[str, str]:
    """The answers the page says were saved meanwhile, by field."""
    found = re.findall(r'<div class="conflict" id="([^"]+)-conflict">.*?<strong>([^<]*)</strong>', html, re.S)
    return {name: unescape(text) for name, text in found}


def test_two_copies_changing_the_same_answer_are_told_and_choose(tabs, token):
    first, second = tabs
    start(first, token)
    earlier, later = section_data("context"), other_answers("context")
    codes = sorted(earlier)
    both, second_only = codes[:4], codes[4:]
    first_page, second_page = open_page(first, token, "context"), open_page(second, token, "context")
    save(first, token, "context", first_page, {c: earlier[c] for c in both})

    # The second copy changed every answer: those the first changed too are conflicts.
    told = save(second, token, "context", second_page, later, expect=409)
    assert "Certaines réponses ont été modifiées ailleurs entre-temps" in told.text
    notices = conflict_notices(told.text)
    assert set(notices) == set(both)
    for code in both:  # each notice shows the answer saved meanwhile, as the respondent reads it
        assert all(label in notices[code] for label in labels_of(code, earlier[code]))
    # The fields show this copy's answers; what it changed alone is saved already.
    assert {name: values for name, values in ticked_in(told.text).items() if name in codes} == as_ticked(later)
    assert ticked(first, token, "context") == as_ticked({**{c: earlier[c] for c in both},
                                                         **{c: later[c] for c in second_only}})

    # Keep mine for two of them, the answer saved meanwhile for the two others.
    kept_mine, kept_saved = both[:2], both[2:]
    choices = {**{f"resolve-{c}": "mine" for c in kept_mine}, **{f"resolve-{c}": "saved" for c in kept_saved}}
    save(second, token, "context", hidden_fields(told.text), {**later, **choices})
    expected = {**later, **{c: earlier[c] for c in kept_saved}}
    assert ticked(first, token, "context") == as_ticked(expected)


def test_a_page_without_fingerprints_writes_all_its_answers(tabs, token):
    """A page drawn before fingerprints existed (an open tab during an upgrade) saves as it always did."""
    first, second = tabs
    start(first, token)
    save(first, token, "context", open_page(first, token, "context"), section_data("context"))
    old_page = {**open_page(second, token, "context"), "loaded": ""}
    save(second, token, "context", old_page, other_answers("context"))
    assert ticked(first, token, "context") == as_ticked(other_answers("context"))


def labels_of(code: str, value) -> list[str]:
    item = AICT.items_by_code[code]
    if item.type == "scale":
        return [dict(AICT.scale_labels(item.scale, "fr"))[int(value)]]
    return [item.option_label(v, "fr") for v in (value if isinstance(value, list) else [value])]


def ticked_in(html: str) -> dict[str, set[str]]:
    shown = {}
    for tag in re.findall(r"<input[^>]*\bchecked\b[^>]*>", html):
        name, value = re.search(r'name="([^"]+)"', tag).group(1), re.search(r'value="([^"]*)"', tag).group(1)
        if not name.startswith("resolve-"):
            shown.setdefault(name, set()).add(value)
    return shown


def hidden_fields(html: str) -> dict:
    return {name: unescape(re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1))
            for name in ("csrf_token", "loaded", "page_lang")}
