"""Benchmark: the national scenario of issue 13, end to end, as an operator serves evalapp.

On PostgreSQL, gunicorn with the shipped configuration (tests/load/server.py) with REDIS_URL set, and ONE job
worker started with the documented command (`flask --app evalapp worker`, docs/deploy.md). An organiser, over
HTTP, as in a browser:

1. imports a directory of 35,000 authorities from one CSV file on the import page (a job);
2. creates a round and invites them all by filter on the invite page (a job);
3. sends them the invitation by email, to a local SMTP sink (aiosmtpd) (a job). Once half are sent, the
   worker and its work horse are killed (SIGKILL), a new worker is started, and the job is retried from its
   page once it shows as stopped. The sink counts the messages: every address exactly once;
4. then 100,000 submitted responses are loaded in bulk (evalapp/synthetic.py, as `flask seed-demo
   --authorities` does), which the round's figures do not hold yet;
5. right after, the organiser opens the dashboard and has the figures counted (the "Count them now" button,
   a job), and keeps opening the dashboard every second while 20 respondents of the round walk their
   invitation links from the first page to the submission (tests/load/respondent.py; one arriving every
   half second, a second of thought or so before each page they post), one link after another, until the
   counting ends; PostgreSQL's sessions are watched every 5 ms for web requests waiting on a lock
   (tests/benchmarks/catch_up.py);
6. exports the round in every kind (wide in both presets, long, pairs, codebook), each a job but the codebook
   (a line per column, never large), downloads each file from its job's page and counts its rows.

Printed: each figure beside its target or its baseline (issue 13, before the jobs and the shipped gunicorn
configuration), then PASS or FAIL per target; the command fails if one does. Not a test:
`make bench-national` (about half an hour at full size on 2 cores). Settings:

    BENCH_DATABASE_URL    as tests/benchmarks/data.py: the database <name>_national, emptied (PostgreSQL only)
    BENCH_REDIS_URL       redis://127.0.0.1:6379/0: the jobs' queue (its queue "evalapp" is emptied first)
    NATIONAL_AUTHORITIES  35000 authorities in the directory, invited and emailed
    NATIONAL_RESPONSES    100000 responses loaded in bulk
    NATIONAL_RESPONDENTS  20 respondents walking their links at once while the figures are counted
    NATIONAL_THINK        1.0: the seconds a respondent takes, on average, before posting each page
"""
import csv
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import date, timedelta
from itertools import count
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from urllib.request import Request

import psutil
from sqlalchemy import func, select

from tests.benchmarks.bulk import app_on, bench_database, directory_csv, smtp_sink
from tests.benchmarks.catch_up import (
    ORGANISER,
    WEB,
    fresh_equals_kept,
    named,
    organiser,
    timed,
    watch_locks,
    watch_pages,
    web_waits,
)
from tests.benchmarks.data import backend
from tests.load.respondent import REQUEST_TIMEOUT, Session, WalkError, walk
from tests.load.server import ROOT, gunicorn

AUTHORITIES = int(os.environ.get("NATIONAL_AUTHORITIES", "35000"))
RESPONSES = int(os.environ.get("NATIONAL_RESPONSES", "100000"))
RESPONDENTS = int(os.environ.get("NATIONAL_RESPONDENTS", "20"))
THINK = float(os.environ.get("NATIONAL_THINK", "1.0"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
#: Seconds between two respondents' arrivals: they do not all open their links at the same instant.
ARRIVALS = 0.5
#: A killed job shows as stopped, to be retried, after this many seconds without a sign of life (the default
#: is 2 minutes; jobs give one every 15 s).
STALLED_AFTER = 30
#: The database sessions of the job workers, named as catch_up.WEB names the web's.
WORKER = "evalapp-worker"
#: Each export: (kind, preset, other fields of the export page), the delimiter its file has.
EXPORTS = [
    ("wide", "excel", {"headers": "text", "values": "labels"}, ";"),
    ("wide", "analysis", {"headers": "codes", "values": "codes"}, ","),
    ("long", "analysis", {"headers": "codes", "values": "codes"}, ","),
    ("pairs", "analysis", {"headers": "codes", "values": "codes"}, ","),
    ("codebook", "analysis", {"headers": "codes", "values": "codes"}, ","),
]
#: The targets, in seconds.
LONGEST_REQUEST, LONGEST_LOCK_WAIT, DASHBOARD_P95 = 2.0, 0.1, 1.5


# --- The job worker ------------------------------------------------------------------------------------


class Worker:
    """`flask --app evalapp worker` (docs/deploy.md), in a session of its own, its output appended to ``log``."""

    def __init__(self, env: dict, log: Path):
        with open(log, "ab") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "evalapp", "worker"], cwd=ROOT,
                                            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> int:
        """SIGKILL the worker and its work horse (RQ forks one per job, in a process group of its own) at once,
        as a machine lost would; how many processes were killed."""
        processes = [*psutil.Process(self.process.pid).children(recursive=True), psutil.Process(self.process.pid)]
        for process in processes:
            process.send_signal(signal.SIGKILL)
        self.process.wait()
        return len(processes)

    def stop(self) -> None:
        """What systemd does: SIGTERM (the worker ends the job in hand), then SIGKILL if it is still there."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def empty_queue() -> None:
    """Check that Redis answers, and drop what an earlier run may have left in evalapp's queue."""
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import Queue

    from evalapp.jobs.queue import QUEUE_NAME

    try:
        Queue(QUEUE_NAME, connection=Redis.from_url(REDIS_URL)).empty()
    except RedisError as exc:
        raise SystemExit(f"No Redis at {REDIS_URL} ({exc}): set BENCH_REDIS_URL") from None


# --- The organiser's pages -----------------------------------------------------------------------------


def token(page: str) -> str:
    """The CSRF token of the page's first form (a form with a prefix names it ``prefix-csrf_token``)."""
    return re.search(r'csrf_token"[^>]*value="([^"]+)"', page).group(1)


def get(orga, url: str) -> str:
    with orga.open(url, timeout=300) as response:
        return response.read().decode()


def post(orga, url: str, fields: dict) -> str:
    """Post the form; the address it leads to (after redirects)."""
    with orga.open(url, data=urlencode(fields).encode(), timeout=300) as response:
        response.read()
        return response.url


def post_file(orga, url: str, fields: dict, name: str, filename: str, content: bytes) -> str:
    """Post the form with a file, as multipart/form-data; the address it leads to."""
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
             for key, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                 f'Content-Type: text/csv\r\n\r\n'.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    request = Request(url, data=b"".join(parts), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with orga.open(request, timeout=300) as response:
        response.read()
        return response.url


def job_page(orga, url: str) -> dict:
    """What a job's page shows: its state, its progress, its file's address."""
    page = get(orga, url)
    progress = re.search(r'<progress max="(\d+)" value="(\d+)"', page)
    download = re.search(r'href="(/o/jobs/\d+/download)"', page)
    return {"state": re.search(r'class="job-state job-(\w+)"', page).group(1), "page": page,
            "total": int(progress.group(1)) if progress else None, "done": int(progress.group(2)) if progress else 0,
            "download": download.group(1) if download else None}


def wait_for_job(orga, url: str, ends=("done", "failed", "stalled"), every: float = 1.0) -> dict:
    """Read the job's page until it shows one of ``ends``; what it shows then."""
    while (seen := job_page(orga, url))["state"] not in ends:
        time.sleep(every)
    return seen


def job_row(app, job_url: str) -> dict:
    """The job's result and attempts, as recorded."""
    from evalapp.extensions import db
    from evalapp.models import Job

    with app.app_context():
        job = db.session.get(Job, int(job_url.rsplit("/", 1)[1]))
        row = {"status": job.status, "result": job.result, "attempt": job.attempt, "done": job.done}
        db.session.remove()
    return row


# --- 1-3: import, invite, send --------------------------------------------------------------------------


def import_directory(app, orga, base: str) -> dict:
    """The directory of AUTHORITIES lines posted on the import page, imported by a job."""
    from evalapp.extensions import db
    from evalapp.models import Authority

    data = directory_csv(AUTHORITIES)
    page = get(orga, base + "/o/import")
    started = time.perf_counter()
    job_url = post_file(orga, base + "/o/import", {"csrf_token": token(page), "kind": "authorities"},
                        "file", "annuaire-national.csv", data)
    end = wait_for_job(orga, job_url)
    seconds = time.perf_counter() - started
    with app.app_context():
        authorities = db.session.scalar(select(func.count()).select_from(Authority))
        db.session.remove()
    return {"seconds": seconds, "state": end["state"], "authorities": authorities, "bytes": len(data)}


def invite_all(app, orga, base: str) -> dict:
    """A new round, and every authority of the directory invited by filter (no type, no country): a job."""
    from evalapp.extensions import db
    from evalapp.models import Invitation, QuestionnaireVersion

    with app.app_context():
        version_id = db.session.scalar(select(QuestionnaireVersion.id).filter_by(code="aict", version=1))
        db.session.remove()
    page = get(orga, base + "/o/rounds/new")
    invite_url = post(orga, base + "/o/rounds/new", {
        "csrf_token": token(page), "title": "Tour national 2027", "description": "",
        "questionnaire_version_id": version_id, "opens_on": date.today().isoformat(),
        "closes_on": (date.today() + timedelta(days=60)).isoformat()})
    round_id = int(re.search(r"/o/rounds/(\d+)/invite", invite_url).group(1))
    counted = get(orga, invite_url + "?filter-kind=&filter-country=")  # the count first, as the page offers
    started = time.perf_counter()
    job_url = post(orga, invite_url, {"filter-csrf_token": token(counted), "how": "filter", "filter-kind": "",
                                      "filter-country": ""})
    end = wait_for_job(orga, job_url)
    seconds = time.perf_counter() - started
    with app.app_context():
        invited = db.session.scalar(select(func.count(func.distinct(Invitation.authority_id)))
                                    .where(Invitation.round_id == round_id))
        db.session.remove()
    return {"round_id": round_id, "seconds": seconds, "state": end["state"], "invited": invited}


def send_all(app, orga, base: str, round_id: int, sink, workers: list, start_worker) -> dict:
    """Send the invitations from the send page (a job); once half are sent, kill the worker and its work horse,
    start another, and retry the job from its page once it shows as stopped. Count the messages at the sink."""
    from evalapp.extensions import db
    from evalapp.models import Invitation

    with app.app_context():
        addresses = set(db.session.scalars(select(Invitation.email).where(Invitation.round_id == round_id,
                                                                          Invitation.email.is_not(None))))
        db.session.remove()
    page = get(orga, f"{base}/o/rounds/{round_id}/send")
    started = time.perf_counter()
    job_url = post(orga, f"{base}/o/rounds/{round_id}/send", {"csrf_token": token(page), "target": "not_sent"})
    while True:
        seen = job_page(orga, job_url)
        if seen["state"] != "running" and seen["state"] != "queued":
            raise SystemExit(f"the send ended before it could be killed midway ({seen['state']}): more authorities?")
        if seen["total"] and seen["done"] >= seen["total"] // 2:
            break
        time.sleep(0.2)
    killed = workers[-1].kill()
    at_kill = {"seconds": time.perf_counter() - started, "recorded": seen["done"],
               "delivered": sink.count(addresses)["messages at the sink"], "processes": killed}
    workers.append(start_worker())
    stopped = wait_for_job(orga, job_url, ends=("stalled", "failed", "done"))
    if stopped["state"] == "done":
        raise SystemExit("the killed send ended by itself: was the worker killed?")
    stalled_for = time.perf_counter() - started - at_kill["seconds"]
    retried = time.perf_counter()
    post(orga, base + urlsplit(job_url).path + "/retry", {"csrf_token": token(stopped["page"])})
    end = wait_for_job(orga, job_url)
    done = time.perf_counter()
    return {"seconds": done - started, "before kill": at_kill, "stalled for": stalled_for,
            "after retry": done - retried, "state": end["state"], "job": job_row(app, job_url),
            "expected": len(addresses), **sink.count(addresses)}


# --- 4-5: bulk load, then the dashboard while respondents submit ----------------------------------------


def bulk_load(app, round_id: int) -> dict:
    """RESPONSES submitted responses written in bulk into the round, not counted in its figures yet."""
    from evalapp.extensions import db
    from evalapp.models import Round
    from evalapp.synthetic import add_responses

    with app.app_context():
        started = time.perf_counter()
        rows = add_responses(db.session.get(Round, round_id), RESPONSES, catch_up=False)
        seconds = time.perf_counter() - started
        db.session.remove()
    return {"seconds": seconds, "answers": rows}


class Respondent(Session):
    """A browser on invitation links (tests/load/respondent.py) that takes THINK seconds or so (half as much
    to half as much again) before posting a page, and notes each page's time: (method, path, seconds), a POST
    counted with the page it leads to."""

    def __init__(self, times: list, rng: random.Random):
        super().__init__()
        self.times, self.rng = times, rng

    def post(self, url, data=None, timeout=REQUEST_TIMEOUT):
        time.sleep(self.rng.uniform(0.5, 1.5) * THINK)
        return super().post(url, data, timeout)

    def _open(self, request, timeout):
        started = time.perf_counter()
        try:
            return super()._open(request, timeout)
        finally:
            path = re.sub(r"^/r/[^/]+", "/r/<token>", urlsplit(request.full_url).path)
            self.times.append((request.get_method(), path, time.perf_counter() - started))


def not_started_tokens(app, round_id: int) -> list[str]:
    """The links of the round's authorities that have not started, in the order of their invitations."""
    from evalapp.extensions import db
    from evalapp.models import Invitation, Response, ResponseStatus

    with app.app_context():
        tokens = db.session.scalars(select(Invitation.token).join(Response).where(
            Invitation.round_id == round_id, Response.status == ResponseStatus.NOT_STARTED.value)
            .order_by(Invitation.id).limit(5000)).all()
        db.session.remove()
    return tokens


def dashboard_while_submitting(app, orga, base: str, url: str, round_id: int) -> dict:
    """Open the dashboard after the bulk load and count its figures (a job); until that ends, RESPONDENTS walk
    their links one after another, the dashboard and /healthz are asked every second, and lock waits noted."""
    from evalapp.extensions import db
    from evalapp.jobs.counts import JOB_KIND
    from evalapp.models import Job

    dashboard = f"{base}/o/rounds/{round_id}/dashboard"
    load_before = os.getloadavg()[0]  # the machine's, others' work included: the times below depend on it
    first, page = timed(orga, dashboard)
    notice = "pas encore comptée" in page or "not counted in these figures yet" in page
    started = time.perf_counter()
    post(orga, f"{base}/o/rounds/{round_id}/tallies/catch-up", {"csrf_token": token(page)})
    with app.app_context():
        count_job = db.session.scalar(select(Job.id).where(Job.kind == JOB_KIND, Job.round_id == round_id)
                                      .order_by(Job.id.desc()).limit(1))
        db.session.remove()
    job_url = f"{base}/o/jobs/{count_job}"

    tokens = iter(not_started_tokens(app, round_id))
    taken = threading.Lock()
    counted, stop = threading.Event(), threading.Event()
    times: list = []
    submitted, failures = [], []
    seeds = count(1)

    def respond(number: int):
        rng = random.Random(number)
        time.sleep(number * ARRIVALS)
        walks = 0
        while walks == 0 or not counted.is_set():
            with taken:
                link, seed = next(tokens), next(seeds)
            try:
                walk(Respondent(times, rng), base, link, seed=seed)
                submitted.append(link)
            except (WalkError, OSError) as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
            walks += 1

    def running() -> bool:
        return not stop.is_set()

    seen: list = []
    waits: dict = {}
    respondents = [threading.Thread(target=respond, args=(number,)) for number in range(RESPONDENTS)]
    watchers = [threading.Thread(target=watch_pages, args=(running, orga, base, round_id, seen)),
                threading.Thread(target=watch_locks, args=(running, url, waits))]
    for thread in (*watchers, *respondents):
        thread.start()
    end = wait_for_job(orga, job_url, every=2.0)
    counting = time.perf_counter() - started
    load_after = os.getloadavg()[0]
    counted.set()
    for thread in respondents:
        thread.join()
    stop.set()
    for thread in watchers:
        thread.join()
    views = [seconds for page, seconds, _ in seen if page == "dashboard"]
    waited = web_waits(waits)
    return {"first view": first, "notice": notice, "counting": counting, "count state": end["state"],
            "count job": job_row(app, job_url), "submitted": len(submitted), "failures": failures,
            "pages": times, "views": views, "healthz": [seconds for page, seconds, _ in seen if page == "healthz"],
            "notices": sum(notice for _, _, notice in seen), "lock waits": len(waited),
            "longest wait": max(waited, default=0.0), "load": (load_before, load_after)}


# --- 6: exports ------------------------------------------------------------------------------------------


def expected_rows(app, round_id: int) -> dict:
    """The rows each kind of export should have, counted here in SQL: submitted responses (wide), their answers
    (long), partnerships with both sides submitted (pairs), columns of the wide file (codebook)."""
    from evalapp.extensions import db
    from evalapp.models import Answer, Invitation, Response, ResponseStatus, Round
    from evalapp.questionnaires.loader import definition_of
    from evalapp.reporting.export import FIXED, item_columns

    with app.app_context():
        columns = item_columns(definition_of(db.session.get(Round, round_id).questionnaire_version))
        submitted = (select(Response.id).join(Invitation)
                     .where(Invitation.round_id == round_id, Invitation.revoked_at.is_(None),
                            Response.status == ResponseStatus.SUBMITTED.value))
        both_sides = (select(Invitation.partnership_id).join(Response)
                      .where(Response.id.in_(submitted), Invitation.partnership_id.is_not(None))
                      .group_by(Invitation.partnership_id).having(func.count(func.distinct(Invitation.side)) == 2))
        rows = {
            "wide": db.session.scalar(select(func.count()).select_from(submitted.subquery())),
            "long": db.session.scalar(select(func.count()).select_from(Answer).where(
                Answer.response_id.in_(submitted), Answer.item_code.in_({c.cell or c.item.code for c in columns}))),
            "pairs": db.session.scalar(select(func.count()).select_from(both_sides.subquery())),
            "codebook": len(FIXED) + len(columns),
        }
        db.session.remove()
    return rows


def export_all(app, orga, base: str, round_id: int, folder: Path) -> list[dict]:
    """Each export of EXPORTS asked on the export page, its file downloaded from its job's page (at once for the
    codebook), its data rows counted; and whether the export log says it completed."""
    from evalapp.extensions import db
    from evalapp.models import ExportRecord

    expected = expected_rows(app, round_id)
    done = []
    for number, (kind, preset, fields, delimiter) in enumerate(EXPORTS):
        export_page = f"{base}/o/rounds/{round_id}/export"
        page = get(orga, export_page)
        data = {"csrf_token": token(page), "layout": kind, "preset": preset, "lang": "fr", "delimiter": ",", **fields}
        path = folder / f"export-{number}.csv"
        started = time.perf_counter()
        request = orga.open(export_page, data=urlencode(data).encode(), timeout=3600)
        if "/o/jobs/" in request.url:  # a job: its page, then the file from it
            request.close()
            end = wait_for_job(orga, request.url)
            made = time.perf_counter() - started
            if end["download"] is None:
                done.append({"kind": kind, "preset": preset, "state": end["state"], "seconds": made, "rows": None,
                             "expected": expected[kind], "logged complete": False})
                continue
            started = time.perf_counter()
            request = orga.open(base + end["download"], timeout=3600)
            job = True
        else:  # the file at once
            made, job = None, False
        with request, open(path, "wb") as out:
            shutil.copyfileobj(request, out, 1024 * 1024)
        download = time.perf_counter() - started
        with open(path, encoding="utf-8-sig", newline="") as file:
            rows = sum(1 for _ in csv.reader(file, delimiter=delimiter)) - 1
        with app.app_context():
            logged = db.session.scalar(select(ExportRecord.status).order_by(ExportRecord.id.desc()).limit(1))
            db.session.remove()
        done.append({"kind": kind, "preset": preset, "state": "done" if job else "at once", "seconds": made,
                     "download": download, "bytes": path.stat().st_size, "rows": rows, "expected": expected[kind],
                     "logged complete": logged == "complete"})
        path.unlink()
    return done


# --- The server's view: the access log -------------------------------------------------------------------

ACCESS_LINE = re.compile(r'"(\w+) (\S+) HTTP/[\d.]+" (\d{3}) .* (\d+)ms$')


def slowest_requests(log: str) -> tuple[int, list[tuple[float, str]], list[tuple[float, str]]]:
    """From gunicorn's access log: how many requests, the slowest (seconds, line) apart from the downloads of
    jobs' files (streamed as fast as the client reads), and those downloads."""
    pages, downloads = [], []
    for line in log.splitlines():
        match = ACCESS_LINE.search(line)
        if match:
            method, path, status, ms = match.groups()
            entry = (int(ms) / 1000, f"{method} {re.sub(r'[?].*', '', path)} {status}")
            (downloads if path.endswith("/download") else pages).append(entry)
    return len(pages) + len(downloads), sorted(pages, reverse=True), sorted(downloads, reverse=True)


# --- The scenario ------------------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return max(values, default=0.0)
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def run() -> dict:
    from evalapp.auth.accounts import create_organiser
    from evalapp.extensions import db

    empty_queue()
    url = bench_database("national")
    app = app_on(url)
    with app.app_context():
        create_organiser(*ORGANISER, is_admin=True)
        db.session.commit()
        db.session.remove()
    figures: dict = {}
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="evalapp-national-")))
        sink, mail = stack.enter_context(smtp_sink())
        # Every import and export of the scenario runs as a job, as they do at full size under the defaults.
        settings = {"SECRET_KEY": "bench", "REDIS_URL": REDIS_URL, "JOB_STALLED_AFTER": str(STALLED_AFTER),
                    "IMPORT_JOB_THRESHOLD": "100", "EXPORT_JOB_THRESHOLD": "100", **mail}
        server = stack.enter_context(gunicorn(named(url, WEB), settings=settings))
        worker_env = {**os.environ, **settings, "DATABASE_URL": named(url, WORKER)}
        workers = [Worker(worker_env, folder / "worker.log")]

        @stack.callback
        def stop_workers():
            for worker in workers:
                worker.stop()

        try:
            orga = organiser(server.url)
            print(f"  gunicorn {server.url} (gunicorn.conf.py), one worker (flask --app evalapp worker), "
                  f"Redis {REDIS_URL}", flush=True)
            figures["import"] = import_directory(app, orga, server.url)
            print(f"  1. import: {figures['import']['seconds']:.1f} s, {figures['import']['authorities']:,} "
                  f"authorities ({figures['import']['state']})", flush=True)
            figures["invite"] = invite_all(app, orga, server.url)
            round_id = figures["invite"]["round_id"]
            print(f"  2. invite by filter: {figures['invite']['seconds']:.1f} s, {figures['invite']['invited']:,} "
                  f"authorities invited ({figures['invite']['state']})", flush=True)
            figures["send"] = send_all(app, orga, server.url, round_id, sink, workers,
                                       lambda: Worker(worker_env, folder / "worker.log"))
            print(f"  3. send: {figures['send']['seconds']:.1f} s, {figures['send']['messages at the sink']:,} "
                  f"messages ({figures['send']['state']})", flush=True)
            figures["bulk"] = bulk_load(app, round_id)
            print(f"  4. bulk load: {figures['bulk']['seconds']:.1f} s, {RESPONSES:,} responses", flush=True)
            figures["dashboard"] = dashboard_while_submitting(app, orga, server.url, url, round_id)
            print(f"  5. counted in {figures['dashboard']['counting']:.1f} s while "
                  f"{figures['dashboard']['submitted']} submissions", flush=True)
            figures["fresh"] = fresh_equals_kept(url, round_id)
            figures["exports"] = export_all(app, orga, server.url, round_id, folder)
            print(f"  6. {len(figures['exports'])} exports", flush=True)
        except BaseException:
            print(f"gunicorn's log (end):\n{server.log()[-3000:]}\nthe workers' log (end):\n"
                  f"{(folder / 'worker.log').read_text(errors='replace')[-3000:]}", file=sys.stderr)
            raise
        figures["access log"] = slowest_requests(server.log())
    return figures


def report(figures: dict) -> bool:
    """Print the figures beside their targets or baselines, then PASS or FAIL per target; True if all pass."""
    imported, invited, sent, bulk = figures["import"], figures["invite"], figures["send"], figures["bulk"]
    dash, exports = figures["dashboard"], figures["exports"]
    requests, slowest, downloads = figures["access log"]
    pages = dash["pages"]
    longest_page = max(pages, key=lambda entry: entry[2], default=("", "", 0.0))
    longest_server = slowest[0] if slowest else (0.0, "")
    unknown = (sent["job"]["result"] or {}).get("unknown", 0)

    rows = [
        ("1. import of the directory (job)", f"{imported['seconds']:.1f} s, {imported['authorities']:,} of "
         f"{AUTHORITIES:,} ({imported['bytes'] / 1e6:.1f} MB file)", "before: refused over 20,000 lines"),
        ("2. invite all by filter (job)", f"{invited['seconds']:.1f} s, {invited['invited']:,} of {AUTHORITIES:,}",
         "before: 500 after 30.9 s, none invited"),
        ("3. send the invitations (job)", f"{sent['seconds']:.1f} s in all", "before: 500 after 30 s, 7,577 "
         "delivered, none recorded"),
        ("   killed midway", f"after {sent['before kill']['seconds']:.1f} s: {sent['before kill']['recorded']:,} "
         f"recorded, {sent['before kill']['delivered']:,} at the sink; {sent['before kill']['processes']} "
         f"processes killed", ""),
        ("   stopped, then retried", f"shown stopped after {sent['stalled for']:.1f} s; the retry (run "
         f"{sent['job']['attempt']}) took {sent['after retry']:.1f} s", f"JOB_STALLED_AFTER={STALLED_AFTER} s"),
        ("   at the sink", f"{sent['messages at the sink']:,} messages to {sent['addresses']:,} of "
         f"{sent['expected']:,} addresses", "each exactly once"),
        ("   duplicates / missing / unexpected", f"{sent['received twice or more']} / {sent['never received']} / "
         f"{sent['not expected']}", "0 / 0 / 0 (before: the retry sent 6,895 twice)"),
        ("   outcome unknown (job's result)", f"{unknown}", "listed on the job's page, not sent again"),
        ("4. bulk load", f"{bulk['seconds']:.1f} s, {RESPONSES:,} responses, {bulk['answers']:,} answers", ""),
        ("5. first dashboard view after it", f"{dash['first view']:.2f} s"
         f"{', says responses are not counted yet' if dash['notice'] else ''}", "before: 17–29 s (recount inside)"),
        ("   counting the figures (job)", f"{dash['counting']:.1f} s ({dash['count state']})", ""),
        (f"   {RESPONDENTS} respondents meanwhile", f"{dash['submitted']} submitted, {len(dash['failures'])} failed; "
         f"pages p95 {p95([s for _, _, s in pages]):.2f} s, longest {longest_page[2]:.2f} s "
         f"({longest_page[0]} {longest_page[1]}), {sum(s >= LONGEST_REQUEST for _, _, s in pages)} of {len(pages)} "
         f"over {LONGEST_REQUEST:.0f} s", f"< {LONGEST_REQUEST:.0f} s"),
        ("   longest lock wait of a web request", f"{dash['longest wait'] * 1000:.0f} ms "
         f"({dash['lock waits']} seen waiting)", f"< {LONGEST_LOCK_WAIT * 1000:.0f} ms (before: 17–23 s)"),
        ("   dashboard meanwhile", f"{len(dash['views'])} views, p95 {p95(dash['views']):.2f} s, longest "
         f"{max(dash['views'], default=0):.2f} s; {dash['notices']} said responses were not counted yet",
         f"p95 < {DASHBOARD_P95} s (before: 1.8 s)"),
        ("   the machine's load average (1 min)", f"{dash['load'][0]:.1f} before, {dash['load'][1]:.1f} at the end "
         f"of the counting, on {os.cpu_count()} CPUs", "others' work included"),
        ("   /healthz meanwhile", f"longest {max(dash['healthz'], default=0) * 1000:.0f} ms", "before: 15 s"),
        ("   figures afterwards = a fresh count", "yes" if figures["fresh"] else "NO", "yes"),
    ]
    for export in exports:
        made = f"job {export['seconds']:.1f} s, " if export["seconds"] is not None else "at once, "
        got = "no file" if export["rows"] is None else (
            f"{made}download {export['download']:.1f} s ({export['bytes'] / 1e6:.1f} MB): {export['rows']:,} rows")
        rows.append((f"6. export {export['kind']} ({export['preset']})", f"{got} of {export['expected']:,}"
                     f"{'' if export['logged complete'] else ', NOT logged complete'}",
                     "every row (before: wide cut at 37,993 of 100,000)" if export["kind"] == "wide" else "every row"))
    rows.append(("Every request of the run (access log)", f"{requests:,} requests; longest {longest_server[0]:.2f} s "
                 f"({longest_server[1]}), downloads apart; {sum(s >= LONGEST_REQUEST for s, _ in slowest)} over "
                 f"{LONGEST_REQUEST:.0f} s", f"< {LONGEST_REQUEST:.0f} s"))
    rows += [("   slowest", "; ".join(f"{s:.2f} s {what}" for s, what in slowest[1:5]), "")]
    rows += [("   downloads of files", "; ".join(f"{s:.1f} s" for s, _ in downloads), "streamed, not a page")]

    width = max(len(name) for name, _, _ in rows)
    print()
    print(f"  {'figure':<{width}}  measured  [target or baseline]")
    for name, measured, target in rows:
        print(f"  {name:<{width}}  {measured}" + (f"  [{target}]" if target else ""))

    longest = max(longest_page[2], longest_server[0], max(dash["views"], default=0), dash["first view"])
    complete = all(e["rows"] == e["expected"] and e["logged complete"] for e in exports)
    verdicts = [
        ("every authority imported", imported["authorities"] == AUTHORITIES and imported["state"] == "done"),
        ("every authority invited", invited["invited"] == AUTHORITIES and invited["state"] == "done"),
        ("every email exactly once, after a kill midway and a retry",
         sent["state"] == "done" and sent["received twice or more"] == sent["never received"] == sent["not expected"] == 0),
        (f"no request over {LONGEST_REQUEST:.0f} s ({longest:.2f} s)", longest < LONGEST_REQUEST),
        (f"no respondent waits on a lock over {LONGEST_LOCK_WAIT * 1000:.0f} ms ({dash['longest wait'] * 1000:.0f} ms)",
         dash["longest wait"] < LONGEST_LOCK_WAIT and dash["submitted"] > 0 and not dash["failures"]),
        (f"dashboard p95 under {DASHBOARD_P95} s while respondents submit ({p95(dash['views']):.2f} s)",
         p95(dash["views"]) < DASHBOARD_P95),
        ("the figures equal a fresh count", figures["fresh"] and dash["count state"] == "done"),
        ("every export complete (rows = responses, answers, pairs, columns)", complete),
    ]
    print()
    for name, passed in verdicts:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}")
    for failure in dash["failures"][:5]:
        print(f"  a respondent failed: {failure}")
    return all(passed for _, passed in verdicts)


def main():
    if backend() != "PostgreSQL":
        print("National scenario: skipped, it runs on PostgreSQL only, as docs/deploy.md serves evalapp")
        return
    print(f"National scenario ({backend()}): {AUTHORITIES:,} authorities, {RESPONSES:,} responses, "
          f"{RESPONDENTS} respondents", flush=True)
    started = time.perf_counter()
    passed = report(run())
    print(f"  ({(time.perf_counter() - started) / 60:.0f} minutes in all)")
    if not passed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
