"""The app with the test kinds, for the processes a test starts and kills:

    flask --app tests.jobs.worker_app worker            a worker of the queue (REDIS_URL)
    python -m tests.jobs.worker_app start KIND PARAMS   a web process running a job in a thread (no REDIS_URL)
"""
import json
import sys
import time

from evalapp import create_app as create_evalapp
from tests.jobs import kinds  # noqa: F401  (register the test kinds)


def create_app():
    return create_evalapp()


if __name__ == "__main__":
    from evalapp import jobs

    _, command, kind_name, params = sys.argv
    app = create_app()
    with app.app_context():
        job = jobs.start_job(kind_name, params=json.loads(params))
        print(job.id, flush=True)
    time.sleep(120)  # as a web process does, until it is killed
