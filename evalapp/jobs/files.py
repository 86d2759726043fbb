"""The files jobs make, stored in the database in chunks: every machine can serve them, and neither
writing nor reading one holds more than a chunk in memory. Functions here only flush."""
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from evalapp.extensions import db
from evalapp.models import Job, JobFile, JobFileChunk, JobStatus
from evalapp.models.base import utcnow

#: Bytes per chunk row: large enough that a 200 MB export is 200 rows, small enough for any database.
CHUNK_SIZE = 1024 * 1024


class FileWriter:
    """Write a job's file: ``write`` text (stored as UTF-8) or bytes; ``complete`` once the last byte is written.

    Used as a context manager (``with progress.file(...) as f``), it completes the file when the
    block ends without an error; a file never completed is never offered.
    """

    def __init__(self, job_id: int, name: str, content_type: str, keep_hours: float):
        remove(job_id)  # a retry starts a new file
        self.keep = timedelta(hours=keep_hours)
        file = JobFile(job_id=job_id, name=name, content_type=content_type, size=0, expires_at=utcnow() + self.keep)
        db.session.add(file)
        db.session.flush()
        self.file_id = file.id
        self.size = 0
        self._seq = 0
        self._buffer = bytearray()

    def write(self, data: str | bytes) -> None:
        self._buffer += data.encode("utf-8") if isinstance(data, str) else data
        while len(self._buffer) >= CHUNK_SIZE:
            self._store(bytes(self._buffer[:CHUNK_SIZE]))
            del self._buffer[:CHUNK_SIZE]

    def _store(self, data: bytes) -> None:
        # Core, not ORM objects: nothing accumulates in the session.
        db.session.execute(JobFileChunk.__table__.insert(), {"file_id": self.file_id, "seq": self._seq, "data": data})
        self._seq += 1
        self.size += len(data)

    def complete(self) -> None:
        if self._buffer:
            self._store(bytes(self._buffer))
            self._buffer.clear()
        now = utcnow()
        db.session.execute(update(JobFile).where(JobFile.id == self.file_id)
                           .values(size=self.size, completed_at=now, expires_at=now + self.keep))

    def __enter__(self) -> "FileWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.complete()


def chunks(file: JobFile) -> Iterator[bytes]:
    """The file's bytes, one chunk (one query) at a time."""
    seq = 0
    while True:
        data = db.session.scalar(select(JobFileChunk.data).where(JobFileChunk.file_id == file.id,
                                                                 JobFileChunk.seq == seq))
        if data is None:
            return
        yield bytes(data)
        seq += 1


def remove(job_id: int) -> None:
    """Delete a job's file and its content."""
    file_ids = select(JobFile.id).where(JobFile.job_id == job_id)
    db.session.execute(delete(JobFileChunk).where(JobFileChunk.file_id.in_(file_ids)))
    db.session.execute(delete(JobFile).where(JobFile.job_id == job_id))


def purge(now: datetime | None = None) -> int:
    """Remove the content of the files past their time (those of running jobs stay); return how many."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(JobFile.id).join(Job, Job.id == JobFile.job_id)
        .where(JobFile.expires_at <= now, JobFile.removed_at.is_(None), Job.status != JobStatus.RUNNING)
    ).all()
    for start in range(0, len(ids), 500):
        batch = ids[start:start + 500]
        db.session.execute(delete(JobFileChunk).where(JobFileChunk.file_id.in_(batch)))
        db.session.execute(update(JobFile).where(JobFile.id.in_(batch)).values(removed_at=now))
    return len(ids)
