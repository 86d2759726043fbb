"""Organisers make and revoke their API tokens on their account page; tokens are stored hashed; last use is
written at most once a minute (the one write a GET may make, tests/writes.py)."""
import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine

from evalapp.extensions import db
from evalapp.models import ApiToken, Organiser
from evalapp.models.base import utcnow
from tests.api.helpers import bearer, make_token
from tests.factories import create_organiser, login
from tests.respond.helpers import csrf_token
from tests.writes import writes_during_reads


def _make(client, name):
    page = client.get("/o/account")
    return client.post("/o/account", data={"csrf_token": csrf_token(page.text), "name": name})


def test_a_token_is_shown_once_stored_hashed_and_listed_with_its_name_and_dates(app, orga):
    assert "You have no API token." in orga.get("/o/account").text or "aucun jeton" in orga.get("/o/account").text

    made = _make(orga, "Tableau de bord <réseau>")
    assert made.status_code == 201
    secret = re.search(r'value="(evk_[A-Za-z0-9_-]+)"', made.text)[1]
    assert "Tableau de bord &lt;réseau&gt;" in made.text
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in {token.name, token.prefix, token.secret_hash} and secret.startswith(token.prefix)
        assert token.created_at is not None and token.last_used_at is None

    # Shown once: the account page lists it by name and first characters, never whole again.
    listed = orga.get("/o/account").text
    assert secret not in listed and f"{secret[:8]}…" in listed and "Tableau de bord &lt;réseau&gt;" in listed

    assert orga.get("/api/v1/rounds", headers=bearer(secret)).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_a_token_needs_a_name_and_the_form_its_csrf_token(app, orga):
    nameless = _make(orga, "  ")
    assert nameless.status_code == 400 and "evk_" not in nameless.text
    assert orga.post("/o/account", data={"name": "sans jeton CSRF"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(ApiToken)) is None


def test_a_revoked_token_opens_nothing_and_only_its_organiser_revokes_it(app, orga, organiser_id):
    secret = make_token(app, organiser_id)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))

    create_organiser(app, "autre@example.org")
    other = app.test_client()
    login(other, "autre@example.org")
    page = other.get("/o/account")
    assert other.post(f"/o/account/tokens/{token_id}/revoke",
                      data={"csrf_token": csrf_token(page.text)}).status_code == 404
    assert orga.get("/api/v1/rounds", headers=bearer(secret)).status_code == 200

    page = orga.get("/o/account")
    revoked = orga.post(f"/o/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(page.text)},
                        follow_redirects=True)
    assert revoked.status_code == 200 and secret not in revoked.text
    with app.app_context():
        assert db.session.scalar(select(ApiToken.revoked_at)) is not None
    answer = orga.get("/api/v1/rounds", headers=bearer(secret))
    assert answer.status_code == 401 and "revoked" in answer.json["error"]["message"]


def test_last_use_is_written_at_most_once_a_minute_and_nothing_else(app, client, organiser_id, round_id):
    secret = make_token(app, organiser_id)
    updates = []

    def count(conn, cursor, sql, *args):
        if sql.lstrip().startswith("UPDATE api_tokens SET last_used_at") and "WHERE api_tokens.id" in sql:
            updates.append(sql)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        with writes_during_reads() as writes:
            for _ in range(3):
                assert client.get(f"/api/v1/rounds/{round_id}", headers=bearer(secret)).status_code == 200
            assert len(updates) == 1
            with app.app_context():
                db.session.execute(update(ApiToken).values(last_used_at=utcnow() - timedelta(minutes=2)))
                db.session.commit()
            assert client.get("/api/v1/rounds", headers=bearer(secret)).status_code == 200
            assert len(updates) == 2
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    # The last use is the only write, and passes the check that a GET writes nothing else.
    assert writes == []
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) > utcnow() - timedelta(minutes=1)


@pytest.mark.writes_on_a_get
def test_the_check_allows_a_token_s_last_use_and_nothing_beside_it(app, client, organiser_id):
    """The one write a GET may make is the last use alone: written with anything else, it is caught."""
    make_token(app, organiser_id)

    @app.get("/test-token-writes")
    def write_more():
        with db.engine.begin() as connection:
            token_id = connection.scalar(select(ApiToken.id))
            connection.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow(),
                                                                                     name="changed"))
        with db.engine.begin() as connection:
            connection.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))
            connection.execute(update(Organiser).values(name="changed"))
        return "written"

    with writes_during_reads() as writes:
        assert client.get("/test-token-writes").status_code == 200
    assert [w.split(": ", 1)[1].split("=")[0] for w in writes] == [
        "UPDATE api_tokens SET name", "COMMIT", "UPDATE organisers SET name", "COMMIT"]
