"""Benchmark: the wide export at 1,000, 10,000 and 100,000 submitted responses, as CSV, Excel workbook, SPSS and Stata.

Prints the time (and the CPU time of the exporting process, steadier on a shared machine) and the peak memory
of each export, measured in a fresh process so
that seeding does not count: the CSV beside PostgreSQL's own `COPY (SELECT ...) TO STDOUT WITH CSV`
of the same rows and columns (one hand-written pivot query, generated from the same
column list); the workbook (.xlsx) beside the CSV of the same size (targets: at most 3× its
time, and a peak memory at the largest size at most 1.2× that at the smallest); the SPSS
(.sav) and Stata (.dta) files beside their targets (60 s and 1.5 GB at 100,000).
BENCH_FORMATS chooses the formats (default "csv,xlsx,sav,dta"; the CSV is always measured).
Not a test: run it with `make bench-export` (settings: tests/benchmarks/data.py).
"""
import json
import os
import subprocess
import sys
import time

from tests.benchmarks.data import SIZES, backend, bench_app, database_url, prepare

FORMATS = ["csv", *[f for f in os.environ.get("BENCH_FORMATS", "xlsx,sav,dta").replace(" ", ",").split(",")
                    if f and f != "csv"]]
#: The targets of the files for statistics packages, at 100,000 responses.
STATS_SECONDS, STATS_MIB = 60, 1.5 * 1024


def measure(size: int, round_id: int, file_format: str = "csv") -> dict:
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
    started, cpu = time.perf_counter(), time.process_time()
    size = 0
    options = exports.ExportOptions.excel() if {file_format!r} == "csv" else exports.ExportOptions(format={file_format!r})
    for piece in exports.export(round_, "wide", options):
        size += len(piece.encode("utf-8")) if isinstance(piece, str) else len(piece)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({{"seconds": seconds, "cpu": cpu, "bytes": size, "peak_kib": high_water_kib(), "before_kib": before}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def pivot_sql(definition, round_id: int) -> str:
    """The wide file as one SELECT: a row per submitted response, a column per item, cell and option."""
    from evalapp.questionnaires.definition import OTHER
    from evalapp.reporting.export import item_columns

    def when(condition, value):
        return f"max(CASE WHEN {condition} THEN {value} END)"

    def quoted(code):
        return "'" + code.replace("'", "''") + "'"

    values = []
    for column in item_columns(definition):
        item, code = column.item, quoted(column.cell or column.item.code)
        if column.option:
            values.append(f"coalesce({when(f'a.item_code = {code} AND a.choice = {quoted(column.option)}', 1)}, 0)")
        elif column.other:
            values.append(when(f"a.item_code = {code} AND a.choice = '{OTHER}'", "a.text_value"))
        elif item.type in ("scale", "matrix"):
            values.append(when(f"a.item_code = {code}",
                               "CASE WHEN a.dont_know THEN 'dk' ELSE CAST(a.scale_value AS TEXT) END"))
        elif item.type == "single":
            values.append(when(f"a.item_code = {code}", "a.choice"))
        elif item.type == "number":
            values.append(when(f"a.item_code = {code}", "a.number_value"))
        else:
            values.append(when(f"a.item_code = {code}", "a.text_value"))
    return (
        "SELECT r.id, au.name, au.kind, au.country, au.region, i.partnership_id, i.side, r.respondent_role, "
        "r.status, r.started_at, r.submitted_at, " + ", ".join(values) +
        " FROM responses r JOIN invitations i ON i.id = r.invitation_id JOIN authorities au ON au.id = i.authority_id"
        " LEFT JOIN answers a ON a.response_id = r.id"
        f" WHERE i.round_id = {round_id} AND i.revoked_at IS NULL AND r.status = 'submitted'"
        " GROUP BY r.id, au.id, i.id ORDER BY r.id"
    )


def round_definition(size: int, round_id: int):
    from evalapp.extensions import db
    from evalapp.models import Round
    from evalapp.questionnaires.loader import definition_of

    app = bench_app(size)
    with app.app_context():
        definition = definition_of(db.session.get(Round, round_id).questionnaire_version)
        db.engine.dispose()
    return definition


def copy_baseline(size: int, round_id: int) -> dict:
    """PostgreSQL's COPY of the same pivot, read to the end by the client; time and bytes."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url(size)).set(drivername="postgresql").render_as_string(hide_password=False)
    query = pivot_sql(round_definition(size, round_id), round_id)
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        started = time.perf_counter()
        written = 0
        with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';')") as copy:
            for block in copy:
                written += len(block)
        return {"seconds": time.perf_counter() - started, "bytes": written}


def main():
    print(f"Wide export benchmark ({backend()}): evalapp in a fresh process; CSV beside COPY (SELECT ...) TO STDOUT, "
          f"the other formats beside the CSV and their targets")
    results = {f: {} for f in FORMATS}
    for size in SIZES:
        round_id = prepare(size)
        results["csv"][size] = r = measure(size, round_id)
        line = (f"  {size:>7,} responses: CSV  {r['seconds']:7.2f} s (CPU {r['cpu']:.1f} s; {size / r['seconds']:,.0f} responses/s, "
                f"{r['bytes'] / 1e6:.1f} MB), peak memory {r['peak_kib'] / 1024:6.1f} MiB")
        if backend() == "PostgreSQL":
            copy = copy_baseline(size, round_id)
            line += (f";  COPY {copy['seconds']:6.2f} s ({copy['bytes'] / 1e6:.1f} MB);  "
                     f"ratio {r['seconds'] / copy['seconds']:.2f}× (target ≤ 2×)")
        print(line, flush=True)
        for file_format in FORMATS[1:]:
            results[file_format][size] = f = measure(size, round_id, file_format)
            line = (f"  {size:>7,} responses: {file_format:<4} {f['seconds']:7.2f} s (CPU {f['cpu']:.1f} s; "
                    f"{f['bytes'] / 1e6:.1f} MB), "
                    f"peak memory {f['peak_kib'] / 1024:6.1f} MiB;  ")
            if file_format == "xlsx":
                line += f"{f['seconds'] / r['seconds']:.2f}× the CSV's time (target ≤ 3×)"
            else:
                line += f"targets at 100,000: ≤ {STATS_SECONDS} s, ≤ {STATS_MIB / 1024:.1f} GiB"
            print(line, flush=True)
    smallest, largest = min(SIZES), max(SIZES)
    for file_format in ("csv", "xlsx"):
        if file_format in results:
            ratio = results[file_format][largest]["peak_kib"] / results[file_format][smallest]["peak_kib"]
            print(f"  {file_format}: peak memory at {largest:,} / at {smallest:,}: {ratio:.2f}× (target: at most 1.2×)")


if __name__ == "__main__":
    main()
