"""Benchmark: the national bulk work, as jobs. Import a directory of 35,000 authorities from one CSV file,
invite them all by filter, send them 35,000 invitations to a local SMTP sink (aiosmtpd), killing the process
that sends midway and retrying; then count the messages at the sink: each address exactly once.

Each job runs in a fresh process (as a worker would), which prints its time and its peak memory. Not a
test: `python -m tests.benchmarks.bulk`. Settings:

    BENCH_DATABASE_URL   as tests/benchmarks/data.py (PostgreSQL by default): the database <name>_bulk, emptied
    BULK_SIZE            35000 authorities
    BULK_KILL            1: kill the sending process once half the messages are sent, then retry (0: do not)

The functions (import_directory, invite_all, send_all) are what the national scenario calls.
"""
import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import func, select, text

from evalapp.synthetic import REGIONS
from tests.benchmarks.data import backend, database_url
from tests.load.server import free_port

ROOT = Path(__file__).resolve().parents[2]
SIZE = int(os.environ.get("BULK_SIZE", "35000"))
BASE_URL = "http://evalapp.bench"

#: Run one job in this fresh process; print its seconds and the process's peak memory.
RUN_ONE_JOB = """
import json, sys, time
from evalapp import create_app
from evalapp.jobs import run_job

def high_water_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "bench", "BASE_URL": sys.argv[3]})
with app.app_context():
    before = high_water_kib()
    started = time.perf_counter()
    run_job(int(sys.argv[2]))
    print(json.dumps({"seconds": time.perf_counter() - started, "peak_kib": high_water_kib(), "before_kib": before}))
"""


class Sink:
    """An SMTP server that counts the messages each address receives, and keeps nothing else."""

    def __init__(self):
        self.received = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.update(envelope.rcpt_tos)
        return "250 OK"

    def count(self, expected: set[str]) -> dict:
        """The messages received, against the addresses that each expected one."""
        with self.lock:
            received = Counter(self.received)
        return {"messages at the sink": sum(received.values()), "addresses": len(received),
                "received twice or more": sum(1 for n in received.values() if n > 1),
                "never received": len(expected - received.keys()), "not expected": len(received.keys() - expected)}


@contextmanager
def smtp_sink() -> Iterator[tuple[Sink, dict]]:
    """A Sink listening on a free port of 127.0.0.1, and the settings that send evalapp's mail to it."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "MAIL_BACKEND": "smtp"}
    finally:
        controller.stop()


def directory_csv(size: int) -> bytes:
    """A French directory as Excel saves it: communes, with an address each, in the regions of the synthetic
    responses (evalapp/synthetic.py), so that they share the same tally rows."""
    lines = ["nom;type;pays;région;population;langue;courriel"]
    lines += [f"Commune n°{i:06};Commune;France;{REGIONS[i % len(REGIONS)]};{1000 + i};fr;mairie@commune{i:06}.example"
              for i in range(size)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def bench_database(name: str = "bulk") -> str:
    """An empty database of the current schema, with the questionnaire loaded; its URL."""
    from flask_migrate import upgrade

    from evalapp import create_app
    from evalapp.extensions import db
    from evalapp.questionnaires.loader import load_all
    from tests.benchmarks.data import _create_database

    url = database_url(name)
    if url.startswith("sqlite:"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        _create_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        logging.disable(logging.INFO)  # alembic's "Running upgrade" lines
        upgrade()
        logging.disable(logging.NOTSET)
        load_all()
        db.session.commit()
        db.engine.dispose()
    return url


def app_on(url: str, **settings):
    from evalapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "BASE_URL": BASE_URL, **settings})


def run_in_fresh_process(url: str, job_id: int, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", RUN_ONE_JOB, url, str(job_id), BASE_URL], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen) -> dict:
    out, err = process.communicate()
    if process.returncode:
        raise RuntimeError(f"the job's process failed: {err[-2000:]}")
    return json.loads(out.strip().splitlines()[-1])


def job_state(app, job_id: int) -> dict:
    from evalapp.extensions import db
    from evalapp.models import Job

    with app.app_context():
        job = db.session.get(Job, job_id)
        state = {"status": job.status, "done": job.done, "total": job.total, "result": job.result,
                 "error": job.error_text("en"), "attempt": job.attempt}
        db.session.remove()
        return state


def import_directory(url: str, size: int = SIZE) -> dict:
    """Import ``size`` authorities from one file as a job, in a fresh process: time, peak memory, rows written."""
    from evalapp.extensions import db
    from evalapp.jobs.imports import create_import_job
    from evalapp.models import Authority, DirectoryChange

    app = app_on(url)
    data = directory_csv(size)
    with app.app_context():
        job = create_import_job("authorities", "annuaire-national.csv", io.BytesIO(data), False, "fr", None)
        db.session.commit()
        job_id = job.id
    run = finished(run_in_fresh_process(url, job_id))
    with app.app_context():
        counts = {"authorities": db.session.scalar(select(func.count()).select_from(Authority)),
                  "history rows": db.session.scalar(select(func.count()).select_from(DirectoryChange))}
        db.engine.dispose()
    return {**run, "file_bytes": len(data), **counts, "job": job_state(app, job_id)}


def invite_all(url: str) -> dict:
    """Invite every authority of the directory by filter, as a job in a fresh process: time, invitations made."""
    from evalapp.clock import today
    from evalapp.extensions import db
    from evalapp.jobs import create_job
    from evalapp.jobs.invitations import JOB_KIND
    from evalapp.models import Invitation, QuestionnaireVersion, Response, Round

    app = app_on(url)
    with app.app_context():
        version = db.session.scalar(select(QuestionnaireVersion).filter_by(code="aict", version=1))
        round_ = Round(questionnaire_version=version, title="Tour national", opens_on=today(), closes_on=today())
        db.session.add(round_)
        db.session.flush()
        job = create_job(JOB_KIND, params={"kind": "", "country": ""}, round_id=round_.id)
        db.session.commit()
        round_id, job_id = round_.id, job.id
    run = finished(run_in_fresh_process(url, job_id))
    with app.app_context():
        counts = {"invitations": db.session.scalar(select(func.count()).select_from(Invitation)),
                  "distinct authorities": db.session.scalar(select(func.count(func.distinct(Invitation.authority_id)))),
                  "responses": db.session.scalar(select(func.count()).select_from(Response))}
        db.engine.dispose()
    return {**run, **counts, "round_id": round_id, "job": job_state(app, job_id)}


def send_all(url: str, round_id: int, kill: bool = True) -> dict:
    """Send the round's invitations to a local SMTP sink as a job in a fresh process; with ``kill``, kill that
    process once half are sent and retry the job. Count what the sink received."""
    from evalapp.extensions import db
    from evalapp.jobs import create_job, retry_job, wait_for_threads
    from evalapp.mailing import JOB_KIND
    from evalapp.models import Invitation, InvitationEmail, Job

    with smtp_sink() as (sink, mail):
        app = app_on(url, **mail)
        with app.app_context():
            job = create_job(JOB_KIND, params={"target": "not_sent", "base_url": BASE_URL}, round_id=round_id)
            db.session.commit()
            job_id = job.id
            addresses = set(db.session.scalars(select(Invitation.email).where(Invitation.round_id == round_id,
                                                                              Invitation.email.is_not(None))))
            expected = len(addresses)
            db.session.remove()
        started = time.perf_counter()
        process = run_in_fresh_process(url, job_id, env=mail)
        killed_at = None
        if kill:
            while process.poll() is None:
                with app.app_context():
                    sent = db.session.scalar(select(func.count()).select_from(InvitationEmail)
                                             .where(InvitationEmail.job_id == job_id))
                    db.session.remove()
                if sent >= expected // 2:
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                    killed_at = sent
                    break
                time.sleep(0.05)
        if killed_at is None:
            run = finished(process)
        else:
            process.communicate()
            at_kill = sum(sink.received.values())
            later = app_on(url, JOB_STALLED_AFTER=0, **mail)
            with later.app_context():
                assert retry_job(db.session.get(Job, job_id)), "the killed send could not be retried"
            wait_for_threads()  # the retry runs in a thread of this process, as in a web process without Redis
            run = {"seconds": time.perf_counter() - started, "delivered when killed": at_kill,
                   "recorded when killed": killed_at}
        return {**run, "expected": expected, **sink.count(addresses), "job": job_state(app, job_id)}


def main():
    print(f"National bulk work as jobs ({backend()}), {SIZE:,} authorities", flush=True)
    url = bench_database()
    imported = import_directory(url)
    print(f"  import: {imported['seconds']:.1f} s for {imported['authorities']:,} authorities "
          f"({imported['file_bytes'] / 1e6:.1f} MB file, {imported['history rows']:,} history rows), peak memory "
          f"{imported['peak_kib'] / 1024:.0f} MiB (the process started at {imported['before_kib'] / 1024:.0f} MiB); "
          f"job {imported['job']['status']}", flush=True)
    invited = invite_all(url)
    print(f"  invite by filter: {invited['seconds']:.1f} s for {invited['invitations']:,} invitations "
          f"({invited['distinct authorities']:,} authorities, {invited['responses']:,} responses), peak memory "
          f"{invited['peak_kib'] / 1024:.0f} MiB; job {invited['job']['status']}", flush=True)
    kill = os.environ.get("BULK_KILL", "1") != "0"
    sent = send_all(url, invited["round_id"], kill=kill)
    killed = (f" (killed once {sent['recorded when killed']:,} were recorded and "
              f"{sent['delivered when killed']:,} delivered, then retried)" if "delivered when killed" in sent else "")
    print(f"  send: {sent['seconds']:.1f} s for {sent['expected']:,} emails{killed}: {sent['messages at the sink']:,} "
          f"messages at the sink to {sent['addresses']:,} addresses, {sent['received twice or more']} received twice "
          f"or more, {sent['never received']} never received; job {sent['job']['status']} {sent['job']['result']}",
          flush=True)
    exactly_once = sent["received twice or more"] == 0 and sent["never received"] == 0
    print(f"  every email exactly once: {'yes' if exactly_once else 'NO'}")


if __name__ == "__main__":
    main()
