"""The application served by gunicorn on 127.0.0.1, for load tests and benchmarks.

    with gunicorn(database_url, workers=3, settings={"SECRET_KEY": "..."}) as server:
        ... requests to server.url ...

gunicorn runs with the shipped configuration file (gunicorn.conf.py, as in production: threads,
timeouts, access log), configured through the environment as in production (evalapp/config.py,
``BIND`` for its address), on a free port of the loopback interface, in its own process group.
Only ``workers``, when given, is set on the command line, over the file's one-per-CPU. Leaving
the block stops the whole group (master and workers), killing it if it does not stop in time,
so nothing is left running. Its log (errors, tracebacks, access log) is kept until then.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The gunicorn configuration that ships with evalapp (docs/deploy.md).
SHIPPED_CONFIG = ROOT / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        """What gunicorn and the application wrote so far (warnings, errors, tracebacks)."""
        return self.log_path.read_text(errors="replace")

    def stop(self, grace: float = 10) -> None:
        """Stop master and workers: SIGTERM to the group, SIGKILL if still there after ``grace`` seconds.

        The master exits after its workers; calling stop again does nothing.
        """
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@contextmanager
def gunicorn(database_url: str, workers: int | None = None, settings: dict | None = None,
             ready_within: float = 30, config: Path = SHIPPED_CONFIG) -> Iterator[Server]:
    """Serve evalapp on ``database_url`` with the gunicorn configuration file ``config`` until the block ends.

    ``settings`` are more environment variables (SECRET_KEY, which the shipped file requires,
    limits...); ``workers``, when given, replaces the file's number of processes. Raise
    RuntimeError, with gunicorn's log, if /healthz does not answer within ``ready_within`` seconds.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": database_url, "EVALAPP_BASE_URL": url, **(settings or {}),
           "BIND": f"127.0.0.1:{port}"}
    command = [sys.executable, "-m", "gunicorn", "--config", str(config)]
    if workers is not None:
        command += ["--workers", str(workers)]
    with tempfile.TemporaryDirectory(prefix="evalapp-gunicorn-") as directory:
        log_path = Path(directory) / "gunicorn.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        server = Server(url, process, log_path)
        try:
            _wait_until_ready(server, ready_within)
            yield server
        finally:
            server.stop()


def _wait_until_ready(server: Server, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer /healthz within {seconds} s:\n{server.log()}")
