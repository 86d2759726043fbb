"""Organiser accounts: login, logout, password change, roles, the CLI."""
import pytest
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Organiser
from tests.factories import create_organiser, login
from tests.respond.helpers import csrf_token


@pytest.fixture
def organiser(app):
    return create_organiser(app)


def test_password_is_hashed_with_a_current_algorithm(app, organiser):
    with app.app_context():
        stored = db.session.get(Organiser, organiser).password_hash
    assert "correct horse battery" not in stored and stored.startswith("scrypt:")


def test_login_leads_to_the_rounds_and_logout_ends_the_session(client, organiser):
    assert client.get("/o/").status_code == 302
    response = login(client)
    assert response.status_code == 303 and response.location == "/o/"
    page = client.get("/o/")
    assert page.status_code == 200 and "Tours d'évaluation" in page.text.replace("&#39;", "'")
    assert client.get("/o/logout").status_code == 405  # logging out is a POST
    client.post("/o/logout", data={"csrf_token": csrf_token(page.text)})
    assert client.get("/o/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, organiser):
    response = login(client, password="wrong password!")
    assert response.status_code == 401 and "Adresse ou mot de passe incorrect." in response.text
    assert client.get("/o/").status_code == 302


def test_login_email_is_case_insensitive(client, organiser):
    assert login(client, email="ORGA@Example.org").status_code == 303


def test_session_cookie_is_httponly_and_samesite_lax(client, organiser):
    response = login(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(app_with, organiser):
    app = app_with(SESSION_COOKIE_SECURE=True)
    response = login(app.test_client())
    assert "Secure" in response.headers["Set-Cookie"]


def test_login_post_without_csrf_is_refused(client, organiser):
    response = client.post("/o/login", data={"email": "orga@example.org", "password": "correct horse battery"})
    assert response.status_code == 400


def test_next_parameter_returns_to_the_page_asked_but_never_off_site(client, organiser):
    first = client.get("/o/authorities")
    assert first.status_code == 302 and "/o/login?next=" in first.location
    page = client.get("/o/login?next=/o/authorities")
    response = client.post("/o/login?next=/o/authorities", data={
        "csrf_token": csrf_token(page.text), "email": "orga@example.org", "password": "correct horse battery"})
    assert response.location == "/o/authorities"
    client.post("/o/logout", data={"csrf_token": csrf_token(client.get("/o/").text)})
    page = client.get("/o/login?next=https://evil.example/")
    response = client.post("/o/login?next=https://evil.example/", data={
        "csrf_token": csrf_token(page.text), "email": "orga@example.org", "password": "correct horse battery"})
    assert response.location == "/o/"


def test_password_change_ends_other_sessions(app, organiser):
    mine, other = app.test_client(), app.test_client()
    login(mine), login(other)
    page = mine.get("/o/password")
    response = mine.post("/o/password", data={"csrf_token": csrf_token(page.text), "current_password": "wrong",
                                              "new_password": "a new long password", "confirm": "a new long password"})
    assert "est pas votre mot de passe actuel" in response.text
    response = mine.post("/o/password", data={"csrf_token": csrf_token(page.text), "current_password": "correct horse battery",
                                              "new_password": "a new long password", "confirm": "a new long password"})
    assert response.status_code == 303
    assert mine.get("/o/").status_code == 200
    assert other.get("/o/").status_code == 302
    fresh = app.test_client()
    assert login(fresh).status_code == 401
    assert login(fresh, password="a new long password").status_code == 303


def test_deactivated_account_cannot_log_in(app, client, organiser):
    with app.app_context():
        db.session.get(Organiser, organiser).active = False
        db.session.commit()
    assert login(client).status_code == 401


def test_only_administrators_manage_accounts(app, client, organiser):
    login(client)
    assert client.get("/o/admin/organisers").status_code == 404
    admin = app.test_client()
    create_organiser(app, "admin@example.org", admin=True)
    login(admin, "admin@example.org")
    page = admin.get("/o/admin/organisers")
    assert page.status_code == 200
    response = admin.post("/o/admin/organisers", data={"csrf_token": csrf_token(page.text), "email": "new@example.org",
                                                       "password": "long enough password", "name": "Nouvelle"})
    assert response.status_code == 303
    assert login(app.test_client(), "new@example.org", "long enough password").status_code == 303
    response = admin.post("/o/admin/organisers", data={"csrf_token": csrf_token(page.text), "email": "new@example.org",
                                                       "password": "long enough password"})
    assert "existe déjà" in response.text


def test_cli_creates_an_organiser_with_a_password_or_a_prompt(app, runner):
    result = runner.invoke(args=["organiser", "create", "cli@example.org", "--password", "scripted password"])
    assert result.exit_code == 0 and "Created organiser cli@example.org" in result.output
    result = runner.invoke(args=["organiser", "create", "prompt@example.org", "--admin"],
                           input="prompted password\nprompted password\n")
    assert result.exit_code == 0 and "Created administrator" in result.output
    result = runner.invoke(args=["organiser", "create", "cli@example.org", "--password", "scripted password"])
    assert result.exit_code == 1 and "already exists" in result.output
    with app.app_context():
        emails = set(db.session.scalars(select(Organiser.email)))
    assert {"cli@example.org", "prompt@example.org"} <= emails
    assert login(app.test_client(), "prompt@example.org", "prompted password").status_code == 303
