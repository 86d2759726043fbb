"""Every organiser URL: no session → login; another organiser's round → 404; a respondent's link opens nothing."""
import pytest

from tests.factories import create_organiser, login
from tests.respond.helpers import csrf_token


def organiser_urls(app, round_id, invitation_id, organiser_id):
    """Every rule of the organiser blueprint, filled with ids of the round under test."""
    values = {"round_id": round_id, "invitation_id": invitation_id, "organiser_id": organiser_id, "partnership_id": 1,
              "authority_id": 1, "kind": "authorities", "job_id": 1, "version_id": 1, "draft_id": 1, "item_code": "REC_01",
              "section_code": "reciprocity", "number": 1, "token_id": 1}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("organiser.", "auth.")) or rule.endpoint == "auth.login":
            continue
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def round_invitation_id(app, round_id):
    from sqlalchemy import select

    from evalapp.extensions import db
    from evalapp.models import Invitation

    with app.app_context():
        return db.session.scalar(select(Invitation.id).where(Invitation.round_id == round_id))


@pytest.mark.parametrize("visitor", ["nobody", "respondent"])
def test_every_organiser_url_needs_a_login(app, client, round_id, tokens, organiser_id, visitor):
    if visitor == "respondent":
        # A respondent in the middle of answering: the session holds their link's state, nothing more.
        assert client.get(f"/r/{tokens[0]}").status_code == 200
    invitation_id = round_invitation_id(app, round_id)
    checked = 0
    for endpoint, method, path in organiser_urls(app, round_id, invitation_id, organiser_id):
        data = {"csrf_token": csrf_token(client.get("/o/login").text)} if method == "POST" else None
        response = client.open(path, method=method, data=data)
        assert response.status_code == 302 and "/o/login" in response.location, (endpoint, method, path)
        checked += 1
    assert checked > 20


def test_another_organisers_round_answers_404_on_every_round_url(app, round_id, tokens, organiser_id):
    create_organiser(app, "stranger@example.org")
    stranger = app.test_client()
    login(stranger, "stranger@example.org")
    token = csrf_token(stranger.get("/o/").text)
    invitation_id = round_invitation_id(app, round_id)
    checked = 0
    for endpoint, method, path in organiser_urls(app, round_id, invitation_id, organiser_id):
        if "round_id" not in path and f"/rounds/{round_id}" not in path:
            continue
        response = stranger.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 404, (endpoint, method, path)
        checked += 1
    assert checked >= 14
    # Nor does the round appear in the stranger's list.
    assert "Tour test 2026" not in stranger.get("/o/").text


def test_a_member_sees_the_round_and_an_administrator_sees_every_round(app, orga, round_id):
    create_organiser(app, "member@example.org")
    page = orga.get(f"/o/rounds/{round_id}/members")
    orga.post(f"/o/rounds/{round_id}/members", data={"csrf_token": csrf_token(page.text), "email": "member@example.org"})
    member = app.test_client()
    login(member, "member@example.org")
    assert member.get(f"/o/rounds/{round_id}").status_code == 200
    create_organiser(app, "admin@example.org", admin=True)
    admin = app.test_client()
    login(admin, "admin@example.org")
    assert admin.get(f"/o/rounds/{round_id}").status_code == 200


def test_an_invitation_of_another_round_is_404_through_my_round(app, orga, round_id, organiser_id):
    from tests.factories import create_partnership_invitations, create_round

    other_round = create_round(app, title="Autre tour")
    create_partnership_invitations(app, other_round)
    other_invitation = round_invitation_id(app, other_round)
    token = csrf_token(orga.get("/o/").text)
    response = orga.post(f"/o/rounds/{round_id}/invitations/{other_invitation}/revoke", data={"csrf_token": token})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/o/rounds/999999", "/o/rounds/999999/links.csv", "/o/authorities/999999/edit"])
def test_unknown_ids_are_404(orga, path):
    assert orga.get(path).status_code == 404
