"""Benchmark: respondents submitting while the round's N responses are counted after a bulk load.

At each size, on a copy of the benchmark database (tests/benchmarks/data.py; the copy is
dropped afterwards), the round's tallies are emptied and every response left to count, as
after a bulk load of N responses. Respondents of the same round, with the same type, country
and region as those responses (so that they need the very tally rows being counted), have
answered everything and only submit. On gunicorn (2 workers):

1. a few submit with nothing else running: the time of a submission alone;
2. the catch-up starts (`flask --app evalapp tallies catch-up ROUND`, another process);
   meanwhile respondents submit one a second, the dashboard and /healthz are asked every
   second, and PostgreSQL's sessions are watched every few milliseconds for those waiting
   on a lock (pg_stat_activity). Printed: how long the catch-up took, the submissions' times
   (opening the review page and submitting: median, 95th percentile, longest) beside their
   time alone, the longest time a web request waited on a lock, the dashboard's and /healthz's
   longest times;
3. the round's figures afterwards equal the same counted again from nothing.

Target: a submission waits less than 100 ms for the catch-up: the longest lock wait of the
web requests (the submissions' times also hold the two cores shared with the catch-up).
Not a test: `make bench-catch-up` (BENCH_SIZES as for the others).
"""
import http.cookiejar
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.benchmarks.data import SIZES, backend, database_url, prepare
from tests.load.server import ROOT, gunicorn
from tests.respond.helpers import csrf_token

#: Respondents submitting alone, then during the catch-up (at most: it may end first).
ALONE, DURING = 10, 150
#: Between two submissions during the catch-up, so that they sample all of it.
PAUSE = 1.0
#: How the web requests' and the catch-up's database sessions are named (application_name).
WEB, CATCH_UP = "evalapp-web", "evalapp-catch-up"
ORGANISER = ("bench@example.org", "benchmark password")


def copy_database(size: int) -> str:
    """A copy of the benchmark database of ``size`` (replacing an earlier copy); its URL."""
    source = database_url(size)
    if source.startswith("sqlite:"):
        path = source.removeprefix("sqlite:///")
        shutil.copyfile(path, path.replace(".db", "-catch-up.db"))
        return source.replace(".db", "-catch-up.db")
    url = make_url(source)
    copy = url.set(database=f"{url.database}_catch_up")
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{copy.database}"'))
        conn.execute(text(f'CREATE DATABASE "{copy.database}" TEMPLATE "{url.database}"'))
    engine.dispose()
    return copy.render_as_string(hide_password=False)


def drop_copy(url: str) -> None:
    if url.startswith("sqlite:"):
        os.remove(url.removeprefix("sqlite:///"))
        return
    parsed = make_url(url)
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    engine.dispose()


def respondents_and_bulk_load(url: str, round_id: int, count: int) -> list[str]:
    """Leave every response of the round to count, as after a bulk load; then ``count`` respondents
    who answered everything (not submitted yet), counted as in progress. Their tokens."""
    import random

    from evalapp import create_app, tallies
    from evalapp.auth.accounts import create_organiser
    from evalapp.demo import demo_answer_rows
    from evalapp.extensions import db
    from evalapp.invitations import invite
    from evalapp.models import Answer, Authority, Organiser, Round
    from evalapp.questionnaires.loader import definition_of
    from evalapp.respond.answers import start
    from evalapp.synthetic import REGIONS

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    rng = random.Random(7)
    with app.app_context():
        if not db.session.query(Organiser).filter_by(email=ORGANISER[0]).first():
            create_organiser(*ORGANISER, is_admin=True)
        tallies.forget(round_id)
        db.session.commit()
        round_ = db.session.get(Round, round_id)
        definition = definition_of(round_.questionnaire_version)
        sections = definition.sections_for("home")
        tokens = []
        for number in range(count):
            authority = Authority(name=f"Commune répondante {number}", kind="commune", country="FR",
                                  region=REGIONS[number % len(REGIONS)])
            db.session.add(authority)
            invitation = invite(round_, authority)
            start(invitation.response, "elected", sections[0].code)
            db.session.add_all(Answer(response=invitation.response, **row)
                               for section in sections for item in section.items_for("home")
                               for row in demo_answer_rows(definition, item, 3.5, rng))
            tokens.append(invitation.token)
        db.session.commit()
        db.engine.dispose()
    return tokens


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Respondent:
    """A browser with its cookies, on one invitation link."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())

    def submit(self) -> float:
        """Open the review page, then submit: the time of both, in seconds."""
        started = time.perf_counter()
        page = self.opener.open(f"{self.base}/r/{self.token}/review", timeout=300).read().decode()
        data = urllib.parse.urlencode({"csrf_token": csrf_token(page)}).encode()
        try:
            self.opener.open(f"{self.base}/r/{self.token}/submit", data=data, timeout=300).read()
            raise AssertionError("the submission was not redirected")
        except urllib.error.HTTPError as answer:
            assert answer.code == 303, answer.code
        return time.perf_counter() - started


def organiser(base: str):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base + "/o/login").read().decode()
    data = urllib.parse.urlencode({"csrf_token": csrf_token(page), "email": ORGANISER[0], "password": ORGANISER[1]})
    opener.open(base + "/o/login", data=data.encode()).read()
    return opener


def timed(opener, url: str) -> tuple[float, str]:
    started = time.perf_counter()
    with opener.open(url, timeout=300) as response:
        body = response.read().decode()
    return time.perf_counter() - started, body


def fresh_equals_kept(url: str, round_id: int) -> bool:
    from sqlalchemy import select

    from evalapp import create_app, tallies
    from evalapp.extensions import db
    from evalapp.models import AnswerTally, Invitation, Response

    def figures():
        return sorted(tuple(row) for row in db.session.execute(
            select(AnswerTally.side, AnswerTally.kind, AnswerTally.country, AnswerTally.region, AnswerTally.item_code,
                   AnswerTally.value, AnswerTally.n).where(AnswerTally.round_id == round_id, AnswerTally.n != 0)))

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        kept = figures()
        tallies.forget(round_id)
        tallies.refresh(select(Response.id).join(Invitation).where(Invitation.round_id == round_id))
        again = figures()
        db.session.rollback()
        db.engine.dispose()
    return kept == again


def watch_pages(running: Callable[[], bool], orga, base: str, round_id: int, seen: list) -> None:
    """Ask the dashboard and /healthz every second while ``running()``: (page, seconds, notice shown)."""
    while running():
        seconds, body = timed(orga, f"{base}/o/rounds/{round_id}/dashboard")
        seen.append(("dashboard", seconds, "pas encore comptée" in body or "not counted in these figures yet" in body))
        seen.append(("healthz", timed(urllib.request.build_opener(), f"{base}/healthz")[0], False))
        time.sleep(1)


def watch_locks(running: Callable[[], bool], url: str, waits: dict) -> None:
    """While ``running()``, note each statement seen waiting on a lock: {(application, pid, start): (first, last)}."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        while running():
            now = time.perf_counter()
            for application, pid, started in conn.execute(text(
                    "SELECT application_name, pid, query_start FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'")):
                first, _ = waits.get((application, pid, started), (now, now))
                waits[(application, pid, started)] = (first, now)
            time.sleep(0.005)
    engine.dispose()


def web_waits(waits: dict) -> list[float]:
    """The lock waits of web requests (seconds) among those :func:`watch_locks` noted."""
    return [last - first for (application, _, _), (first, last) in waits.items() if application == WEB]


def named(url: str, application: str) -> str:
    if url.startswith("sqlite:"):
        return url
    return make_url(url).update_query_dict({"application_name": application}).render_as_string(hide_password=False)


def measure(size: int) -> dict:
    """Submissions alone, then during a catch-up of the round of ``size`` responses, on a copy of its database."""
    round_id = prepare(size)
    url = copy_database(size)
    try:
        tokens = respondents_and_bulk_load(url, round_id, ALONE + DURING)
        with gunicorn(named(url, WEB), workers=2, settings={"SECRET_KEY": "bench"}) as server:
            respondents = [Respondent(server.url, token) for token in tokens]
            alone = [respondent.submit() for respondent in respondents[:ALONE]]
            orga = organiser(server.url)
            catch_up = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "evalapp", "tallies", "catch-up", str(round_id)],
                cwd=ROOT, env={**os.environ, "DATABASE_URL": named(url, CATCH_UP), "SECRET_KEY": "bench"},
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            seen: list = []
            waits: dict = {}

            def running() -> bool:
                return catch_up.poll() is None

            watchers = [threading.Thread(target=watch_pages, args=(running, orga, server.url, round_id, seen))]
            if not url.startswith("sqlite:"):
                watchers.append(threading.Thread(target=watch_locks, args=(running, url, waits)))
            for watcher in watchers:
                watcher.start()
            during = []
            for respondent in respondents[ALONE:]:
                if catch_up.poll() is not None:
                    break
                during.append(respondent.submit())
                time.sleep(PAUSE)
            output = catch_up.communicate()[0]
            for watcher in watchers:
                watcher.join()
        if catch_up.returncode:
            raise SystemExit(f"the catch-up failed:\n{output}")
        right = fresh_equals_kept(url, round_id)
    finally:
        drop_copy(url)
    waited = web_waits(waits)
    return {"alone": alone, "during": during, "catch_up": output.strip(), "right": right,
            "lock_waits": len(waited), "longest_wait": max(waited, default=0.0),
            "dashboard": [s for page, s, _ in seen if page == "dashboard"],
            "notices": sum(notice for _, _, notice in seen), "healthz": [s for page, s, _ in seen if page == "healthz"]}


def main():
    print(f"Submissions during a catch-up after a bulk load ({backend()}), gunicorn 2 workers")
    for size in SIZES:
        result = measure(size)
        alone, during = result["alone"], result["during"]
        p95 = statistics.quantiles(during, n=20, method="inclusive")[-1] if len(during) >= 2 else max(during, default=0)
        print(f"  {size:>7,} responses: {result['catch_up']}", flush=True)
        print(f"  {'':>7}            submissions alone: median {statistics.median(alone) * 1000:4.0f} ms; during the "
              f"catch-up ({len(during)}): median {statistics.median(during) * 1000 if during else 0:4.0f} ms, p95 "
              f"{p95 * 1000:4.0f} ms, longest {max(during, default=0) * 1000:4.0f} ms", flush=True)
        print(f"  {'':>7}            web requests waiting on a lock: {result['lock_waits']}, the longest "
              f"{result['longest_wait'] * 1000:4.0f} ms (target < 100 ms)", flush=True)
        print(f"  {'':>7}            dashboard during it: {len(result['dashboard'])} views, longest "
              f"{max(result['dashboard'], default=0) * 1000:5.0f} ms, {result['notices']} saying responses are not "
              f"counted yet; /healthz longest {max(result['healthz'], default=0) * 1000:4.0f} ms; figures afterwards "
              f"equal a fresh count: {'yes' if result['right'] else 'NO'}", flush=True)


if __name__ == "__main__":
    main()
