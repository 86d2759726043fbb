"""The app with the test kinds, for the processes a test starts and kills:

    flask --app tests.jobs.worker_app worker            a worker of the queue (REDIS_URL)
    python -m tests.jobs.worker_app start KIND PARAMS   a web process running a job in a thread (no REDIS_URL)
    python -m tests.jobs.worker_app send JOB_ID         a web process running a job the test created, in a thread
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
