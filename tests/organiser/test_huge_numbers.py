"""Numbers beyond any id or page in addresses and forms: 404 or the last page, never a 500."""
import pytest

from tests.api.helpers import bearer, make_token
from tests.respond.helpers import csrf_token, fill_everything, submit

HUGE = str(10**23)


def test_every_id_in_an_address_beyond_any_id_is_a_404(app, orga, round_id, tokens, organiser_id):
    api_token = bearer(make_token(app, organiser_id))
    checked = 0
    for rule in app.url_map.iter_rules():
        ids = {name for name, converter in rule._converters.items() if converter.__class__.__name__ == "IdConverter"}
        if not ids:
            continue
        path = rule.build({name: 10**23 if name in ids else "authorities" for name in rule.arguments})[1]
        for method in rule.methods & {"GET", "POST"}:
            if rule.endpoint.startswith("api."):
                # The API's: read with a token, answered in JSON.
                response = orga.open(path, method=method, headers=api_token)
                assert response.status_code == 404 and response.json["error"]["status"] == 404, rule.rule
                continue
            response = orga.open(path, method=method)
            assert response.status_code == 404, (rule.rule, method, response.status_code)
            assert "Page introuvable" in response.text
        checked += 1
    assert checked >= 20
    # No rule takes a bare integer any more: each says it is an id.
    assert not [r.rule for r in app.url_map.iter_rules() if "IntegerConverter" in
                {c.__class__.__name__ for c in r._converters.values()}]


@pytest.mark.parametrize("page", [HUGE, "-3", "0", "abc", "٣"])
def test_a_page_number_beyond_the_last_shows_the_last_page(app, orga, round_id, tokens, page):
    with app.app_context():
        from evalapp.directory.operations import create_authority
        from evalapp.extensions import db

        create_authority({"name": "Ville de Die", "kind": "commune", "country": "FR"}, None)
        db.session.commit()
    client = app.test_client()
    fill_everything(client, tokens[0])
    submit(client, tokens[0])
    for path, shows in [("/o/authorities", "Ville de Grenoble"), (f"/o/rounds/{round_id}", "Ville de Grenoble"),
                        (f"/o/rounds/{round_id}/texts", "Eau et assainissement"),
                        ("/o/directory/changes", "Ville de Die")]:
        response = orga.get(path, query_string={"page": page})
        assert response.status_code == 200 and shows in response.text, (path, page)
    stories = orga.get(f"/o/rounds/{round_id}/stories", query_string={"i": page})
    assert stories.status_code == 200 and "Un récit" in stories.text
    compare = orga.get(f"/o/rounds/{round_id}/compare", query_string={"with": [page, "1"]})
    assert compare.status_code == 200


def test_a_story_marked_with_a_huge_response_id_is_a_404(app, orga, round_id, tokens):
    page = orga.get(f"/o/rounds/{round_id}/stories")
    response = orga.post(f"/o/rounds/{round_id}/stories", data={
        "csrf_token": csrf_token(page.text), "response_id": HUGE, "item_code": "STO_01", "action": "select"})
    assert response.status_code == 404


@pytest.mark.parametrize("authority", [HUGE, "abc", "0"])
def test_the_history_of_an_authority_beyond_any_id_is_a_404(orga, authority):
    assert orga.get("/o/directory/changes", query_string={"authority": authority}).status_code == 404
