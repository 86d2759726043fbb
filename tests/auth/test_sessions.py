"""An organiser's session is a record on the server that the cookie names: logging out, a password
change elsewhere, a deactivation or the session's age ends it for good, and a copy of the cookie
opens nothing afterwards. Reading a page writes nothing."""
from datetime import timedelta

from sqlalchemy import event, update

from evalapp.extensions import db
from evalapp.models.base import utcnow
from tests.auth.helpers import copy_of_cookies, logout
from tests.factories import create_organiser, login
from tests.organiser.test_access import organiser_urls, round_invitation_id
from tests.respond.helpers import csrf_token


def opens_nothing(app, client, round_id, organiser_id, token):
    """Every organiser URL (GET and POST) sends ``client`` to the login page."""
    invitation_id = round_invitation_id(app, round_id)
    checked = 0
    for endpoint, method, path in organiser_urls(app, round_id, invitation_id, organiser_id):
        response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 302 and "/o/login" in response.location, (endpoint, method, path)
        checked += 1
    return checked > 20


def test_a_cookie_copied_before_logout_opens_no_organiser_page_after(app, orga, round_id, tokens, organiser_id):
    copy = copy_of_cookies(app, orga)
    page = copy.get("/o/")
    assert page.status_code == 200  # the copy works while the session is open
    logout(orga)
    assert opens_nothing(app, copy, round_id, organiser_id, csrf_token(page.text))
    assert opens_nothing(app, orga, round_id, organiser_id, csrf_token(page.text))
    # Logging in again opens a new session; the old copy stays closed.
    assert login(orga).status_code == 303
    assert copy.get("/o/").status_code == 302


def test_logging_out_of_one_browser_leaves_the_others_logged_in(app, orga):
    laptop = app.test_client()
    login(laptop)
    logout(orga)
    assert laptop.get("/o/").status_code == 200


def test_a_password_change_ends_every_other_session_and_their_copies(app, orga):
    copy = copy_of_cookies(app, orga)
    laptop = app.test_client()
    login(laptop)
    page = laptop.get("/o/password")
    laptop.post("/o/password", data={"csrf_token": csrf_token(page.text), "current_password": "correct horse battery",
                                     "new_password": "a new long password", "confirm": "a new long password"})
    assert laptop.get("/o/").status_code == 200
    assert orga.get("/o/").status_code == 302 and copy.get("/o/").status_code == 302


def test_deactivating_an_account_ends_its_sessions_for_good(app, orga, organiser_id):
    create_organiser(app, "admin@example.org", admin=True)
    admin = app.test_client()
    login(admin, "admin@example.org")
    token = csrf_token(admin.get("/o/admin/organisers").text)
    admin.post(f"/o/admin/organisers/{organiser_id}/active", data={"csrf_token": token})
    response = orga.get("/o/")
    assert response.status_code == 302 and "/o/login" in response.location
    admin.post(f"/o/admin/organisers/{organiser_id}/active", data={"csrf_token": token})  # reactivated
    assert orga.get("/o/").status_code == 302
    assert login(orga).status_code == 303


def test_a_session_ends_at_the_latest_its_lifetime_after_login(app_with, organiser_id):
    app = app_with(ORGANISER_SESSION_HOURS=12)
    client = app.test_client()
    login(client)
    from evalapp.models import OrganiserSession

    with app.app_context():
        db.session.execute(update(OrganiserSession).values(created_at=utcnow() - timedelta(hours=11, minutes=59)))
        db.session.commit()
    assert client.get("/o/").status_code == 200
    with app.app_context():
        db.session.execute(update(OrganiserSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1)))
        db.session.commit()
    response = client.get("/o/")
    assert response.status_code == 302 and "/o/login" in response.location


def test_an_organiser_reading_pages_writes_nothing(app, orga, round_id):
    writes = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for path in ["/o/", "/o/password", "/o/authorities", f"/o/rounds/{round_id}"]:
            assert orga.get(path).status_code == 200, path
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert writes == []
