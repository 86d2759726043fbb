"""The invitation link is the respondent's credential: a page sent after the browser lost its
cookies (closed and reopened, a phone that dropped them, a page left open overnight) is saved."""
import re

import pytest
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Answer, Invitation, Response
from tests.factories import create_partnership_invitations, create_round
from tests.respond.helpers import csrf_token, fill_everything, section_data, start


@pytest.fixture
def tokens(app):
    return create_partnership_invitations(app, create_round(app))


def state(app, token):
    with app.app_context():
        response = db.session.scalar(select(Response).join(Invitation).where(Invitation.token == token))
        answers = db.session.scalars(select(Answer).where(Answer.response_id == response.id)).all()
        return response.status, response.respondent_role, {(a.item_code, a.choice) for a in answers}


def without_cookies(app):
    """The same browser once it lost its cookies: a client that never saw the site."""
    return app.test_client()


def test_a_page_sent_after_the_cookie_was_lost_is_saved(app, tokens):
    token = tokens[0]
    browser = app.test_client()
    start(browser, token)
    page = browser.get(f"/r/{token}/p/profile").text
    response = without_cookies(app).post(f"/r/{token}/p/profile", data={
        "csrf_token": csrf_token(page), "action": "next", **section_data("profile")})
    assert response.status_code == 303 and response.location.endswith("/p/context")
    assert ("PRO_03", "") in state(app, token)[2]


def test_starting_switching_language_and_submitting_work_without_the_cookie(app, tokens):
    token = tokens[0]
    welcome = app.test_client().get(f"/r/{token}").text
    started = without_cookies(app).post(f"/r/{token}/start", data={"csrf_token": csrf_token(welcome),
                                                                   "respondent_role": "elected"})
    assert started.status_code == 303 and state(app, token)[:2] == ("in_progress", "elected")

    fill_everything(app.test_client(), token)
    review = app.test_client().get(f"/r/{token}/review").text
    # The review page's language switch is the invitation's own form.
    form = re.search(r'<form method="post" action="(/r/[^"]+/language)">\s*<input type="hidden" name="csrf_token" '
                     r'value="([^"]+)"', review)
    browser = without_cookies(app)
    switched = browser.post(form.group(1), data={"csrf_token": form.group(2), "lang": "en",
                                                 "next": f"/r/{token}/review"})
    assert switched.location == f"/r/{token}/review"
    assert "Review and submit" in browser.get(switched.location).text

    submitted = without_cookies(app).post(f"/r/{token}/submit", data={"csrf_token": csrf_token(review)})
    assert submitted.status_code == 303 and state(app, token)[0] == "submitted"


def test_the_token_of_another_invitations_page_saves_nothing_and_gives_the_page_back(app, tokens):
    home, partner = tokens
    start(app.test_client(), home)
    before = state(app, home)
    partners_page = app.test_client().get(f"/r/{partner}").text
    response = app.test_client().post(f"/r/{home}/p/profile", data={
        "csrf_token": csrf_token(partners_page), "action": "next", **section_data("profile"), "PRO_03": "1990"})
    assert response.status_code == 422
    assert "Cette page n'a pas encore été enregistrée" in response.text and 'value="1990"' in response.text
    assert state(app, home) == before
    # Sent again as it came back, the page is saved.
    again = app.test_client().post(f"/r/{home}/p/profile", data={
        "csrf_token": csrf_token(response.text), "action": "next", **section_data("profile"), "PRO_03": "1990"})
    assert again.status_code == 303 and ("PRO_03", "") in state(app, home)[2]


def test_respondent_pages_do_not_depend_on_the_session_cookie(app, tokens):
    """Reading a respondent's page sets no cookie: nothing there is kept in the session."""
    token = tokens[0]
    browser = app.test_client()
    start(browser, token)
    for path in (f"/r/{token}", f"/r/{token}/p/profile", f"/r/{token}/review"):
        assert "Set-Cookie" not in app.test_client().get(path).headers, path
