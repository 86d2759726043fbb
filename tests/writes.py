"""Reading never writes: what the application writes to the database while it answers a GET.

Recorded at the connection, under everything that could write (the ORM's flushes, Core statements,
raw SQL, commits), in every engine of the process. Only statements sent while a GET (or HEAD)
request is being answered count, streamed files included; the jobs that a request started run
without one, and the tests' own setup too.

One write is allowed, and only this one: the last use of an API token (evalapp/auth/tokens.py
``record_use``), one conditional UPDATE of ``api_tokens.last_used_at`` at most once a minute per
token, committed alone in a transaction of its own. Its COMMIT passes only when that UPDATE is all its
transaction wrote; anything else written beside it is caught as before.
"""
import re
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

#: A statement that writes, or that locks rows as only a writer needs to.
WRITING = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|COPY|TRUNCATE|CREATE|DROP|ALTER)\b|\bFOR (NO KEY )?UPDATE\b",
                     re.IGNORECASE)
#: The one write a GET may make: an API token's last use.
#: (That column alone: no comma in its SET; the value's placeholder differs per database.)
ALLOWED_ON_A_GET = re.compile(r"^\s*UPDATE api_tokens SET last_used_at=[^,]*? WHERE api_tokens\.id = ", re.IGNORECASE)


def _reading() -> str | None:
    """The request being answered, if it is one that only reads: "GET /o/rounds/1"."""
    if has_request_context() and request.method in ("GET", "HEAD"):
        return f"{request.method} {request.full_path.rstrip('?')}"
    return None


@contextmanager
def writes_during_reads():
    """Yield the list of what GET requests write while the block runs: "GET /path: INSERT INTO ...", "GET /path: COMMIT"."""
    writes = []
    #: The connections whose transaction wrote only what is allowed, and those that wrote anything else.
    allowed, other = set(), set()

    def statement(conn, cursor, sql, parameters, context, executemany):
        reading = _reading()
        dml = context is not None and (context.isinsert or context.isupdate or context.isdelete)
        if reading and (dml or WRITING.search(sql)):
            if ALLOWED_ON_A_GET.search(sql):
                allowed.add(conn)
            else:
                other.add(conn)
                writes.append(f"{reading}: {' '.join(sql.split())[:120]}")

    def commit(conn):
        reading = _reading()
        only_allowed = conn in allowed and conn not in other
        ended(conn)
        if reading and not only_allowed:
            writes.append(f"{reading}: COMMIT")

    def ended(conn):
        allowed.discard(conn)
        other.discard(conn)

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "commit", commit)
    event.listen(Engine, "rollback", ended)
    try:
        yield writes
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
        event.remove(Engine, "commit", commit)
        event.remove(Engine, "rollback", ended)
