"""A login does the same work whatever the address: one password hash of the same cost is checked for
an unknown address, an inactive account, a wrong password and the right one, so that the time a
login takes does not tell whether an address has an account (tests/benchmarks/login.py prints the
times; tests are not timed)."""
import hashlib

import pytest

from evalapp.extensions import db
from evalapp.models import Organiser
from tests.factories import create_organiser, login


@pytest.fixture
def scrypt_calls(monkeypatch):
    """The (n, r, p) of every scrypt computation, the costly part of checking a password."""
    calls = []
    real = hashlib.scrypt

    def spy(password, *, salt, n, r, p, **options):
        calls.append((n, r, p))
        return real(password, salt=salt, n=n, r=r, p=p, **options)

    monkeypatch.setattr(hashlib, "scrypt", spy)
    return calls


def test_every_login_checks_one_password_hash_of_the_same_cost(app, scrypt_calls):
    create_organiser(app)
    create_organiser(app, "former@example.org")
    with app.app_context():
        db.session.query(Organiser).filter_by(email="former@example.org").one().active = False
        db.session.commit()
    attempts = {
        "right password": ("orga@example.org", "correct horse battery", 303),
        "wrong password": ("orga@example.org", "not the password", 401),
        "unknown address": ("nobody@example.org", "correct horse battery", 401),
        "inactive account": ("former@example.org", "correct horse battery", 401),
    }
    work = {}
    for name, (email, password, status) in attempts.items():
        scrypt_calls.clear()
        assert login(app.test_client(), email, password).status_code == status, name
        work[name] = list(scrypt_calls)
    assert len(work["right password"]) == 1
    assert all(calls == work["right password"] for calls in work.values()), work


def test_the_page_says_the_same_for_an_unknown_address_an_inactive_account_and_a_wrong_password(app):
    create_organiser(app)
    create_organiser(app, "former@example.org")
    with app.app_context():
        db.session.query(Organiser).filter_by(email="former@example.org").one().active = False
        db.session.commit()
    pages = [login(app.test_client(), email, password) for email, password in [
        ("orga@example.org", "not the password"), ("nobody@example.org", "x" * 12),
        ("former@example.org", "correct horse battery")]]
    assert {page.status_code for page in pages} == {401}
    assert all("Adresse ou mot de passe incorrect." in page.text for page in pages)
