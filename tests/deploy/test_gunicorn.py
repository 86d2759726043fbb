"""The deployment of docs/deploy.md, end to end: gunicorn started with the shipped gunicorn.conf.py and
the settings of docs/deploy/evalapp.env.example, on PostgreSQL and Redis.

The test plays nginx (docs/deploy/nginx-evalapp.conf): it sends the headers nginx sets and treats
the hop as HTTPS, since nginx ends TLS. So the production settings apply as the example file has
them: PROXY_COUNT=1, FORCE_HTTPS=1, SESSION_COOKIE_SECURE=1, counts in Redis. Only what names this
machine changes: the database, Redis, the secret key, the base URL. The first organiser is made
with the documented command; then two respondents answer a partnership's links from the first page
to the submission, the organiser logs in and reads the dashboard, and the access log holds no
invitation token. An export job started from the export page waits for the documented worker
command (`flask --app evalapp worker`, in burst mode), which runs it from Redis; its file then
downloads complete.
"""
import csv
import io
import os
import re
import secrets
import subprocess
import sys
from contextlib import contextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest

from tests.factories import create_partnership_invitations, create_round
from tests.load.respondent import Session, csrf_token, walk
from tests.load.server import ROOT, SHIPPED_CONFIG, gunicorn
from tests.safety.test_load import differences, stored

ENV_EXAMPLE = ROOT / "docs" / "deploy" / "evalapp.env.example"
#: The Redis of these tests (its database 7 by default): the rate-limit counts go there.
REDIS_URL = os.environ.get("TEST_DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/7")
ADMIN, PASSWORD = "admin@evalapp.test", "a long password for the test"


def environment_file(path: Path) -> dict:
    """KEY=value lines, as systemd's EnvironmentFile reads the subset the example file keeps to."""
    found = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            found[key] = value[1:-1] if value[:1] == value[-1:] == '"' else value
    return found


def production_settings(database_url: str) -> dict:
    """The example file's settings, with this machine's database, Redis and a secret key; no SMTP here."""
    settings = {key: value for key, value in environment_file(ENV_EXAMPLE).items() if not key.startswith("MAIL_")}
    return {**settings, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
            "RATELIMIT_STORAGE_URI": REDIS_URL, "REDIS_URL": REDIS_URL}


class BehindNginx(Session):
    """A browser's session as gunicorn sees it behind nginx: every request carries the X-Forwarded-*
    headers nginx sets, and its secure cookies go back over the hop, which is HTTPS up to nginx."""

    def __init__(self, client_address: str, host: str):
        policy = DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        self._opener = build_opener(HTTPCookieProcessor(CookieJar(policy)))
        self._opener.addheaders = [("X-Forwarded-For", client_address), ("X-Forwarded-Proto", "https"),
                                   ("X-Forwarded-Host", host)]


@pytest.fixture
def redis_for_counts():
    from redis import Redis
    from redis.exceptions import RedisError

    redis = Redis.from_url(REDIS_URL)
    try:
        redis.flushdb()
    except RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL} ({exc}): docs/deploy.md keeps the counts there")
    yield
    redis.flushdb()


@contextmanager
def deployment(app, **more):
    """gunicorn with the shipped configuration and the example file's settings (``more`` on top)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL): docs/deploy.md runs evalapp on PostgreSQL")
    settings = {**production_settings(app.config["SQLALCHEMY_DATABASE_URI"]), **more}
    with gunicorn(settings["DATABASE_URL"], settings=settings, config=SHIPPED_CONFIG) as server:
        server.settings = settings
        yield server


def flask_command(settings: dict, *args: str) -> subprocess.CompletedProcess:
    """``flask --app evalapp ARGS`` with the deployment's settings, as evalapp-flask runs it."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "evalapp", *args], cwd=ROOT,
                          env={**os.environ, **settings}, capture_output=True, text=True, timeout=120)


def answered_round(app, server, title: str) -> tuple[int, list[str], BehindNginx]:
    """A partnership invited to a new round, both sides answered and submitted through their links, and
    the administrator (made by the documented command) logged in: (round id, tokens, organiser)."""
    made = flask_command(server.settings, "organiser", "create", ADMIN, "--password", PASSWORD, "--admin")
    assert made.returncode == 0, made.stderr
    round_id = create_round(app, title=title)
    home, partner = create_partnership_invitations(app, round_id, partner_lang="en")
    host = server.url.removeprefix("http://")
    given = {token: walk(BehindNginx(f"203.0.113.{n}", host), server.url, token, side, seed=n)
             for n, (token, side) in enumerate(((home, "home"), (partner, "partner")), start=1)}
    assert differences(given, stored(app)) == []

    organiser = BehindNginx("198.51.100.4", host)
    page = organiser.get(server.url + "/o/login")
    logged_in = organiser.post(server.url + "/o/login",
                               {"csrf_token": csrf_token(page.text), "email": ADMIN, "password": PASSWORD})
    assert logged_in.status_code == 200 and logged_in.url.endswith("/o/")
    return round_id, [home, partner], organiser


def test_the_shipped_configuration_serves_respondents_and_organisers(app, redis_for_counts):
    with deployment(app) as server:
        round_id, tokens, organiser = answered_round(app, server, "Tour déployé 2027")
        dashboard = organiser.get(f"{server.url}/o/rounds/{round_id}/dashboard")
        # The application sees HTTPS through PROXY_COUNT: it sends HSTS itself (nginx must not add it).
        request = Request(server.url + "/o/login", headers={"X-Forwarded-Proto": "https"})
        with build_opener().open(request, timeout=10) as response:
            assert len(response.headers.get_all("Strict-Transport-Security")) == 1
        log = server.log()

    assert dashboard.status_code == 200 and "Tour déployé 2027" in dashboard.text
    # Both submissions counted in the response status table, in the page's language.
    submitted = {"fr": "Répondu", "en": "Submitted"}[re.search(r'<html lang="(\w+)"', dashboard.text).group(1)]
    assert f'<th scope="row">{submitted}</th><td>2</td>' in dashboard.text

    assert not any(token in log for token in tokens)
    respondent_lines = [line for line in log.splitlines() if '"GET /r/<token>' in line or '"POST /r/<token>' in line]
    assert len(respondent_lines) >= 2 * 10
    # The address is the client's, read from X-Forwarded-For by the application (PROXY_COUNT=1).
    assert all(re.match(r"203\.0\.113\.[12] ", line) for line in respondent_lines), respondent_lines[:3]
    assert any(line.startswith("198.51.100.4 ") and "/dashboard" in line for line in log.splitlines())


def test_an_export_job_runs_on_the_documented_worker(app, redis_for_counts, tmp_path):
    """An export job started from the export page is processed by `flask --app evalapp worker --burst` on
    Redis (REDIS_URL of the example file, here this machine's), and its file downloads complete: one row
    per response, the bytes of the same export made by `flask --app evalapp export` at once."""
    # A round of two responses makes a job once the threshold is below two.
    with deployment(app, EXPORT_JOB_THRESHOLD="1") as server:
        round_id, _, organiser = answered_round(app, server, "Tour exporté 2027")
        page = organiser.get(f"{server.url}/o/rounds/{round_id}/export")
        started = organiser.post(f"{server.url}/o/rounds/{round_id}/export", {
            "csrf_token": csrf_token(page.text), "layout": "wide", "preset": "analysis", "headers": "codes",
            "values": "codes", "lang": "fr", "delimiter": ","})
        job_page = re.fullmatch(r".*(/o/jobs/(\d+))", started.url)
        assert started.status_code == 200 and job_page, started.url
        download = f'href="{job_page.group(1)}/download"'
        assert download not in started.text  # waiting for a worker: nothing runs it in the web process

        worked = flask_command(server.settings, "worker", "--burst")
        assert worked.returncode == 0, worked.stdout + worked.stderr
        done = organiser.get(server.url + job_page.group(1))
        assert download in done.text
        file = organiser.get(f"{server.url}{job_page.group(1)}/download")

    assert file.status_code == 200
    at_once = tmp_path / "at-once.csv"
    made = flask_command(server.settings, "export", str(round_id), "--for", "analysis", "-o", str(at_once))
    assert made.returncode == 0, made.stderr
    assert file.text == at_once.read_bytes().decode("utf-8")
    assert len(list(csv.reader(io.StringIO(file.text, newline="")))) == 1 + 2


def test_the_shipped_configuration_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    started = subprocess.run([sys.executable, "-m", "gunicorn", "--config", str(SHIPPED_CONFIG)], cwd=ROOT,
                             env={**env, "BIND": "127.0.0.1:0"}, capture_output=True, text=True, timeout=60)
    assert started.returncode != 0
    assert "SECRET_KEY is not set" in started.stderr
