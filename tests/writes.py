"""Reading never writes: what the application writes to the database while it answers a GET.

Recorded at the connection, under everything that could write (the ORM's flushes, Core statements,
raw SQL, commits), in every engine of the process. Only statements sent while a GET (or HEAD)
request is being answered count, streamed files included; the jobs that a request started run
without one, and the tests' own setup too.
"""
import re
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

#: A statement that writes, or that locks rows as only a writer needs to.
WRITING = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|COPY|TRUNCATE|CREATE|DROP|ALTER)\b|\bFOR (NO KEY )?UPDATE\b",
                     re.IGNORECASE)


def _reading() -> str | None:
    """The request being answered, if it is one that only reads: "GET /o/rounds/1"."""
    if has_request_context() and request.method in ("GET", "HEAD"):
        return f"{request.method} {request.full_path.rstrip('?')}"
    return None


@contextmanager
def writes_during_reads():
    """Yield the list of what GET requests write while the block runs: "GET /path: INSERT INTO ...", "GET /path: COMMIT"."""
    writes = []

    def statement(conn, cursor, sql, parameters, context, executemany):
        reading = _reading()
        dml = context is not None and (context.isinsert or context.isupdate or context.isdelete)
        if reading and (dml or WRITING.search(sql)):
            writes.append(f"{reading}: {' '.join(sql.split())[:120]}")

    def commit(conn):
        reading = _reading()
        if reading:
            writes.append(f"{reading}: COMMIT")

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "commit", commit)
    try:
        yield writes
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
        event.remove(Engine, "commit", commit)
