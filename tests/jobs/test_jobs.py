"""Jobs, both ways (in the web process, and on the RQ queue with a worker): progress, result, a job killed
midway then retried, who sees which job, backups."""
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from evalapp import jobs
from evalapp.extensions import db
from evalapp.models import Job
from tests.factories import create_organiser, login
from tests.jobs import kinds
from tests.jobs.conftest import REDIS_URL
from tests.respond.helpers import csrf_token

ROOT = Path(__file__).resolve().parents[2]


def in_english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def start(app, kind="test_steps", **job):
    with app.app_context():
        return jobs.start_job(kind, **job).id


def job_row(app, job_id) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def post(client, path, page):
    return client.post(path, data={"csrf_token": csrf_token(client.get(page).text)})


def test_a_running_job_shows_its_progress_then_its_result(japp, jorga, run_jobs, mode, round_id, organiser_id):
    in_english(jorga)
    seen = {}
    kinds.HOOKS["progress"] = lambda job: seen.update(page=jorga.get(f"/o/jobs/{job.id}").text)
    job_id = start(japp, params={"pause_at": 4, "checkpoint": "progress"}, round_id=round_id, organiser_id=organiser_id)
    if mode == "redis":  # nothing runs it until a worker works the queue
        waiting = jorga.get(f"/o/jobs/{job_id}").text
        assert "Waiting to start" in waiting and '<meta http-equiv="refresh" content="3">' in waiting
    run_jobs()
    # Seen from the page while the job ran, between two steps.
    assert "Running" in seen["page"] and "4 of 10 steps" in seen["page"]
    assert '<meta http-equiv="refresh" content="3">' in seen["page"]
    done = jorga.get(f"/o/jobs/{job_id}")
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    assert "Done" in done.text and "http-equiv" not in done.text
    assert job_row(japp, job_id).result == {"steps": 10, "run": 1}
    listed = jorga.get(f"/o/rounds/{round_id}/jobs").text
    assert f'href="/o/jobs/{job_id}"' in listed and "Done" in listed
    assert f'href="/o/rounds/{round_id}/jobs"' in jorga.get(f"/o/rounds/{round_id}").text


def wait_until(check, what: str, process=None, limit: float = 60):
    """Poll ``check`` until true (bounded: a job that never gets there fails the test, it does not hang it)."""
    deadline = time.monotonic() + limit
    while not check():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the process stopped before {what}: {process.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"not {what} after {limit} s")
        time.sleep(0.1)


def run_in_its_own_process(web, job_id: int, mode: str, database_url: str, **settings) -> subprocess.Popen:
    """Run job ``job_id`` (created, not sent) in a process of its own, as production would: a burst worker
    taking it from the queue (``mode`` "redis"), or a process running it as a web process does; ``settings``
    are more environment variables. The caller stops it with :func:`kill_with_children`."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "PYTHONPATH": str(ROOT),
           **settings}
    env.pop("REDIS_URL", None)
    if mode == "redis":
        with web.app_context():
            jobs.send_job(db.session.get(Job, job_id))
        env["REDIS_URL"] = REDIS_URL
        command = [sys.executable, "-m", "flask", "--app", "tests.jobs.worker_app", "worker", "--burst"]
    else:
        command = [sys.executable, "-m", "tests.jobs.worker_app", "send", str(job_id)]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_with_children(process):
    parent = psutil.Process(process.pid)
    for child in parent.children(recursive=True):
        child.kill()
    parent.kill()
    process.wait()
    process.stdout.close()
    process.stderr.close()


def test_a_job_killed_midway_shows_as_stopped_and_its_retry_finishes_it(japp, jorga, app_with, mode, migrated,
                                                                        run_jobs, round_id, organiser_id):
    """The process running the job is killed (a worker and its work horse, or a web process and its thread)."""
    env = {**os.environ, "DATABASE_URL": migrated, "SECRET_KEY": "test-secret", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    params = {"hang_on_attempts": [1]}
    if mode == "redis":
        env["REDIS_URL"] = REDIS_URL
        job_id = start(japp, params=params, round_id=round_id, organiser_id=organiser_id)
        command = [sys.executable, "-m", "flask", "--app", "tests.jobs.worker_app", "worker", "--burst"]
    else:
        command = [sys.executable, "-m", "tests.jobs.worker_app", "start", "test_steps", json.dumps(params)]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if mode == "embedded":
            job_id = int(process.stdout.readline())
            with japp.app_context():  # as if an organiser of the round had started it
                db.session.get(Job, job_id).round_id = round_id
                db.session.commit()
        wait_until(lambda: job_row(japp, job_id).done == 3, "running", process)
    finally:
        kill_with_children(process)
    in_english(jorga)
    # Killed just now: with the default JOB_STALLED_AFTER (120 s) it still counts as running...
    assert "Running" in jorga.get(f"/o/jobs/{job_id}").text
    # ...and once that time has passed without a sign of life, it shows as stopped.
    later = app_with(JOB_STALLED_AFTER=0, **({"REDIS_URL": REDIS_URL} if mode == "redis" else {}))
    client = in_english(later.test_client())
    login(client)
    page = client.get(f"/o/jobs/{job_id}").text
    assert "Stopped" in page and "its worker was stopped or its machine lost" in page
    assert "Last known progress: 3 of 10 steps." in page and "http-equiv" not in page
    retried = post(client, f"/o/jobs/{job_id}/retry", f"/o/jobs/{job_id}")
    assert retried.status_code == 303
    run_jobs()
    assert "Done" in client.get(f"/o/jobs/{job_id}").text
    job = job_row(japp, job_id)
    assert (job.status, job.attempt, job.result, job.done) == ("done", 2, {"steps": 10, "run": 2}, 10)


def test_a_stopped_job_is_marked_failed_by_the_next_sweep_and_never_run_twice(japp, app_with, run_jobs, round_id,
                                                                             organiser_id):
    """What `flask jobs purge` and every job's start do: a job without signs of life becomes failed, with the reason."""
    with japp.app_context():
        job = jobs.create_job("test_steps", round_id=round_id, organiser_id=organiser_id)
        job.status, job.attempt = "running", 1  # the state a killed run leaves: claimed, then silent
        db.session.commit()
        jobs.send_job(job)  # and the queue hands it out again
    run_jobs()
    assert job_row(japp, job.id).status == "running"  # not queued: no run takes it a second time
    later = app_with(JOB_STALLED_AFTER=0)
    assert later.test_cli_runner().invoke(args=["jobs", "purge"]).exit_code == 0
    stopped = job_row(japp, job.id)
    assert stopped.status == "failed" and stopped.attempt == 1
    assert "sa machine perdue" in stopped.error["fr"] and "its machine lost" in stopped.error["en"]


def test_a_job_the_queue_lost_can_be_put_in_the_queue_again(japp, app_with, mode, run_jobs, round_id, organiser_id):
    """Redis restarted without its data, or the thread's process ended before it started: the job waits for ever."""
    with japp.app_context():
        job_id = jobs.create_job("test_steps", round_id=round_id, organiser_id=organiser_id).id
        db.session.commit()  # recorded, never sent
    later = app_with(JOB_STALLED_AFTER=0, **({"REDIS_URL": REDIS_URL} if mode == "redis" else {}))
    client = in_english(later.test_client())
    login(client)
    page = client.get(f"/o/jobs/{job_id}").text
    assert "Still waiting to start" in page and f'action="/o/jobs/{job_id}/retry"' in page
    assert post(client, f"/o/jobs/{job_id}/retry", f"/o/jobs/{job_id}").status_code == 303
    run_jobs()
    jobs.wait_for_threads()
    assert job_row(japp, job_id).status == "done"


def test_a_run_taken_for_dead_that_wakes_up_writes_nothing(japp, app_with, mode, run_jobs, round_id, organiser_id):
    """Run 1 pauses; meanwhile it is taken for dead and retried. Its next commit stops it; run 2 finishes the job."""
    later = app_with(JOB_STALLED_AFTER=0, **({"REDIS_URL": REDIS_URL} if mode == "redis" else {}))

    def retried_meanwhile(job):
        with later.app_context():
            assert jobs.retry_job(db.session.get(Job, job.id))

    kinds.HOOKS["taken for dead"] = retried_meanwhile
    job_id = start(japp, params={"checkpoint": "taken for dead"}, round_id=round_id, organiser_id=organiser_id)
    run_jobs()
    jobs.wait_for_threads()
    job = job_row(japp, job_id)
    assert (job.status, job.attempt, job.result) == ("done", 2, {"steps": 10, "run": 2})


def test_only_organisers_who_see_the_round_see_its_jobs(japp, jorga, admin, run_jobs, round_id, organiser_id):
    round_job = start(japp, round_id=round_id, organiser_id=organiser_id)
    backup_page = admin.get("/o/admin/backups")
    assert backup_page.status_code == 200
    backup = admin.post("/o/admin/backups", data={"csrf_token": csrf_token(backup_page.text)})
    backup_job = int(backup.location.rsplit("/", 1)[1])
    run_jobs()
    create_organiser(japp, "stranger@example.org")
    stranger = japp.test_client()
    login(stranger, "stranger@example.org")
    token = csrf_token(stranger.get("/o/").text)
    for job_id in (round_job, backup_job):
        assert stranger.get(f"/o/jobs/{job_id}").status_code == 404
        assert stranger.get(f"/o/jobs/{job_id}/download").status_code == 404
        assert stranger.post(f"/o/jobs/{job_id}/retry", data={"csrf_token": token}).status_code == 404
    assert stranger.get(f"/o/rounds/{round_id}/jobs").status_code == 404
    assert stranger.get("/o/admin/backups").status_code == 404
    assert stranger.post("/o/admin/backups", data={"csrf_token": token}).status_code == 404
    # The round's organiser sees the round's job, not the administrator's backup; the administrator both.
    assert jorga.get(f"/o/jobs/{round_job}").status_code == 200
    assert jorga.get(f"/o/jobs/{backup_job}").status_code == 404
    assert jorga.get("/o/admin/backups").status_code == 404
    assert admin.get(f"/o/jobs/{round_job}").status_code == 200
    assert admin.get(f"/o/jobs/{backup_job}").status_code == 200
    # A retry needs the form's CSRF token.
    assert jorga.post(f"/o/jobs/{round_job}/retry").status_code == 400


def test_an_administrator_backs_up_the_database_as_a_job(japp, admin, run_jobs, database_url, tmp_path):
    in_english(admin)
    for _ in range(2):  # the second backup must not carry the first one's file
        page = admin.get("/o/admin/backups")
        started = admin.post("/o/admin/backups", data={"csrf_token": csrf_token(page.text)})
        assert started.status_code == 303
        job_id = int(started.location.rsplit("/", 1)[1])
        run_jobs()
    page = admin.get(f"/o/jobs/{job_id}").text
    assert "Done" in page and f'href="/o/jobs/{job_id}/download"' in page
    download = admin.get(f"/o/jobs/{job_id}/download")
    name = re.search(r'filename="([^"]+)"', download.headers["Content-Disposition"]).group(1)
    path = tmp_path / name
    path.write_bytes(download.get_data())
    if database_url.startswith("sqlite"):
        assert name.endswith(".db")
        with sqlite3.connect(path) as copy:
            assert copy.execute("SELECT count(*) FROM jobs").fetchone()[0] == 2
            # The files of jobs (the first backup's among them) are left out.
            assert copy.execute("SELECT count(*) FROM job_file_chunks").fetchone()[0] == 0
            assert copy.execute("SELECT count(*) FROM job_files").fetchone()[0] == 0
    else:
        assert name.endswith(".dump") and path.read_bytes().startswith(b"PGDMP")
        listing = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True, check=True).stdout
        assert "TABLE DATA public jobs " in listing and "TABLE DATA public job_file_chunks " not in listing
    assert "Backup of the database" in admin.get("/o/admin/backups").text
