"""Start, run, retry and sweep jobs. See :mod:`evalapp.jobs` for the API and the contract of kinds."""
import logging
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from typing import TypeVar

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from evalapp.extensions import db
from evalapp.i18n import LOCALES
from evalapp.jobs import files
from evalapp.jobs.registry import KINDS
from evalapp.models import Job, JobStatus
from evalapp.models.base import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds between two signs of life of a running job, given by a thread beside the work (so that one
#: long step, a pg_dump or a slow query, does not look like a dead job). JOB_STALLED_AFTER is larger.
HEARTBEAT_SECONDS = 15
#: Progress.advance commits the work and the counter at most this often (seconds).
COMMIT_EVERY = 1.0

STALLED_REASON = _l("The job stopped giving signs of life while it ran: its worker was stopped or its "
                    "machine lost. What it had saved is kept; retry it to finish the work.")


class JobError(Exception):
    """Stops a job with a reason organisers can read: ``raise JobError(_l("No round %(id)s.", id=3))``.

    The message is stored in each language of the interface, so pass a lazy string (``_l``) with its
    values as keyword arguments, not a string already formatted. ``result`` (plain JSON) is kept as the
    failed job's result, for its page to show.
    """

    def __init__(self, message, result: dict | None = None):
        super().__init__(str(message))
        self.message = message
        #: What the job still has to show although it failed (the problems an import found...), or None.
        self.result = result


class JobSuperseded(Exception):
    """This run no longer owns its job: it was taken for dead, and failed or retried since."""


def readable(message) -> dict[str, str]:
    """``message`` (a lazy string) in each language of the interface, as Job.error stores it."""
    texts = {}
    for lang in current_app.config["LANGUAGES"]:
        with force_locale(LOCALES.get(lang, lang)):
            texts[lang] = str(message)
    return texts


# --- Starting and retrying (in a request or a command) ---------------------------------------------


def create_job(kind: str, *, params: dict | None = None, round_id: int | None = None,
               organiser_id: int | None = None) -> Job:
    """Add a queued job of a registered kind (flushes only); commit, then :func:`send_job` it."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of job {kind!r}")
    job = Job(kind=kind, params=params or {}, round_id=round_id, organiser_id=organiser_id,
              status=JobStatus.QUEUED, unit=KINDS[kind].unit, heartbeat_at=utcnow())
    db.session.add(job)
    db.session.flush()
    return job


def send_job(job: Job) -> None:
    """Send a committed queued job to be run: to the RQ queue with REDIS_URL, else to a thread of this process."""
    _dispatch(job.id)


def start_job(kind: str, *, params: dict | None = None, round_id: int | None = None,
              organiser_id: int | None = None) -> Job:
    """Create the job, COMMIT (with whatever the session holds), and send it to be run."""
    job = create_job(kind, params=params, round_id=round_id, organiser_id=organiser_id)
    db.session.commit()
    send_job(job)
    return job


def can_retry(job: Job) -> bool:
    """Failed, stopped (running without a sign of life), or waiting in the queue longer than a job may be silent."""
    if job.status == JobStatus.FAILED:
        return True
    if job.status in (JobStatus.RUNNING, JobStatus.QUEUED):
        return job.is_stalled(utcnow(), current_app.config["JOB_STALLED_AFTER"])
    return False


def retry_job(job: Job) -> bool:
    """Queue the job again, to run the same kind with the same parameters; COMMIT and send it.

    Returns False, changing nothing, when the job cannot be retried (it runs, is done, or was
    retried already). Sending a job that waits in the queue again is safe: only one run claims it.
    """
    cutoff = utcnow() - timedelta(seconds=current_app.config["JOB_STALLED_AFTER"])
    retried = db.session.execute(
        update(Job).where(Job.id == job.id, or_(
            Job.status == JobStatus.FAILED,
            and_(Job.status.in_([JobStatus.RUNNING, JobStatus.QUEUED]), _last_sign_of_life() < cutoff),
        )).values(status=JobStatus.QUEUED, heartbeat_at=utcnow(), finished_at=None, error=None, result=None)
        .execution_options(synchronize_session=False)
    )
    if retried.rowcount != 1:
        db.session.rollback()
        return False
    db.session.commit()
    _dispatch(job.id)
    return True


def active_job(kind: str, round_id: int) -> Job | None:
    """The round's job of this kind that waits or runs (and still gives signs of life), if any."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["JOB_STALLED_AFTER"])
    return db.session.scalar(
        select(Job).where(Job.kind == kind, Job.round_id == round_id,
                          Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]), _last_sign_of_life() >= cutoff)
        .order_by(Job.id.desc()).limit(1)
    )


def _last_sign_of_life():
    return func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)


def _dispatch(job_id: int) -> None:
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        _start_thread(app, job_id)
        return
    from redis.exceptions import RedisError

    from evalapp.jobs import queue

    try:
        queue.enqueue(job_id)
    except RedisError as exc:
        log.error("could not queue job %s: %s", job_id, exc)
        db.session.execute(
            update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
            .values(status=JobStatus.FAILED, finished_at=utcnow(), error=readable(_l(
                "The job queue (Redis) could not be reached, so the job was not started (%(error)s). "
                "Retry it once Redis is back.", error=type(exc).__name__)))
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


# --- Without Redis: a thread of the web process ------------------------------------------------------

_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()


def _start_thread(app, job_id: int) -> None:
    def target():
        try:
            with app.app_context():
                run_job(job_id)
        finally:
            with _threads_lock:
                _threads.discard(threading.current_thread())

    thread = threading.Thread(target=target, name=f"evalapp-job-{job_id}", daemon=True)
    with _threads_lock:
        _threads.add(thread)
    thread.start()


def wait_for_threads(timeout: float | None = None) -> None:
    """Wait until the jobs running in threads of this process end (tests; a command that must not stop them)."""
    with _threads_lock:
        running = list(_threads)
    for thread in running:
        thread.join(timeout)


# --- Running (in a worker, or a thread of the web process) ------------------------------------------


class Progress:
    """What a kind reports while it works, and the points where its work is committed.

    - ``set_total(total, unit=None)``: how many units the work has (a unit of evalapp.jobs.UNITS).
    - ``advance(n=1)``: n more units done. Everything the kind wrote so far may be committed here:
      the work and the counter are committed together, at most every second.
    - ``commit()``: commit now (before something that must not be done twice).
    - ``commit_then(action)``: commit, and run ``action`` the moment the commit is on its way (an email's final dot).
    - ``file(name, content_type)``: a FileWriter for the job's file, offered once complete.
    Each commit raises JobSuperseded if this run no longer owns the job.
    """

    def __init__(self, job_id: int, attempt: int, unit: str):
        self.job_id = job_id
        self.attempt = attempt
        self.unit = unit
        self.done = 0
        self.total: int | None = None
        self._committed = time.monotonic()

    def set_total(self, total: int, unit: str | None = None) -> None:
        from evalapp.jobs.registry import UNITS

        if unit is not None:
            if unit not in UNITS:
                raise ValueError(f"unknown unit {unit!r}: add it to evalapp.jobs.registry.UNITS")
            self.unit = unit
        self.total = total
        self.commit()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self._committed >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        self._update(done=self.done, total=self.total, unit=self.unit, heartbeat_at=utcnow())
        db.session.commit()
        self._committed = time.monotonic()

    def commit_then(self, action: Callable[[], T]) -> T:
        """Commit, then run ``action`` at once: an effect outside the database that must follow its record
        (the final dot of an email). Returns what ``action`` returns.

        A process killed after a COMMIT left it but before ``action`` ran leaves a record of something not
        done. On PostgreSQL the server completes a COMMIT it received even if the process dies before the
        answer, so that window would be the whole commit (the disk's flush): here the COMMIT is sent, then
        ``action`` runs without waiting for its answer, which is read after. The window left is the
        microseconds between writing the COMMIT and running ``action``. Should the COMMIT fail after
        ``action`` ran, the error is raised then. Elsewhere (SQLite commits in this process) it commits,
        then runs ``action``.
        """
        self._update(done=self.done, total=self.total, unit=self.unit, heartbeat_at=utcnow())
        connection = db.session.connection()
        if connection.dialect.name != "postgresql":
            db.session.commit()
            self._committed = time.monotonic()
            return action()
        from psycopg import generators, pq

        raw = connection.connection.driver_connection
        with raw.lock:
            raw.pgconn.send_query(b"COMMIT")
            if raw.pgconn.flush():  # not all of it written yet: wait until it is
                raw.wait(generators.send(raw.pgconn))
        try:
            return action()
        finally:
            with raw.lock:
                results = raw.wait(generators.fetch_many(raw.pgconn))
            if [(r.status, r.command_status) for r in results] != [(pq.ExecStatus.COMMAND_OK, b"COMMIT")]:
                raise SQLAlchemyError(f"job {self.job_id}: the commit before an action failed: "
                                      f"{[r.error_message for r in results]}")
            db.session.commit()  # the connection is idle: this only ends the session's transaction
            self._committed = time.monotonic()

    def file(self, name: str, content_type: str = "text/csv; charset=utf-8") -> files.FileWriter:
        return files.FileWriter(self.job_id, name, content_type, current_app.config["EXPORT_KEEP_HOURS"])

    def _update(self, **values) -> None:
        """Write to the job's row if this run still owns it (its attempt, still running)."""
        updated = db.session.execute(
            update(Job).where(Job.id == self.job_id, Job.attempt == self.attempt, Job.status == JobStatus.RUNNING)
            .values(**values).execution_options(synchronize_session=False)
        )
        if updated.rowcount != 1:
            db.session.rollback()
            raise JobSuperseded(f"job {self.job_id}, run {self.attempt}")


def run_job(job_id: int) -> None:
    """Run a queued job to its end: done with its result, or failed with a reason. Needs an app context."""
    sweep()
    attempt = _claim(job_id)
    if attempt is None:
        log.info("job %s is not waiting to run (already taken, or not queued): skipped", job_id)
        return
    job = db.session.get(Job, job_id)
    progress = Progress(job_id, attempt, job.unit)
    with _heartbeat(job_id, attempt):
        try:
            kind = KINDS.get(job.kind)
            if kind is None:
                raise JobError(_l("This kind of job (%(kind)s) is not known to this version of evalapp.", kind=job.kind))
            result = kind.run(job, progress)
        except JobSuperseded:
            db.session.rollback()
            log.warning("job %s: run %s was taken for dead and superseded; it stops", job_id, attempt)
            return
        except JobError as exc:
            db.session.rollback()
            _finish(progress, JobStatus.FAILED, error=readable(exc.message), result=exc.result)
        except Exception as exc:
            db.session.rollback()
            log.exception("job %s (%s) failed", job_id, job.kind)
            _finish(progress, JobStatus.FAILED, error=readable(_unexpected(exc)))
        else:
            _finish(progress, JobStatus.DONE, result=result)


def _unexpected(exc: Exception):
    from rq.timeouts import JobTimeoutException

    if isinstance(exc, JobTimeoutException):
        return _l("The job ran longer than its time limit and was stopped. What it had saved is kept; "
                  "retry it to go on.")
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return _l("An unexpected error stopped the job: %(error)s. What it had saved is kept; retry it, and "
              "tell your administrator if it fails again (the error is in the worker's log).",
              error=f"{type(exc).__name__}" + (f" ({detail[0][:200]})" if detail else ""))


def _claim(job_id: int) -> int | None:
    """Take the queued job for this run; return the run's number, or None if it is not queued."""
    now = utcnow()
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, attempt=Job.attempt + 1, started_at=now, heartbeat_at=now,
                finished_at=None, done=0, total=None, result=None, error=None)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return None
    attempt = db.session.scalar(select(Job.attempt).where(Job.id == job_id))
    db.session.commit()
    return attempt


def _finish(progress: Progress, status: str, result: dict | None = None, error: dict | None = None) -> None:
    try:
        progress._update(status=status, result=result, error=error, done=progress.done, total=progress.total,
                         unit=progress.unit, finished_at=utcnow(), heartbeat_at=utcnow())
    except JobSuperseded:
        log.warning("job %s: run %s ended after it was superseded; its end is not recorded",
                    progress.job_id, progress.attempt)
        return
    db.session.commit()


@contextmanager
def _heartbeat(job_id: int, attempt: int):
    """Give signs of life from a thread while the work runs, on a connection of its own."""
    engine = db.engine
    table = Job.__table__
    stop = threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                with engine.begin() as conn:
                    conn.execute(update(table).where(table.c.id == job_id, table.c.attempt == attempt,
                                                     table.c.status == JobStatus.RUNNING)
                                 .values(heartbeat_at=utcnow()))
            except SQLAlchemyError as exc:
                log.warning("job %s: heartbeat not written (%s)", job_id, exc)

    thread = threading.Thread(target=beat, name=f"evalapp-job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def sweep() -> None:
    """Fail the running jobs that stopped giving signs of life, and remove the files past their time. COMMITS."""
    now = utcnow()
    cutoff = now - timedelta(seconds=current_app.config["JOB_STALLED_AFTER"])
    stalled = db.session.scalars(select(Job.id).where(Job.status == JobStatus.RUNNING,
                                                      _last_sign_of_life() < cutoff)).all()
    if stalled:
        db.session.execute(
            update(Job).where(Job.id.in_(stalled), Job.status == JobStatus.RUNNING, _last_sign_of_life() < cutoff)
            .values(status=JobStatus.FAILED, finished_at=now, error=readable(STALLED_REASON))
            .execution_options(synchronize_session=False)
        )
        log.warning("jobs %s gave no sign of life for %s s: marked failed", stalled,
                    current_app.config["JOB_STALLED_AFTER"])
    removed = files.purge(now)
    if removed:
        log.info("removed the content of %s job files past their time", removed)
    db.session.commit()
