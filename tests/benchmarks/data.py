"""The benchmarks' data: one database per size, each holding one round of N submitted responses.

    BENCH_DATABASE_URL   postgresql://postgres@127.0.0.1:5432/bench (the default, as `make bench` sets it):
                         databases bench_1000, bench_10000, bench_100000 on that server, created
                         when missing; "sqlite" for SQLite files under /tmp.
    BENCH_SIZES          1000,10000,100000 (commas, spaces or both: "1000 10000")

A database that already holds its round is reused (seeding 100,000 responses takes a minute
or two), so the benchmarks can run one after the other on the same data. BENCH_RESEED=1 starts
again from empty databases. The responses are written in bulk, then counted into the round's
tallies by the catch-up (evalapp/tallies.py), as after any bulk load.
"""
import logging
import os
import re
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def sizes(setting: str) -> list[int]:
    """The sizes of ``BENCH_SIZES``: "1000,10000", "1000 10000" or "1000, 10000"."""
    try:
        return [int(n) for n in re.split(r"[\s,]+", setting.strip()) if n]
    except ValueError:
        raise SystemExit(f"BENCH_SIZES: whole numbers separated by commas or spaces, not {setting!r}") from None


SIZES = sizes(os.environ.get("BENCH_SIZES", "1000,10000,100000"))
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench"


def server_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL


def backend() -> str:
    return "SQLite" if server_url() == "sqlite" else "PostgreSQL"


def database_url(size: int) -> str:
    """The SQLAlchemy URL of the database that holds the round of ``size`` responses."""
    if server_url() == "sqlite":
        return f"sqlite:////tmp/evalapp-bench-{size}.db"
    from evalapp.config import normalise_database_url

    url = make_url(normalise_database_url(server_url()))
    return url.set(database=f"{url.database}_{size}").render_as_string(hide_password=False)


def bench_app(size: int):
    """The application on the database of ``size`` responses."""
    from evalapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url(size), "SECRET_KEY": "bench"})


def _create_database(url: str) -> None:
    parsed = make_url(url)
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}):
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    engine.dispose()


def _existing_round(size: int) -> int | None:
    """The id of the benchmark round if the database already holds it, whole."""
    from evalapp.extensions import db

    try:
        return db.session.scalar(text(
            "SELECT r.id FROM rounds r WHERE r.title = :title AND (SELECT count(*) FROM responses s "
            "JOIN invitations i ON i.id = s.invitation_id WHERE i.round_id = r.id AND s.status = 'submitted') = :size"
        ), {"title": f"Benchmark {size}", "size": size})
    except Exception:  # no such table yet
        db.session.rollback()
        return None


def prepare(size: int) -> int:
    """A database with one round of ``size`` submitted responses (reused if there); the round's id."""
    from flask_migrate import upgrade

    from evalapp.clock import today
    from evalapp.extensions import db
    from evalapp.models import Round
    from evalapp.questionnaires.loader import load_all
    from evalapp.synthetic import add_responses

    url = database_url(size)
    if url.startswith("sqlite:"):
        if os.environ.get("BENCH_RESEED"):
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        _create_database(url)
    app = bench_app(size)
    with app.app_context():
        logging.disable(logging.INFO)  # alembic's "Running upgrade" lines
        existing = None if os.environ.get("BENCH_RESEED") else _existing_round(size)
        db.session.rollback()  # no transaction left open: the upgrade may alter the tables
        if existing:
            upgrade()  # the data stay; the schema follows the code
            logging.disable(logging.NOTSET)
            _catch_up(existing)  # after a migration that left its responses to count, say
            db.engine.dispose()
            return existing
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.engine.dispose()
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        upgrade()
        logging.disable(logging.NOTSET)
        version = next(r.version for r in load_all() if (r.version.code, r.version.version) == ("aict", 1))
        round_ = Round(questionnaire_version=version, title=f"Benchmark {size}", opens_on=today(), closes_on=today())
        db.session.add(round_)
        db.session.commit()
        started = time.perf_counter()
        rows = add_responses(round_, size, catch_up=False)
        print(f"  (seeded {size:,} responses, {rows:,} answer rows, in {time.perf_counter() - started:.1f} s)",
              flush=True)
        round_id = round_.id
        _catch_up(round_id)
        db.engine.dispose()
    return round_id


def _catch_up(round_id: int) -> None:
    """Count the round's responses the tallies leave out, saying how long it took if there were any."""
    from evalapp import tallies

    started = time.perf_counter()
    done = tallies.catch_up(round_id)
    if done.counted:
        print(f"  (counted {done.counted:,} responses into the tallies in {time.perf_counter() - started:.1f} s)",
              flush=True)
