"""The RQ queue on Redis (REDIS_URL): it carries job ids only; workers read the rest from the database.

``flask --app evalapp worker`` runs :func:`make_worker`; plain ``rq worker --url REDIS_URL evalapp``
works too (with the same environment as the web process), since :func:`perform` builds the app
when it runs outside one.
"""
from flask import current_app, has_app_context
from redis import Redis
from rq import Queue, Worker

#: The one queue evalapp uses.
QUEUE_NAME = "evalapp"
#: RQ stops a job running longer than this (seconds). Jobs give signs of life and commit as they go,
#: so a long export or backup is fine; this only ends one that hangs.
JOB_TIMEOUT = 6 * 3600
#: How long RQ keeps its record of a job that failed inside RQ itself (the job's row says why).
FAILURE_TTL = 7 * 24 * 3600


def connection() -> Redis:
    """The app's Redis connection (one pool per app)."""
    app = current_app._get_current_object()
    redis = app.extensions.get("evalapp_redis")
    if redis is None:
        redis = app.extensions["evalapp_redis"] = Redis.from_url(app.config["REDIS_URL"])
    return redis


def queue() -> Queue:
    return Queue(QUEUE_NAME, connection=connection())


def enqueue(job_id: int) -> None:
    queue().enqueue_call("evalapp.jobs.queue.perform", args=(job_id,), timeout=JOB_TIMEOUT, result_ttl=0,
                         failure_ttl=FAILURE_TTL, description=f"evalapp job {job_id}")


def perform(job_id: int) -> None:
    """What RQ runs: the job of that id, in the app's context (built here under a plain ``rq worker``)."""
    from evalapp.jobs.runner import run_job

    if has_app_context():
        run_job(job_id)
        return
    from evalapp import create_app

    with create_app().app_context():
        run_job(job_id)


def make_worker(worker_class: type[Worker] = Worker) -> Worker:
    """A worker of the queue. The default one forks a process per job: a job that crashes or leaks
    takes only its own process down."""
    return worker_class([queue()], connection=connection())
