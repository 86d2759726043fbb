"""The app with the test kinds, for the processes a test starts and kills:

    flask --app tests.jobs.worker_app worker            a worker of the queue (REDIS_URL)
    python -m tests.jobs.worker_app start KIND PARAMS   a web process running a job in a thread (no REDIS_URL)
    python -m tests.jobs.worker_app send JOB_ID         a web process running a job the test created, in a thread

With TEST_PAUSE_IN_BATCH=seconds, each batch of invitations by filter waits that long before its commit.
"""
import json
import os
import sys
import time

from evalapp import create_app as create_evalapp
from tests.jobs import kinds  # noqa: F401  (register the test kinds)


def create_app():
    return create_evalapp()


def _pause_after_each_batch(seconds: float) -> None:
    """Let a test kill the process in the middle of a batch: each batch of invitations, once written and before
    it is committed, waits ``seconds`` (TEST_PAUSE_IN_BATCH)."""
    from evalapp import invitations

    write = invitations.invite_batch

    def slow(*args, **kwargs):
        written = write(*args, **kwargs)
        time.sleep(seconds)
        return written

    invitations.invite_batch = slow


if os.environ.get("TEST_PAUSE_IN_BATCH"):
    _pause_after_each_batch(float(os.environ["TEST_PAUSE_IN_BATCH"]))


if __name__ == "__main__":
    from evalapp import jobs
    from evalapp.extensions import db
    from evalapp.models import Job

    command, *arguments = sys.argv[1:]
    app = create_app()
    with app.app_context():
        if command == "send":
            jobs.send_job(db.session.get(Job, int(arguments[0])))
        else:
            kind_name, params = arguments
            job = jobs.start_job(kind_name, params=json.loads(params))
            print(job.id, flush=True)
    time.sleep(120)  # as a web process does, until it is killed
