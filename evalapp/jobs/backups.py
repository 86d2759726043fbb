"""A backup of the whole database as a job (administrators, from the admin pages): the file of
``flask backup`` (pg_dump on PostgreSQL, the SQLite backup API on SQLite), made by a worker in a
temporary folder of its own, then stored in the database to be downloaded from any machine."""
import tempfile
from pathlib import Path

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from evalapp.backup import BackupError, backup
from evalapp.extensions import db
from evalapp.jobs.files import CHUNK_SIZE
from evalapp.jobs.registry import kind
from evalapp.jobs.runner import JobError
from evalapp.models import Job
from evalapp.models.base import utcnow

JOB_KIND = "backup"


def _summarise(job: Job) -> str:
    result = job.result or {}
    return _("%(name)s, %(size)s bytes", name=result.get("file", ""), size=format_decimal(result.get("bytes", 0)))


@kind(JOB_KIND, label=_l("Backup of the database"), unit="bytes", summarise=_summarise)
def run_backup(job: Job, progress) -> dict:
    """Back up into a temporary file, then store it chunk by chunk (a retry makes a new backup)."""
    url = db.engine.url
    sqlite = url.get_backend_name() == "sqlite"
    name = f"evalapp-backup-{utcnow():%Y-%m-%d-%H%M}.{'db' if sqlite else 'dump'}"
    with tempfile.TemporaryDirectory(prefix="evalapp-backup-") as folder:
        path = Path(folder) / name
        try:
            backup(url, path)
        except BackupError as exc:
            raise JobError(_l("The backup could not be made: %(error)s", error=str(exc))) from None
        size = path.stat().st_size
        progress.set_total(size, "bytes")
        with progress.file(name, "application/octet-stream") as out, path.open("rb") as source:
            while data := source.read(CHUNK_SIZE):
                out.write(data)
                progress.advance(len(data))
    return {"file": name, "bytes": size}
