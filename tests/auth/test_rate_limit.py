"""Failed logins are limited without letting a stranger keep an organiser out (OWASP's device cookies).

A browser that logged in to an account (since its password last changed) carries a signed device
cookie for it, and has its own limit. Every other client's failures count per account and per
address. A stranger failing again and again is throttled; the organiser, from their usual browser,
still logs in. The counts are shared by workers through Redis."""
import socket
import uuid

import pytest

from tests.auth.helpers import logout, usual_browser
from tests.factories import create_organiser, login
from tests.respond.helpers import csrf_token

BLOCKED_FOR_STRANGERS = "Trop de tentatives infructueuses pour ce compte ou depuis cette adresse réseau"
BLOCKED_FOR_THIS_BROWSER = "Trop de tentatives infructueuses depuis ce navigateur"


@pytest.fixture
def organiser(app):
    return create_organiser(app)


def stranger_fails(app, times, addresses, email="orga@example.org"):
    """A stranger's browser (no device cookie) fails ``times`` logins, from the addresses in turn."""
    stranger = app.test_client()
    for n in range(times):
        response = login(stranger, email, "guessed password", REMOTE_ADDR=addresses[n % len(addresses)])
        assert response.status_code in (401, 429)
    return stranger


def test_five_failures_block_the_account_for_unknown_browsers_even_from_other_addresses(client, organiser):
    for n in range(5):
        assert login(client, password="wrong", REMOTE_ADDR=f"10.0.0.{n}").status_code == 401
    blocked = login(client, REMOTE_ADDR="10.0.0.99")  # the right password, another address
    assert blocked.status_code == 429
    assert BLOCKED_FOR_STRANGERS in blocked.text
    # Another account is not blocked.
    create_organiser(client.application, "other@example.org")
    assert login(client, "other@example.org", REMOTE_ADDR="10.0.0.98").status_code == 303


def test_successful_logins_do_not_count(client, organiser):
    for _ in range(8):
        assert login(client).status_code == 303
        client._cookies.clear()


def test_one_address_trying_many_accounts_is_blocked(client, organiser):
    for n in range(20):
        assert login(client, f"nobody{n}@example.org", "wrong", REMOTE_ADDR="10.1.1.1").status_code == 401
    assert login(client, REMOTE_ADDR="10.1.1.1").status_code == 429
    assert login(client, REMOTE_ADDR="10.1.1.2").status_code == 303


@pytest.mark.parametrize("addresses", [["203.0.113.5"], [f"198.51.100.{n}" for n in range(30)]],
                         ids=["one address", "many addresses"])
def test_a_stranger_failing_again_and_again_does_not_keep_the_organiser_out(app, organiser, addresses):
    mine = usual_browser(app, REMOTE_ADDR="192.0.2.10")
    stranger = stranger_fails(app, 30, addresses)
    # The stranger is throttled, even with the right password, and so is any browser without a device cookie.
    assert login(stranger, REMOTE_ADDR=addresses[0]).status_code == 429
    blocked = login(app.test_client(), REMOTE_ADDR="192.0.2.10")
    assert blocked.status_code == 429 and BLOCKED_FOR_STRANGERS in blocked.text
    # The organiser, from their usual browser, logs in, from their own address or the stranger's.
    assert login(mine, REMOTE_ADDR="192.0.2.10").status_code == 303
    logout(mine)
    assert login(mine, REMOTE_ADDR=addresses[0]).status_code == 303
    # And the stranger stays throttled.
    assert login(stranger, "orga@example.org", "guessed password", REMOTE_ADDR=addresses[-1]).status_code == 429


def test_the_usual_browser_has_its_own_limit(app_with, organiser):
    app = app_with(LOGIN_LIMIT_PER_DEVICE="3 per minute")
    mine = usual_browser(app)
    for _ in range(3):
        assert login(mine, password="mistyped").status_code == 401
    blocked = login(mine)
    assert blocked.status_code == 429 and BLOCKED_FOR_THIS_BROWSER in blocked.text
    # Those failures were this browser's own: the account's count for other browsers is untouched.
    assert login(app.test_client()).status_code == 303


def test_a_device_cookie_counts_for_its_own_account_only(app, organiser):
    create_organiser(app, "other@example.org")
    mine = usual_browser(app)
    stranger_fails(app, 10, ["203.0.113.5"], email="other@example.org")
    assert login(mine, "other@example.org", REMOTE_ADDR="192.0.2.10").status_code == 429
    assert login(mine, REMOTE_ADDR="192.0.2.10").status_code == 303


def test_a_password_change_ends_the_device_cookies_given_before(app, organiser):
    old = usual_browser(app)
    laptop = app.test_client()
    login(laptop)
    page = laptop.get("/o/password")
    assert laptop.post("/o/password", data={
        "csrf_token": csrf_token(page.text), "current_password": "correct horse battery",
        "new_password": "a new long password", "confirm": "a new long password"}).status_code == 303
    logout(laptop)
    stranger_fails(app, 10, ["203.0.113.5"])
    assert login(old, password="a new long password").status_code == 429
    # The browser the password was changed in was given a new one.
    assert login(laptop, password="a new long password").status_code == 303


def test_a_forged_or_altered_device_cookie_is_not_trusted(app, organiser):
    mine = usual_browser(app)
    cookie = mine.get_cookie("evalapp_device", path="/o/login")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    stranger_fails(app, 10, ["203.0.113.5"])
    for forged in [cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB"), "1", ""]:
        client = app.test_client()
        client.set_cookie("evalapp_device", forged, path="/o/login")
        assert login(client).status_code == 429


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_the_limits_hold_across_workers_sharing_redis(app_with, organiser):
    # Keys of this test's own: other test runs may reset their counts in the same Redis meanwhile.
    shared = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
              "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"evalapp-test-{uuid.uuid4().hex}"}}
    worker_a, worker_b = app_with(**shared), app_with(**shared)
    mine = usual_browser(worker_a)  # its device cookie given by one worker, read by the other
    for _ in range(3):
        assert login(worker_a.test_client(), password="wrong").status_code == 401
    for _ in range(2):
        assert login(worker_b.test_client(), password="wrong").status_code == 401
    assert login(worker_a.test_client()).status_code == 429
    assert login(worker_b.test_client()).status_code == 429
    mine.application = worker_b
    assert login(mine).status_code == 303


def test_too_many_wrong_current_passwords_are_told_on_the_password_page(orga):
    page = orga.get("/o/password")
    data = {"csrf_token": csrf_token(page.text), "current_password": "not it at all",
            "new_password": "a new long password", "confirm": "a new long password"}
    for _ in range(5):
        assert "est pas votre mot de passe actuel" in orga.post("/o/password", data=data).text
    blocked = orga.post("/o/password", data=data)
    assert blocked.status_code == 429
    assert "Trop de mots de passe erronés" in blocked.text and "Changer mon mot de passe" in blocked.text
    assert "Trop de tentatives" not in blocked.text
