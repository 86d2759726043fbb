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


@pytest.fixture
def japp(app, app_with, mode):
    """The app in the mode under test, on the test database (``app`` empties it afterwards)."""
    if mode == "redis":
        Redis.from_url(REDIS_URL).flushdb()
        made = app_with(REDIS_URL=REDIS_URL)
    else:
        made = app_with()
    yield made
    jobs.wait_for_threads()


@pytest.fixture
def run_jobs(japp, mode):
    """Run what the jobs started so far need: wait for their threads, or work the queue until it is empty."""
    def run():
        if mode == "redis":
            from rq import SimpleWorker

            from evalapp.jobs import queue

            with japp.app_context():
                queue.make_worker(SimpleWorker).work(burst=True)
                db.session.remove()
        jobs.wait_for_threads()

    return run


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
