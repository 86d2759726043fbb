"""Backup and restore: a restored database serves the same dashboard and the same exports.

On SQLite the restore target is another file; on PostgreSQL a new database created on the
server of TEST_DATABASE_URL for the test, and dropped after it.
"""
import csv
import io
import re
import secrets

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from evalapp import demo
from evalapp.backup import BackupError, backup, restore
from evalapp.extensions import db
from evalapp.models import Answer, Authority, Invitation, Response, ResponseStatus
from tests.conftest import make_app
from tests.factories import login
from tests.respond.helpers import csrf_token

KINDS = ("wide", "long", "codebook", "pairs")


@pytest.fixture
def fresh_url(migrated, tmp_path):
    """A new, empty database beside the test database: another file, or another database on the same server."""
    url = make_url(migrated)
    if url.get_backend_name() == "sqlite":
        yield url.set(database=str(tmp_path / "restored.db")).render_as_string(hide_password=False)
        return
    name = f"{url.database}_restored_{secrets.token_hex(4)}"
    server = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture
def app_on(fresh_url):
    """Build an app on the fresh database; its connections are closed after the test, before the drop."""
    made = []

    def build():
        made.append(make_app(fresh_url))
        return made[-1]

    yield build
    for other in made:
        with other.app_context():
            db.engine.dispose()


def seed_demo(app) -> int:
    with app.app_context():
        round_, _ = demo.seed()
        db.session.commit()
        return round_.id


def earlier_round_id(app) -> int:
    with app.app_context():
        return demo.earlier_round().id


def organiser_sees(app, round_id) -> dict:
    """The dashboard, without its CSRF tokens, and the four CSV exports as downloaded, byte for byte."""
    client = app.test_client()
    assert login(client, demo.DEMO_EMAIL, demo.DEMO_PASSWORD).status_code == 303
    dashboard = client.get(f"/o/rounds/{round_id}/dashboard")
    assert dashboard.status_code == 200
    seen = {"dashboard": re.sub(r'(name="csrf_token"[^>]*value=)"[^"]+"', r"\1", dashboard.text)}
    page = client.get(f"/o/rounds/{round_id}/export")
    for kind in KINDS:
        download = client.post(f"/o/rounds/{round_id}/export", data={
            "csrf_token": csrf_token(page.text), "layout": kind, "preset": "custom", "headers": "codes",
            "values": "labels", "lang": "fr", "delimiter": ","})
        assert download.status_code == 200 and download.mimetype == "text/csv"
        seen[kind] = download.data
    return seen


def rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def authority_names(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Authority.name)))


def count_answers(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Answer))


def test_a_restored_database_serves_the_same_dashboard_and_exports(app, app_on, tmp_path):
    round_id = seed_demo(app)
    path = tmp_path / "evalapp.backup"
    backup(app.config["SQLALCHEMY_DATABASE_URI"], path)
    restored = app_on()
    restore(path, restored.config["SQLALCHEMY_DATABASE_URI"])

    before, after = organiser_sees(app, round_id), organiser_sees(restored, round_id)
    for part in before:
        assert after[part] == before[part], part
    # Last year's round of the demo, on the questionnaire's first version, too.
    earlier_id = earlier_round_id(app)
    assert organiser_sees(restored, earlier_id) == organiser_sees(app, earlier_id)
    # What was compared carries the round: every submitted response, both sides of partnerships, charts.
    with app.app_context():
        submitted = db.session.scalar(select(func.count()).select_from(Response).join(Invitation).where(
            Response.status == ResponseStatus.SUBMITTED, Invitation.round_id == round_id))
    assert submitted > 15 and len(rows(before["wide"])) == submitted
    assert len(rows(before["pairs"])) >= 5 and len(rows(before["long"])) > 1000
    assert before["dashboard"].count('<script type="application/json"') >= 5


def test_restore_refuses_a_database_holding_data_and_leaves_it_untouched(app, app_on, tmp_path):
    seed_demo(app)
    path = tmp_path / "evalapp.backup"
    backup(app.config["SQLALCHEMY_DATABASE_URI"], path)
    restored = app_on()
    target = restored.config["SQLALCHEMY_DATABASE_URI"]
    with restored.app_context():
        upgrade()  # a migrated database without rows is empty: no --force needed
    restore(path, target)
    assert authority_names(restored) == authority_names(app)

    with restored.app_context():
        db.session.scalar(select(Authority).filter_by(name="Ville de Grenoble")).name = "Changed after the backup"
        db.session.commit()
    answers = count_answers(restored)
    with pytest.raises(BackupError, match=r"already holds data \(in answer_tallies, answers, authorities, .*--force"):
        restore(path, target)
    assert "Changed after the backup" in authority_names(restored)
    assert count_answers(restored) == answers

    restore(path, target, force=True)
    assert authority_names(restored) == authority_names(app)
    assert count_answers(restored) == count_answers(app)


def test_backup_and_restore_from_the_command_line(app, app_on, tmp_path):
    round_id = seed_demo(app)
    path = tmp_path / "evalapp.backup"
    result = app.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Backed up the database to {path}" in result.output

    restored = app_on()
    runner = restored.test_cli_runner()
    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output
    assert "Restored the database" in result.output
    again = runner.invoke(args=["restore", str(path)])
    assert again.exit_code == 1 and "Traceback" not in again.output
    assert "Error: the database already holds data" in again.output and "use --force" in again.output
    assert runner.invoke(args=["restore", str(path), "--force"]).exit_code == 0
    assert organiser_sees(restored, round_id)["wide"] == organiser_sees(app, round_id)["wide"]

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("not a backup")
    refused = runner.invoke(args=["restore", str(not_a_backup), "--force"])
    assert refused.exit_code == 1 and "Error:" in refused.output and "Traceback" not in refused.output
    assert authority_names(restored) == authority_names(app)


def test_a_missing_pg_dump_is_named_without_a_stack_trace(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "evalapp.backup")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Error: pg_dump not found: install the PostgreSQL client tools" in result.output
    assert not (tmp_path / "evalapp.backup").exists()
