"""Benchmark: pages over HTTP on gunicorn (2 workers), loopback only.

At each size (a round of N submitted responses, tests/benchmarks/data.py):

1. the dashboard page: one view alone, then p50 and p95 under wrk (2 connections);
2. a questionnaire page (GET) under wrk (8 connections) beside the bare /healthz of the same
   server, measured alternately (BENCH_ROUNDS rounds, default 3, each BENCH_SECONDS for the page
   then as long for /healthz, after 3 s of each not counted), after PostgreSQL has vacuumed and analysed what the benchmark just
   wrote: requests per second, p95, the workers' CPU per request, and the median of the rounds'
   ratios (one figure after the other on a shared machine measured whatever else ran meanwhile);
3. respondents moving through the pages and submitting, under locust (tests/benchmarks/
   locustfile.py, 20 users, each walking invitation links from welcome to submission), beside
   locust's users asking /healthz: requests per second, p95, failures, questionnaires submitted.

Not a test: `make bench-http`. Needs wrk (apt-get install wrk). Loads are bounded in time:
BENCH_SECONDS (default 10) per figure.
"""
import csv
import http.cookiejar
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.benchmarks.data import SIZES, backend, bench_app, database_url, prepare
from tests.load.server import ROOT, gunicorn
from tests.respond.helpers import csrf_token

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
#: Seconds of the page and of /healthz under load before their figures, not counted (see alternately).
WARM_UP = 3
LUA = Path(__file__).with_name("latency.lua")
LOCUST_USERS = 20
LOAD_LINKS = 2000
ORGANISER = ("bench@example.org", "benchmark password")


def fixtures(size: int) -> list[tuple[str, str]]:
    """The organiser account (once) and a round of fresh invitation links for the load; their (token, side)."""
    from evalapp.auth.accounts import create_organiser
    from evalapp.clock import today
    from evalapp.extensions import db
    from evalapp.invitations import invite
    from evalapp.models import Authority, Organiser, Partnership, Round
    from evalapp.questionnaires.loader import load_all

    app = bench_app(size)
    with app.app_context():
        if not db.session.query(Organiser).filter_by(email=ORGANISER[0]).first():
            create_organiser(*ORGANISER, is_admin=True)
        # A round of its own, so that the benchmark round keeps exactly ``size`` submitted responses.
        version = next(r.version for r in load_all() if (r.version.code, r.version.version) == ("aict", 1))
        round_ = Round(questionnaire_version=version, title="Load", opens_on=today(), closes_on=today())
        db.session.add(round_)
        links = []
        for n in range(LOAD_LINKS // 2):
            home = Authority(name=f"Commune de charge {n}", kind="commune", country="FR")
            partner = Authority(name=f"Ville partenaire {n}", kind="foreign_municipality", country="SN")
            pair = Partnership(home_authority=home, partner_authority=partner)
            links += [(invite(round_, home, pair).token, "home"), (invite(round_, partner, pair).token, "partner")]
        db.session.commit()
        db.engine.dispose()
    settle(size)
    return links


def settle(size: int) -> None:
    """Vacuum and analyse the benchmark's database (PostgreSQL), so that the autovacuum that the rows just
    written would start does not run during the figures."""
    if backend() != "PostgreSQL":
        return
    from sqlalchemy import create_engine

    engine = create_engine(database_url(size).replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def session_cookie(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/o/login").read().decode()
    data = urllib.parse.urlencode({"csrf_token": csrf_token(page), "email": ORGANISER[0], "password": ORGANISER[1]}).encode()
    opener.open(base + "/o/login", data=data).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def timed_get(url: str, cookie: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=120) as response:
        response.read()
    return time.perf_counter() - started


def workers_cpu(server) -> float:
    """The CPU seconds gunicorn's workers have used so far (user and system), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    children = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True).stdout.split()
    used = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # recycled meanwhile
            continue
        used += int(fields[11]) + int(fields[12])
    return used / tick


def wrk_with_cpu(server, url: str, connections: int) -> dict:
    """wrk's figures, and the workers' CPU per request: unlike requests per second, it hardly moves when
    other work shares the machine."""
    before = workers_cpu(server)
    figures = wrk(url, connections=connections)
    figures["cpu_ms"] = (workers_cpu(server) - before) / max(figures["requests"], 1) * 1000
    return figures


def alternately(server, page_url: str, bare_url: str) -> tuple[dict, dict]:
    """The page's and the bare endpoint's figures, measured in turn ROUNDS times: each the median of its
    rounds, with ``ratio`` (the page's) the median of the rounds' own ratios.

    A few seconds of each first, not counted: they fill what every worker keeps once (its pooled
    connections, its page shapes) and PostgreSQL's caches, which the first round used to pay for alone.
    """
    for url in (page_url, bare_url):
        wrk(url, connections=8, seconds=WARM_UP)
    pages, bares = [], []
    for _ in range(ROUNDS):
        pages.append(wrk_with_cpu(server, page_url, connections=8))
        bares.append(wrk_with_cpu(server, bare_url, connections=8))
    page, bare = ({key: statistics.median(run[key] for run in runs) for key in runs[0]} for runs in (pages, bares))
    page["errors"], bare["errors"] = sum(run["errors"] for run in pages), sum(run["errors"] for run in bares)
    page["ratio"] = statistics.median(p["rps"] / b["rps"] for p, b in zip(pages, bares, strict=True))
    page["ratios"] = [p["rps"] / b["rps"] for p, b in zip(pages, bares, strict=True)]
    page["rounds"] = list(zip(pages, bares, strict=True))
    return page, bare


def wrk(url: str, cookie: str = "", connections: int = 4, seconds: int = SECONDS) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", str(LUA), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT p50=([\d.]+) p95=([\d.]+) rps=([\d.]+) errors=(\d+) requests=(\d+)", out)
    return {"p50": float(match[1]), "p95": float(match[2]), "rps": float(match[3]), "errors": int(match[4]),
            "requests": int(match[5])}


def locust(base: str, user: str, links: list[tuple[str, str]] = ()) -> dict:
    """Run locust headless for SECONDS with LOCUST_USERS users of class ``user``; the aggregated figures."""
    with tempfile.TemporaryDirectory(prefix="evalapp-locust-") as directory:
        tokens = Path(directory) / "links.txt"
        tokens.write_text("".join(f"{token} {side}\n" for token, side in links))
        prefix = Path(directory) / "stats"
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), user, "--headless",
             "-u", str(LOCUST_USERS), "-r", str(LOCUST_USERS), "-t", f"{SECONDS}s", "--host", base,
             "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "10"],
            cwd=ROOT, env={**os.environ, "EVALAPP_LOAD_TOKENS": str(tokens), "PYTHONPATH": str(ROOT)},
            capture_output=True, text=True, timeout=SECONDS + 60)
        with open(f"{prefix}_stats.csv", newline="") as f:
            rows = {row["Name"]: row for row in csv.DictReader(f)}
        exceptions = sum(1 for _ in open(f"{prefix}_exceptions.csv")) - 1
    total = rows["Aggregated"]
    return {"rps": float(total["Requests/s"]), "p95": float(total["95%"]), "requests": int(total["Request Count"]),
            "failures": int(total["Failure Count"]), "exceptions": exceptions,
            "submitted": int(rows.get("/r/[token]/submit", {}).get("Request Count", 0))}


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    print(f"HTTP benchmark ({backend()}), gunicorn 2 workers, {SECONDS} s per figure")
    for size in SIZES:
        round_id = prepare(size)
        links = fixtures(size)
        page_token = links.pop()[0]
        # Workers not recycled (max_requests) during the figures: a worker's CPU leaves with it.
        with gunicorn(database_url(size), workers=2,
                      settings={"SECRET_KEY": "bench", "GUNICORN_CMD_ARGS": "--max-requests 0"}) as server:
            base = server.url
            cookie = session_cookie(base)
            first = timed_get(f"{base}/o/rounds/{round_id}/dashboard", cookie)
            dashboard = wrk(f"{base}/o/rounds/{round_id}/dashboard", cookie, connections=2)
            # The welcome page opens the response, so that the questionnaire page answers 200.
            urllib.request.urlopen(f"{base}/r/{page_token}").read()
            page, hello = alternately(server, f"{base}/r/{page_token}/p/reciprocity", f"{base}/healthz")
            walking = locust(base, "Respondent", links)
            bare = locust(base, "Hello")
        print(f"  {size:>7,} responses: dashboard alone {first * 1000:7.0f} ms; under load p50 {dashboard['p50']:6.1f} ms, "
              f"p95 {dashboard['p95']:6.1f} ms, {dashboard['errors']} errors (target p95 < 1,500 ms at 100,000)")
        print(f"  {'':>7}            questionnaire page (wrk) {page['rps']:7.1f} req/s, p95 {page['p95']:6.1f} ms; "
              f"/healthz {hello['rps']:7.1f} req/s, p95 {hello['p95']:6.1f} ms; ratio {page['ratio']:.2f} "
              f"(target ≥ 0.33; rounds {', '.join(f'{r:.2f}' for r in page['ratios'])}), "
              f"errors {page['errors'] + hello['errors']}")
        for n, (p, b) in enumerate(page["rounds"], start=1):
            print(f"  {'':>7}              round {n}: page {p['rps']:7.1f} req/s ({p['cpu_ms']:.2f} ms CPU), "
                  f"/healthz {b['rps']:7.1f} req/s ({b['cpu_ms']:.2f} ms CPU): {p['rps'] / b['rps']:.2f}")
        print(f"  {'':>7}            CPU of the workers per request: page {page['cpu_ms']:.2f} ms, /healthz "
              f"{hello['cpu_ms']:.2f} ms; ratio {hello['cpu_ms'] / page['cpu_ms']:.2f} (steady when the machine is shared)")
        print(f"  {'':>7}            respondents walking (locust, {LOCUST_USERS} users): {walking['rps']:6.1f} req/s, "
              f"p95 {walking['p95']:5.0f} ms, {walking['submitted']} questionnaires submitted, "
              f"{walking['failures']} failed requests, {walking['exceptions']} errors; "
              f"/healthz (locust) {bare['rps']:6.1f} req/s, p95 {bare['p95']:4.0f} ms; "
              f"ratio {walking['rps'] / bare['rps']:.2f}", flush=True)


if __name__ == "__main__":
    main()
