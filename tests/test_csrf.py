"""Every state-changing request is a POST that needs a valid CSRF token."""
import pytest

from tests.factories import create_organiser, login


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


def test_every_post_without_or_with_a_wrong_token_is_refused(app, admin, round_id, tokens):
    values = {"round_id": round_id, "invitation_id": 1, "organiser_id": 1, "authority_id": 1,
              "token": tokens[0], "code": "profile", "kind": "authorities", "partnership_id": 1}
    checked = 0
    for rule in post_rules(app):
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for data in ({}, {"csrf_token": "forged"}):
            response = admin.post(path, data=data)
            assert response.status_code == 400, (rule.rule, data)
        checked += 1
    assert checked >= 20
