"""Every job test runs both ways: in the web process (no Redis, as `make run`) and through the RQ queue on
Redis with a real worker (RQ's SimpleWorker, in this process, or `flask worker` in another).

Redis tests use the database of TEST_REDIS_URL (redis://127.0.0.1:6379/5 by default), emptied before
each test; without a Redis there they are skipped, saying so (.ci/run starts one).
"""
import os

import pytest
from redis import Redis
from redis.exceptions import RedisError

from evalapp import jobs
from evalapp.extensions import db
from tests.factories import create_organiser, login
from tests.jobs import kinds  # noqa: F401  (the test kinds)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def redis_reachable() -> bool:
    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except RedisError:
        return False


@pytest.fixture(params=["embedded", "redis"])
def mode(request):
    if request.param == "redis" and not redis_reachable():
        pytest.skip(f"no Redis at {REDIS_URL}: the queue mode is tested where Redis runs (.ci/run starts it)")
    return request.param


def queue_settings(mode: str) -> dict:
    """The settings of an app in ``mode``: on the queue of TEST_REDIS_URL (emptied), or none (in-process)."""
    if mode == "redis":
        Redis.from_url(REDIS_URL).flushdb()
        return {"REDIS_URL": REDIS_URL}
    return {}


def run_pending(app) -> None:
    """Run what the jobs started so far need: work the app's queue until it is empty (with REDIS_URL),
    and wait for the threads running jobs in this process."""
    if app.config.get("REDIS_URL"):
        from rq import SimpleWorker

        from evalapp.jobs import queue

        with app.app_context():
            queue.make_worker(SimpleWorker).work(burst=True)
            db.session.remove()
    jobs.wait_for_threads()


@pytest.fixture
def japp(app, app_with, mode):
    """The app in the mode under test, on the test database (``app`` empties it afterwards)."""
    made = app_with(**queue_settings(mode))
    yield made
    jobs.wait_for_threads()


@pytest.fixture
def run_jobs(japp):
    """Run what the jobs started so far need (see :func:`run_pending`)."""
    return lambda: run_pending(japp)


@pytest.fixture
def jorga(japp, round_id):
    """The round's organiser, logged in on the app of the mode under test."""
    client = japp.test_client()
    assert login(client).status_code == 303
    return client


@pytest.fixture
def admin(japp):
    create_organiser(japp, "admin@example.org", admin=True)
    client = japp.test_client()
    assert login(client, "admin@example.org").status_code == 303
    return client
