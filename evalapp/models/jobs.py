"""Background jobs and the files they make: rows every web worker and every machine sees.

The queue (RQ on Redis) carries only a job's id; everything else is here. What the jobs do
and how they run is in :mod:`evalapp.jobs`.
"""
import enum
from datetime import datetime, timedelta

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evalapp.extensions import db
from evalapp.models.base import one_of, utcnow


class JobStatus(enum.StrEnum):
    """Where a job is: waiting for a worker, running, finished, or stopped by an error."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    """One piece of long work (an export, a backup...), asked by an organiser, run by a worker."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(one_of("status", JobStatus), name="status_known"),
        CheckConstraint("done >= 0 AND (total IS NULL OR total >= 0)", name="progress_not_negative"),
        CheckConstraint("attempt >= 0", name="attempt_not_negative"),
        Index("ix_jobs_round_id_id", "round_id", "id"),
        # The sweep looks for running jobs without a recent heartbeat.
        Index("ix_jobs_status_heartbeat_at", "status", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the job does: the name of a kind registered in evalapp.jobs (export, backup...).
    kind: Mapped[str] = mapped_column(String(40))
    #: The kind's parameters (plain JSON); a retry runs the same kind with the same parameters.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The round the job works on; none for work on the whole database (a backup).
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    #: The organiser who asked for it; none for the command line.
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("organisers.id"))
    #: A JobStatus.
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED)
    #: Runs started so far. Each run claims the job with the next number and writes only while the
    #: number is still its own, so a run taken for dead that wakes up cannot write over its retry.
    attempt: Mapped[int] = mapped_column(default=0)
    #: Progress of the current run: ``done`` of ``total`` (unknown until the kind sets it) ``unit``.
    done: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int | None] = mapped_column(BigInteger)
    #: A key of evalapp.jobs.UNITS: responses, partnerships, bytes...
    unit: Mapped[str] = mapped_column(String(20))
    #: What the kind returned when done (plain JSON: counts, sizes), shown on the job's page.
    result: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    #: Why the job failed, in each language of the interface: {"en": ..., "fr": ...}.
    error: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the current (or last) run started.
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: The last sign of life of the running job; a running job without one for JOB_STALLED_AFTER
    #: seconds was stopped (worker killed, machine lost) and may be retried.
    heartbeat_at: Mapped[datetime | None]

    round: Mapped["Round | None"] = relationship()  # noqa: F821
    organiser: Mapped["Organiser | None"] = relationship()  # noqa: F821
    file: Mapped["JobFile | None"] = relationship(back_populates="job", uselist=False)

    def __repr__(self):
        return f"<Job {self.id} {self.kind} {self.status}>"

    def is_stalled(self, now: datetime, stalled_after: float) -> bool:
        """Whether the job runs, or waits in the queue, with no sign of life for ``stalled_after`` seconds
        (its worker stopped, its machine lost, or the queue lost it)."""
        return (self.status in (JobStatus.RUNNING, JobStatus.QUEUED)
                and (self.heartbeat_at or self.started_at or self.created_at) < now - timedelta(seconds=stalled_after))

    def error_text(self, lang: str) -> str:
        if not self.error:
            return ""
        return self.error.get(lang) or self.error.get("en") or next(iter(self.error.values()), "")


class JobFile(db.Model):
    """The file a job makes (an export, a backup), kept in the database so that every machine can
    serve it; its content is in :class:`JobFileChunk` rows, written and read one chunk at a time."""

    __tablename__ = "job_files"
    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One file per job; a retry replaces it.
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    #: The name the download is saved under.
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    #: Bytes stored so far; the whole file once complete.
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When its last byte was stored: only a complete file is offered for download.
    completed_at: Mapped[datetime | None]
    #: When the purge removes its content (EXPORT_KEEP_HOURS after it was made).
    expires_at: Mapped[datetime]
    #: When its content was removed; the row stays so that the job's page can say so.
    removed_at: Mapped[datetime | None]

    job: Mapped[Job] = relationship(back_populates="file")

    def __repr__(self):
        return f"<JobFile {self.id} {self.name!r} job={self.job_id}>"

    @property
    def is_available(self) -> bool:
        return self.completed_at is not None and self.removed_at is None


class JobFileChunk(db.Model):
    """One piece of a job's file, in order; a download reads them one at a time, so memory stays flat."""

    __tablename__ = "job_file_chunks"
    __table_args__ = (CheckConstraint("seq >= 0", name="seq_not_negative"),)

    file_id: Mapped[int] = mapped_column(ForeignKey("job_files.id", ondelete="CASCADE"), primary_key=True)
    #: The chunk's place in the file, from 0.
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: At most evalapp.jobs.files.CHUNK_SIZE bytes.
    data: Mapped[bytes] = mapped_column(LargeBinary)

    def __repr__(self):
        return f"<JobFileChunk file={self.file_id} #{self.seq}>"
