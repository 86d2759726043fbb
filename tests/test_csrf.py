"""Every state-changing request is a POST that needs a valid CSRF token.

Organisers' forms carry Flask-WTF's token, bound to their session: without it, 400. The
respondent's forms carry a token bound to the invitation link instead (evalapp/respond/csrf.py),
so that a page sent after the cookie was lost still saves; without it, nothing is saved and the
page comes back.
"""
import pytest
from sqlalchemy import func, select

from evalapp.extensions import db
from evalapp.models import Answer, Response, ResponseStatus
from tests.factories import create_organiser, login
from tests.respond.helpers import section_data


@pytest.fixture
def admin(app, round_id, tokens):
    create_organiser(app, "admin@example.org", admin=True)
    client = app.test_client()
    login(client, "admin@example.org")
    return client


def post_rules(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            yield rule


FORGED = ({}, {"csrf_token": "forged"})


def test_every_organiser_post_without_or_with_a_wrong_token_is_refused(app, admin, round_id, tokens):
    values = {"round_id": round_id, "invitation_id": 1, "organiser_id": 1, "authority_id": 1,
              "code": "profile", "kind": "authorities", "partnership_id": 1, "job_id": 1, "version_id": 1, "draft_id": 1,
              "section_code": "profile", "item_code": "PRO_01", "number": 1, "token_id": 1}
    checked = 0
    for rule in post_rules(app):
        if rule.endpoint.startswith("respond."):
            continue
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for data in FORGED:
            response = admin.post(path, data=data)
            assert response.status_code == 400, (rule.rule, data)
        checked += 1
    assert checked >= 20


def test_every_respondent_post_without_the_pages_token_saves_nothing(app, round_id, tokens):
    """From another site, or forged: whatever is sent, the response stays as it was."""
    client = app.test_client()
    cross_site = {"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"}
    checked = 0
    for rule in post_rules(app):
        if not rule.endpoint.startswith("respond."):
            continue
        path = rule.build({"token": tokens[0], "code": "profile"})[1]
        for data in FORGED:
            sent = {**data, **section_data("profile"), "respondent_role": "elected", "action": "next", "lang": "en"}
            response = client.post(path, data=sent, headers=cross_site)
            assert response.status_code in (303, 403, 422), (rule.rule, response.status_code)
            assert "Traceback" not in response.text
        checked += 1
    assert checked >= 5
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
        assert {(r.status, r.respondent_role) for r in db.session.scalars(select(Response))} == {
            (ResponseStatus.NOT_STARTED, None)}
    assert '<html lang="fr">' in client.get(f"/r/{tokens[0]}").text


def test_over_https_organisers_forms_need_their_token_and_no_referer(app_with, organiser_id):
    """Behind nginx over HTTPS (PROXY_COUNT=1, X-Forwarded-Proto: https), as in production. Pages ask
    browsers to send no Referer (Referrer-Policy: no-referrer), so an organiser's form arrives without
    one: the token decides alone. With it, the login goes through; without it, 400."""
    from tests.respond.helpers import csrf_token

    client = app_with(PROXY_COUNT=1).test_client()
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    page = client.get("/o/login", headers=https)
    credentials = {"email": "orga@example.org", "password": "correct horse battery"}
    assert client.post("/o/login", data=credentials, headers=https).status_code == 400
    logged_in = client.post("/o/login", data={"csrf_token": csrf_token(page.text), **credentials}, headers=https)
    assert logged_in.status_code == 303 and logged_in.headers["Location"] == "/o/"
    assert client.get("/o/", headers=https).status_code == 200
