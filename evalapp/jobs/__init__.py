"""Background jobs: long work (exports, backups, emails, invitations by filter, large imports) run
outside the request, with progress, a result or a readable reason, and a file to download.

A job is a row of ``jobs`` (evalapp/models/jobs.py), so every web worker and every machine sees it;
the queue carries only its id.

How jobs run
    With ``REDIS_URL`` set, :func:`start_job` puts the id on the RQ queue ``evalapp`` and
    ``flask --app evalapp worker`` (on any machine sharing PostgreSQL and Redis) runs it, one
    process per job. Without it (``make run``), the job runs in a thread of the web process.
    Either way the same :func:`run_job` claims the row, runs the kind and records the end.

Starting a job (in a view or a command)::

    from evalapp import jobs

    job = jobs.start_job("export", params={...}, round_id=round_.id, organiser_id=current_user.id)
    return redirect(url_for("organiser.job_page", job_id=job.id), code=303)

``start_job`` COMMITS the session (whatever the view flushed goes with the job), then sends the job.
To write rows that point at the job in the same commit, use ``job = create_job(...)`` (flushes
only), write them, ``db.session.commit()``, then ``send_job(job)``.
``retry_job(job)`` queues a failed or stopped job again (COMMITS); ``can_retry(job)`` says whether it may.

Writing a kind::

    from flask_babel import lazy_gettext as _l
    from evalapp.jobs import JobError, kind

    @kind("send_emails", label=_l("Emails"), unit="emails", describe=..., summarise=...)  # "emails" added to UNITS
    def send_emails(job, progress):
        round_ = db.session.get(Round, job.round_id)
        todo = ...                      # what is NOT done yet (see the contract below)
        progress.set_total(total, "emails")
        progress.advance(already_done)  # a retry resumes: count what earlier runs did
        for batch in ...:
            ...                         # write through db.session; never commit yourself
            progress.advance(len(batch))    # commits work + counter at most every second
        return {"sent": n}              # the result (plain JSON), shown by summarise(job)

- ``job`` is the Job row (``job.params``, ``job.round_id``, ``job.organiser_id``, ``job.attempt``).
- ``progress.set_total(total, unit=None)``; ``progress.advance(n=1)``; ``progress.commit()`` to commit
  at once (before an action that must not happen twice); ``progress.commit_then(action)`` to commit and
  run ``action`` (an effect outside the database) the moment the COMMIT is on its way, so that a process
  killed between the two is all but impossible; ``progress.file(name, content_type)``, a
  context manager whose ``write(str | bytes)`` stores the job's file in the database, completed
  when the block ends without error (``complete()`` otherwise): only a complete file of a done job
  is offered, removed ``EXPORT_KEEP_HOURS`` after it was made.
- ``raise JobError(_l("... %(name)s ...", name=...))`` fails the job with that reason, stored in
  French and English (``JobError(..., result={...})`` keeps a result too, such as the problems found).
  Any other exception fails it too, with its type and a line of detail.
- A kind may have a template ``templates/organiser/jobs/<kind>.html``: the job's page includes it, in
  every state, for what only that kind shows (the messages that failed, the problems of a file), with
  ``details``, what the kind's ``details(job)`` returns (``@kind(..., details=...)``).
- ``active_job(kind, round_id)``: the round's job of that kind waiting or running, if any (a kind that
  must not run twice at once for a round checks it before starting one).
- ``unit`` is a key of ``UNITS`` (responses, partnerships, emails, authorities, bytes, steps);
  add yours there with its wording. ``label`` names the kind on pages; ``describe(job)`` and
  ``summarise(job)`` (optional) return one translated line about its parameters and its result.
- Add the kind's module to ``KIND_MODULES`` (evalapp/jobs/registry.py), so that workers know it.

The contract of kinds: idempotent, resuming where they stopped
    A run can stop anywhere (an error, the worker killed, the machine lost). What it wrote up to
    its last commit stays; the rest is rolled back. ``retry_job`` then runs the SAME kind with the
    SAME ``params`` from the start of the function, so a kind must:

    1. read the state it left (what is already recorded as done) and do only what is left: never
       send, create or count anything twice;
    2. record each unit of work in the same transaction as its effect, or before an effect
       outside the database (for an email: record it, then ``progress.commit_then(send)``; see
       evalapp/mailing.py), and say in the kind what a crash between the two leaves;
    3. write through ``db.session`` and let ``progress`` commit (in ``advance``/``commit``): never
       ``db.session.commit()`` in a kind;
    4. replace, not append, what cannot be resumed (a file is started again: ``progress.file``
       drops the previous run's file).

    A run taken for dead (no sign of life for ``JOB_STALLED_AFTER`` seconds) that wakes up finds
    its job failed or claimed by a newer run: its next commit raises ``JobSuperseded`` and it stops
    without writing.

Stopped jobs
    A thread beside the work writes ``heartbeat_at`` every 15 seconds. A running job without a sign
    of life for ``JOB_STALLED_AFTER`` seconds shows as stopped and may be retried; :func:`sweep`
    (run before every job, and by ``flask --app evalapp jobs purge``) marks it failed and removes
    the files past their time.
"""
from evalapp.jobs.files import FileWriter
from evalapp.jobs.registry import KINDS, UNITS, kind, load_kinds
from evalapp.jobs.runner import (
    JobError,
    JobSuperseded,
    Progress,
    active_job,
    can_retry,
    create_job,
    retry_job,
    run_job,
    send_job,
    start_job,
    sweep,
    wait_for_threads,
)

__all__ = [
    "KINDS",
    "UNITS",
    "FileWriter",
    "JobError",
    "JobSuperseded",
    "Progress",
    "active_job",
    "can_retry",
    "create_job",
    "init_app",
    "kind",
    "retry_job",
    "run_job",
    "send_job",
    "start_job",
    "sweep",
    "wait_for_threads",
]


def init_app(app) -> None:
    """Register every kind, in the web process and in workers alike."""
    load_kinds()
