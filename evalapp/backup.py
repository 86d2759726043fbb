"""Backup and restore of the whole database (every round): ``flask backup FILE``, ``flask restore FILE``.

- SQLite: the online backup API of ``sqlite3``, a consistent copy even while the app serves.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --no-owner
  --single-transaction`` (a restore that fails changes nothing). The connection parameters
  come from the database URL; the password goes through ``PGPASSWORD``, not the command line.

A backup is written to a temporary file renamed at the end, so a failed backup leaves the
previous file as it was. It leaves out the files that jobs made (exports, earlier backups: the
rows of ``job_files`` and ``job_file_chunks``), which are kept a few hours only and would make each
backup carry the ones before it; a restored database says those files are no longer kept. A restore refuses a database that holds data (any row in a table
other than ``alembic_version``) unless ``force`` is given: it would replace that data.
Failures raise :class:`BackupError` with a message for the operator.
"""
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine, inspect, literal, select, table
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

#: Alembic's bookkeeping: a freshly migrated database has a row there and is still empty.
SCHEMA_TABLES = {"alembic_version"}
#: Tables whose rows a backup leaves out: the files of jobs, chunks first.
TRANSIENT_TABLES = ("job_file_chunks", "job_files")


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


def backup(database_url: str | URL, path: str | Path) -> None:
    """Copy the whole database into ``path`` (replaced only once the copy is complete)."""
    url, path = make_url(database_url), Path(path)
    if not path.parent.is_dir():
        raise BackupError(f"no folder {path.parent} to write the backup in")
    partial = path.with_name(path.name + ".partial")
    try:
        if _is_sqlite(url):
            with closing(_open_read_only(_sqlite_file(url, must_exist=True))) as source, \
                    closing(sqlite3.connect(partial)) as target:
                source.backup(target)
                _leave_out_transient(target)
        else:
            _run("pg_dump", "--format=custom", f"--file={partial}",
                 *(f"--exclude-table-data={name}" for name in TRANSIENT_TABLES), url=url)
        partial.replace(path)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"could not back up to {path}: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)


def _leave_out_transient(copy: sqlite3.Connection) -> None:
    """Empty the files of jobs in an SQLite copy, and give their space back."""
    present = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for name in TRANSIENT_TABLES:
        if name in present:
            copy.execute(f"DELETE FROM {name}")  # noqa: S608 (names from the constant above)
    copy.commit()
    copy.execute("VACUUM")


def restore(path: str | Path, database_url: str | URL, force: bool = False) -> None:
    """Replace the database's content with the backup at ``path``.

    Refuses a database that holds data unless ``force``. On PostgreSQL the database must exist
    (``createdb``); tables it has that the backup does not are left as they are.
    """
    url, path = make_url(database_url), Path(path)
    if not path.is_file():
        raise BackupError(f"no backup file {path}")
    sqlite = _is_sqlite(url)
    if sqlite:
        _check_sqlite_backup(path)
    if not force:
        tables = tables_with_rows(url)
        if tables:
            raise BackupError(f"the database already holds data (in {', '.join(tables)}); "
                              "restoring would replace it: use --force to do so")
    if sqlite:
        try:
            with closing(_open_read_only(path)) as source, \
                    closing(sqlite3.connect(_sqlite_file(url))) as target:
                source.backup(target)
        except sqlite3.Error as exc:
            raise BackupError(f"could not restore {path}: {exc}") from None
    else:
        _run("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(path), url=url)


def tables_with_rows(database_url: str | URL) -> list[str]:
    """The tables holding at least one row, Alembic's own left out."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            names = sorted(set(inspect(conn).get_table_names()) - SCHEMA_TABLES)
            return [name for name in names
                    if conn.execute(select(literal(1)).select_from(table(name)).limit(1)).first()]
    except SQLAlchemyError as exc:
        raise BackupError(f"could not read {engine.url}: {getattr(exc, 'orig', None) or exc}") from None
    finally:
        engine.dispose()


def _is_sqlite(url: URL) -> bool:
    if url.get_backend_name() == "sqlite":
        return True
    if url.get_backend_name() == "postgresql":
        return False
    raise BackupError(f"backups are made for SQLite and PostgreSQL only, not {url.get_backend_name()}")


def _sqlite_file(url: URL, must_exist: bool = False) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    if must_exist and not Path(url.database).is_file():
        raise BackupError(f"no database file {url.database}")
    return Path(url.database)


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Open without creating: a mistyped path is an error, not a new empty database."""
    return sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)


def _check_sqlite_backup(path: Path) -> None:
    """Refuse a file that is not an evalapp SQLite database before touching the target."""
    try:
        with closing(_open_read_only(path)) as conn:
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()
    except sqlite3.DatabaseError:
        found = None
    if not found:
        raise BackupError(f"{path} is not a backup of an evalapp SQLite database")


def _run(tool: str, *args: str, url: URL) -> None:
    """Run a PostgreSQL client tool on the database of ``url``; raise BackupError with its message if it fails."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} not found: install the PostgreSQL client tools (postgresql-client), "
                          "of the server's major version or newer")
    dbname = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    result = subprocess.run([program, *args, f"--dbname={dbname}"], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip() or f'exit code {result.returncode}'}")
