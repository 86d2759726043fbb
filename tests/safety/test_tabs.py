"""Two tabs on one response, both opened before either saves: two pages saved keep both pages'
answers; one page saved twice shows what was saved last, nothing of the earlier save."""
import re

import pytest

from tests.factories import create_partnership_invitations, create_round
from tests.respond.helpers import AICT, csrf_token, section_data, start


@pytest.fixture(params=["two tabs of one browser", "two browsers"])
def tabs(request, app):
    """Two places the same invitation link is open in: sharing their cookies or not."""
    first = app.test_client()
    return first, first if request.param == "two tabs of one browser" else app.test_client()


@pytest.fixture
def token(app):
    return create_partnership_invitations(app, create_round(app))[0]


def open_page(tab, token, code) -> str:
    """Open the page and return its form's CSRF token, as the page keeps it until it is saved."""
    return csrf_token(tab.get(f"/r/{token}/p/{code}").text)


def save(tab, token, code, form_token, data):
    response = tab.post(f"/r/{token}/p/{code}", data={"csrf_token": form_token, "action": "save", **data})
    assert response.status_code == 303, response.text
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


def test_one_page_saved_from_two_tabs_keeps_the_later_save_whole(tabs, token):
    first, second = tabs
    start(first, token)
    earlier, later = section_data("context"), other_answers("context")
    assert set(earlier) == set(later) and all(earlier[code] != later[code] for code in earlier)
    first_form, second_form = open_page(first, token, "context"), open_page(second, token, "context")

    save(first, token, "context", first_form, earlier)
    save(second, token, "context", second_form, later)
    assert ticked(first, token, "context") == as_ticked(later)

    save(first, token, "context", first_form, earlier)  # the first tab, left open, saved again
    assert ticked(second, token, "context") == as_ticked(earlier)
