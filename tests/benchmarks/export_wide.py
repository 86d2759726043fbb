"""Benchmark: the wide CSV export at 1,000, 10,000 and 100,000 submitted responses.

Prints the time and the peak memory of each export, measured in a fresh process so
that seeding does not count. Not a test: run it with `make bench-export`.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench  (default: SQLite under /tmp)
    BENCH_SIZES=1000,10000,100000
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]


def database_url(size: int) -> str:
    base = os.environ.get("BENCH_DATABASE_URL")
    if base:
        return base
    return f"sqlite:////tmp/evalapp-bench-{size}.db"


def prepare(size: int) -> int:
    """Build a database with one round of ``size`` submitted responses; return the round id."""
    import logging

    from flask_migrate import upgrade
    from sqlalchemy import text

    from evalapp import create_app
    from evalapp.clock import today
    from evalapp.extensions import db
    from evalapp.models import Round
    from evalapp.questionnaires.loader import load_all
    from evalapp.synthetic import add_responses

    url = database_url(size)
    if url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        logging.getLogger("alembic").setLevel(logging.WARNING)
        version = next(r.version for r in load_all() if r.version.code == "aict")
        round_ = Round(questionnaire_version=version, title=f"Benchmark {size}", opens_on=today(), closes_on=today())
        db.session.add(round_)
        db.session.commit()
        started = time.perf_counter()
        rows = add_responses(round_, size)
        print(f"  seeded {size:>7,} responses ({rows:,} answer rows) in {time.perf_counter() - started:6.1f} s",
              flush=True)
        return round_.id


def measure(size: int, round_id: int) -> dict:
    """Run the export in a fresh process and return its time, bytes and peak memory."""
    code = f"""
import json, sys, time
from evalapp import create_app

def high_water_kib():
    # VmHWM: the peak resident size of this process (reset at exec, unlike ru_maxrss).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

from evalapp.extensions import db
from evalapp.models import Round
from evalapp.reporting import export as exports
app = create_app({{"SQLALCHEMY_DATABASE_URI": {database_url(size)!r}, "SECRET_KEY": "bench"}})
with app.app_context():
    round_ = db.session.get(Round, {round_id})
    before = high_water_kib()
    started = time.perf_counter()
    size = 0
    for piece in exports.export(round_, "wide", exports.ExportOptions.excel()):
        size += len(piece.encode("utf-8"))
    seconds = time.perf_counter() - started
    print(json.dumps({{"seconds": seconds, "bytes": size, "peak_kib": high_water_kib(), "before_kib": before}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    print(f"Wide CSV export benchmark ({os.environ.get('BENCH_DATABASE_URL') or 'SQLite'})")
    results = {}
    for size in SIZES:
        round_id = prepare(size)
        results[size] = measure(size, round_id)
        r = results[size]
        print(f"  export  {size:>7,} responses: {r['seconds']:7.2f} s ({size / r['seconds']:,.0f} responses/s), "
              f"{r['bytes'] / 1e6:7.1f} MB written, peak resident memory {r['peak_kib'] / 1024:6.1f} MiB "
              f"(before the export {r['before_kib'] / 1024:.1f} MiB)", flush=True)
    smallest, largest = min(results), max(results)
    ratio = results[largest]["peak_kib"] / results[smallest]["peak_kib"]
    print(f"  peak memory at {largest:,} / at {smallest:,}: {ratio:.2f}× (target: at most 1.2×)")



if __name__ == "__main__":
    main()
