"""The PostgreSQL server itself stopped and started again under a respondent, for real.

It stops the server the tests run on, so it runs only where that is allowed: `.ci/run` sets
EVALAPP_TEST_PG_RESTART=1 (CI has the machine to itself; the cluster is managed with
pg_ctlcluster, as on Debian). Elsewhere it is skipped, and tests/safety/test_faults.py cuts
every connection instead, which is what the app sees of a restart.
"""
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.factories import create_partnership_invitations, create_round
from tests.respond.helpers import post_section, section_data, start
from tests.safety.pg import answer_rows, assert_try_again_page, require_postgresql


def pg_ctlcluster(action: str) -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action], check=True, timeout=60)


def wait_until_ready(seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode != 0:
        assert time.monotonic() < deadline, "PostgreSQL did not come back"
        time.sleep(0.2)


@pytest.mark.skipif(os.environ.get("EVALAPP_TEST_PG_RESTART") != "1",
                    reason="stops the PostgreSQL server: set EVALAPP_TEST_PG_RESTART=1 (as .ci/run does) to run it")
def test_a_respondent_carries_on_across_a_restart_of_the_database_server(app):
    require_postgresql(app)
    token = create_partnership_invitations(app, create_round(app))[0]
    respondent = app.test_client()
    start(respondent, token)
    assert post_section(respondent, token, "profile", section_data("profile")).status_code == 303
    saved = answer_rows(app, token)

    pg_ctlcluster("stop")
    try:
        # While the server is down: the "try again" page, not a stack trace.
        assert_try_again_page(post_section(respondent, token, "context", section_data("context")))
    finally:
        pg_ctlcluster("start")
        wait_until_ready()

    # Back up: the same post goes through, and nothing saved before was lost.
    assert post_section(respondent, token, "context", section_data("context")).status_code == 303
    rows = answer_rows(app, token)
    assert set(saved) < set(rows)
    assert {row[0] for row in rows} - {row[0] for row in saved} == set(section_data("context"))
