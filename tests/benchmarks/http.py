"""Benchmark: pages over HTTP, on gunicorn with 2 workers, loopback only, with wrk.

At each size: the dashboard page (p50, p95) and a questionnaire page (requests per second,
p95) beside the bare /healthz endpoint of the same server. Not a test: `make bench-http`.
Needs wrk (apt-get install wrk). Loads are bounded: a few seconds per figure, 127.0.0.1 only.

    BENCH_SIZES=1000,10000,100000   BENCH_SECONDS=10
"""
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.benchmarks.data import SIZES, backend, database_url, prepare

ROOT = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
LUA = Path(__file__).with_name("latency.lua")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fixtures(size: int, round_id: int) -> str:
    """An organiser account and one open invitation; returns the invitation's token."""
    from evalapp import create_app
    from evalapp.auth.accounts import create_organiser
    from evalapp.extensions import db
    from evalapp.invitations import invite
    from evalapp.models import Authority, Round

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(size), "SECRET_KEY": "bench"})
    with app.app_context():
        create_organiser("bench@example.org", "benchmark password", is_admin=True)
        authority = Authority(name="Commune de mesure", kind="commune", country="FR")
        token = invite(db.session.get(Round, round_id), authority).token
        db.session.commit()
        db.engine.dispose()
    return token


def session_cookie(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/o/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": "bench@example.org",
                                   "password": "benchmark password"}).encode()
    opener.open(base + "/o/login", data=data).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(url: str, cookie: str = "", connections: int = 4) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{SECONDS}s", "--latency", "-s", str(LUA), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT p50=([\d.]+) p95=([\d.]+) rps=([\d.]+) errors=(\d+) requests=(\d+)", out)
    return {"p50": float(match[1]), "p95": float(match[2]), "rps": float(match[3]), "errors": int(match[4]),
            "requests": int(match[5])}


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    print(f"HTTP benchmark, gunicorn 2 workers ({backend()}), "
          f"{SECONDS} s per figure")
    for size in SIZES:
        round_id = prepare(size)
        token = fixtures(size, round_id)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DATABASE_URL": database_url(size), "SECRET_KEY": "bench", "EVALAPP_BASE_URL": base}
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
                                   "--log-level", "warning", "evalapp:create_app()"], cwd=ROOT, env=env)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz").read()
                    break
                except OSError:
                    time.sleep(0.2)
            cookie = session_cookie(base)
            dashboard = wrk(f"{base}/o/rounds/{round_id}/dashboard", cookie, connections=2)
            page = wrk(f"{base}/r/{token}/p/reciprocity", connections=8)
            hello = wrk(f"{base}/healthz", connections=8)
        finally:
            server.terminate()
            server.wait()
        if dashboard["requests"]:
            print(f"  {size:>7,} responses: dashboard p50 {dashboard['p50']:7.1f} ms, p95 {dashboard['p95']:7.1f} ms "
                  f"({dashboard['errors']} errors; target p95 < 1,500 ms at 100,000)", flush=True)
        else:
            print(f"  {size:>7,} responses: dashboard: no request completed within {SECONDS} s "
                  f"(wrk times out at 2 s)", flush=True)
        print(f"  {'':>7}            questionnaire page {page['rps']:7.1f} req/s, p95 {page['p95']:6.1f} ms; "
              f"/healthz {hello['rps']:7.1f} req/s, p95 {hello['p95']:6.1f} ms; ratio {page['rps'] / hello['rps']:.2f} "
              f"(target ≥ 0.33), errors {page['errors'] + hello['errors']}", flush=True)


if __name__ == "__main__":
    main()
