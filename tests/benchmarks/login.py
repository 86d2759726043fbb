"""Benchmark: how long a failed login takes for a real address, an inactive account and an unknown one.

The times should be the same whatever the address (one password hash of the same cost is checked
in every case), so that they tell nobody which addresses have an account. Each login is a POST of
the login form through the test client, on a fresh SQLite database; the limits on failed logins are
lifted for the run. Not a test: `.venv/bin/python -m tests.benchmarks.login` (LOGINS=40 by default).
"""
import os
import statistics
import tempfile
import time
from pathlib import Path

from evalapp import create_app
from evalapp.auth.accounts import create_organiser
from evalapp.extensions import db
from tests.respond.helpers import csrf_token

LOGINS = int(os.environ.get("LOGINS", "40"))
CASES = {
    "real address, wrong password": ("orga@example.org", "not the password"),
    "inactive account": ("former@example.org", "correct horse battery"),
    "unknown address": ("nobody@example.org", "correct horse battery"),
    "real address, right password": ("orga@example.org", "correct horse battery"),
}


def bench_app(folder: str):
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'login.db'}", "SECRET_KEY": "bench",
                      "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute", "LOGIN_LIMIT_PER_ADDRESS": "100000 per minute"})
    with app.app_context():
        upgrade()
        create_organiser("orga@example.org", "correct horse battery")
        create_organiser("former@example.org", "correct horse battery").active = False
        db.session.commit()
    return app


def timed_login(app, email: str, password: str) -> float:
    client = app.test_client()
    token = csrf_token(client.get("/o/login").text)
    started = time.perf_counter()
    client.post("/o/login", data={"csrf_token": token, "email": email, "password": password})
    return (time.perf_counter() - started) * 1000


def main():
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(folder)
        times = {name: [] for name in CASES}
        for _ in range(LOGINS):  # the cases in turn, so that a slower moment of the machine touches them all
            for name, (email, password) in CASES.items():
                times[name].append(timed_login(app, email, password))
    print(f"Login POST, {LOGINS} of each, milliseconds (SQLite, test client)")
    print(f"{'':32} {'median':>8} {'min':>8} {'max':>8}")
    for name, values in times.items():
        print(f"{name:32} {statistics.median(values):8.1f} {min(values):8.1f} {max(values):8.1f}")


if __name__ == "__main__":
    main()
