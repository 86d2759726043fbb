"""Failed logins are limited per account and per address, across workers with a shared store."""
import socket

import pytest

from tests.factories import create_organiser, login


@pytest.fixture
def organiser(app):
    return create_organiser(app)


def test_five_failures_block_the_account_for_a_minute_even_from_other_addresses(client, organiser):
    for n in range(5):
        assert login(client, password="wrong", REMOTE_ADDR=f"10.0.0.{n}").status_code == 401
    blocked = login(client, REMOTE_ADDR="10.0.0.99")  # the right password, another address
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.text
    # Another account is not blocked.
    create_organiser(client.application, "other@example.org")
    assert login(client, "other@example.org", REMOTE_ADDR="10.0.0.98").status_code == 303


def test_successful_logins_do_not_count(client, organiser):
    for _ in range(8):
        assert login(client).status_code == 303
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else client._cookies.clear()


def test_one_address_trying_many_accounts_is_blocked(client, organiser):
    for n in range(20):
        assert login(client, f"nobody{n}@example.org", "wrong", REMOTE_ADDR="10.1.1.1").status_code == 401
    assert login(client, REMOTE_ADDR="10.1.1.1").status_code == 429
    assert login(client, REMOTE_ADDR="10.1.1.2").status_code == 303


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_the_limit_holds_across_workers_sharing_redis(app_with, organiser):
    shared = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}
    worker_a, worker_b = app_with(**shared), app_with(**shared)
    for _ in range(3):
        assert login(worker_a.test_client(), password="wrong").status_code == 401
    for _ in range(2):
        assert login(worker_b.test_client(), password="wrong").status_code == 401
    assert login(worker_a.test_client()).status_code == 429
    assert login(worker_b.test_client()).status_code == 429
