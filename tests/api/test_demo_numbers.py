"""A script with a token (docs/api_example.py) reads the demo round through the API and gets the numbers the
organiser reads on its dashboard: the counts and the theme indices' table."""
import html
import importlib.util
import re
import socket
from pathlib import Path

import pytest
from sqlalchemy import select

from evalapp.demo import DEMO_EMAIL, DEMO_PASSWORD, DEMO_TITLE
from evalapp.extensions import db
from evalapp.models import Organiser, Round
from tests.api.helpers import bearer, make_token
from tests.factories import login

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "api_example.py"


def _script():
    spec = importlib.util.spec_from_file_location("api_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table(page: str, caption: str) -> list[list[str]]:
    """The rows (header cell first) of the dashboard's data table whose caption starts with ``caption``."""
    table = re.search(r"<caption[^>]*>" + re.escape(caption) + r"[^<]*</caption>.*?<tbody>(.*?)</tbody>", page, re.S)[1]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def _whole(value) -> str:
    return "—" if value is None else f"{round(value):,}"


def test_a_script_reads_the_demo_round_s_dashboard_numbers_through_the_api(app, runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        round_id = db.session.scalar(select(Round.id).where(Round.title == DEMO_TITLE))
        organiser_id = db.session.scalar(select(Organiser.id).where(Organiser.email == DEMO_EMAIL))
    secret = make_token(app, organiser_id, "Script de démonstration")

    def get(path):
        answer = client.get(path, headers=bearer(secret))
        assert answer.status_code == 200, (path, answer.text)
        return answer.json

    figures = _script().round_figures(get, round_id)

    organiser = app.test_client()
    assert login(organiser, DEMO_EMAIL, DEMO_PASSWORD).status_code == 303
    with organiser.session_transaction() as session:
        session["lang"] = "en"
    dashboard = organiser.get(f"/o/rounds/{round_id}/dashboard").text

    statuses = {label: int(n) for label, n in _table(dashboard, "Response status")}
    assert figures["invited"] == sum(statuses.values()) > 0
    assert figures["submitted"] == statuses["Submitted"] == figures["responses_read"]
    themes = {row[0]: row[1:] for row in _table(dashboard, "Theme indices (0–100)")}
    labels = dict(zip(("reciprocity", "impact", "human", "organisation"), themes, strict=False))
    assert len(figures["themes"]) == len(themes) == 4
    for theme, t in figures["themes"].items():
        assert themes[labels[theme]] == [str(t["n"]), *(_whole(t[k]) for k in ("mean", "sd", "min", "max"))], theme


def test_the_script_says_when_evalapp_cannot_be_reached():
    with socket.socket() as unused:  # a port that nothing listens on
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}"
    with pytest.raises(SystemExit) as stopped:
        _script().main(["--url", url, "--token", "evk_x"])
    assert str(stopped.value).startswith(f"evalapp cannot be reached at {url}: ")
