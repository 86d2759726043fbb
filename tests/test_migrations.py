"""The migrations build the whole schema, and match the models exactly."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from evalapp.extensions import db


def test_upgrade_builds_every_table(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        assert "alembic_version" in tables


def test_no_pending_autogenerate_diff(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A database with no schema yet: a new SQLite file, or a PostgreSQL schema of its own."""
    if database_url.startswith("sqlite"):
        yield "sqlite:///" + str(tmp_path / "empty.db")
        return
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
        conn.execute(text("CREATE SCHEMA migration_check"))
    yield database_url + ("&" if "?" in database_url else "?") + "options=-csearch_path%3Dmigration_check"
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA migration_check CASCADE"))
    engine.dispose()


def test_existing_invitations_keep_the_address_they_were_sent_to(empty_database):
    from flask_migrate import upgrade

    from tests.conftest import make_app

    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision="2f6012ca75a3")  # before invitations kept their address
        db.session.execute(text(
            "INSERT INTO questionnaire_versions (id, code, version, definition, checksum, loaded_at) "
            "VALUES (1, 'aict', 1, '{}', 'x', '2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO rounds (id, questionnaire_version_id, title, opens_on, closes_on, status, allow_reopen, "
            "results_visible, created_at) VALUES (1, 1, 'Tour', '2026-01-01', '2026-02-01', 'open', false, false, "
            "'2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO authorities (id, name, sort_name, kind, country, language, email, created_at) VALUES "
            "(1, 'Ville de Lyon', 'ville de lyon', 'commune', 'FR', 'fr', 'intl@lyon.example', '2026-01-01'), "
            "(2, 'Ville de Caen', 'ville de caen', 'commune', 'FR', 'fr', NULL, '2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO invitations (id, round_id, authority_id, side, token, created_at) VALUES "
            "(1, 1, 1, 'home', 'a', '2026-01-01'), (2, 1, 2, 'home', 'b', '2026-01-01')"))
        db.session.commit()
        upgrade()
        emails = db.session.execute(text("SELECT id, email FROM invitations ORDER BY id")).all()
        assert [tuple(row) for row in emails] == [(1, "intl@lyon.example"), (2, None)]
        db.session.remove()
        db.engine.dispose()


def test_responses_of_an_upgraded_database_are_counted_by_the_catch_up(empty_database):
    """The tallies counted before knew nothing of each response: emptied, every response left to the catch-up."""
    from flask_migrate import upgrade

    from evalapp import tallies
    from evalapp.models import Round
    from evalapp.questionnaires.loader import load_all
    from evalapp.reporting import aggregate
    from tests.conftest import make_app

    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision="dfc4ab2867d5")  # before responses knew what the tallies hold of them
        version_id = next(r.version for r in load_all() if (r.version.code, r.version.version) == ("aict", 1)).id
        db.session.execute(text(
            "INSERT INTO rounds (id, questionnaire_version_id, title, opens_on, closes_on, status, allow_reopen, "
            "results_visible, created_at, results_stamp) VALUES (1, :version, 'Tour', '2026-01-01', '2026-02-01', "
            "'open', false, false, '2026-01-01', '1-1-2026-01-10')"), {"version": version_id})
        db.session.execute(text(
            "INSERT INTO authorities (id, name, sort_name, kind, country, region, language, created_at) VALUES "
            "(1, 'Ville de Lyon', 'ville de lyon', 'commune', 'FR', 'Rhône', 'fr', '2026-01-01'), "
            "(2, 'Ville de Caen', 'ville de caen', 'commune', 'FR', NULL, 'fr', '2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO invitations (id, round_id, authority_id, side, token, created_at) VALUES "
            "(1, 1, 1, 'home', 'a', '2026-01-01'), (2, 1, 2, 'home', 'b', '2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO responses (id, invitation_id, status, submitted_at) VALUES "
            "(1, 1, 'submitted', '2026-01-10 09:00:00'), (2, 2, 'in_progress', NULL)"))
        db.session.execute(text(
            "INSERT INTO answers (response_id, item_code, choice, scale_value, dont_know) VALUES "
            "(1, 'REC_01', '', 4, false), (1, 'PRO_06', 'cuf', NULL, false)"))
        db.session.execute(text(
            "INSERT INTO answer_tallies (round_id, side, kind, country, region, item_code, value, n) VALUES "
            "(1, 'home', 'commune', 'FR', 'Rhône', 'REC_01', '4', 7)"))  # counted once, since gone wrong
        db.session.commit()
        upgrade()
        round_ = db.session.get(Round, 1)
        assert aggregate.coverage(round_).not_counted == 2
        assert aggregate.distributions(round_, ["REC_01"], min_n=1)["REC_01"].counts == {}

        assert tallies.catch_up(1) == tallies.CatchUp(counted=2, left=0)
        assert aggregate.distributions(round_, ["REC_01"], min_n=1)["REC_01"].counts == {4: 1}
        assert aggregate.progress(1).counts == {"not_started": 0, "in_progress": 1, "submitted": 1}
        assert aggregate.choice_counts(round_, ["PRO_06"], min_n=1)["PRO_06"].counts == {"cuf": 1}
        db.session.remove()
        db.engine.dispose()


def test_emails_sent_before_sends_were_jobs_keep_their_result(empty_database):
    from flask_migrate import upgrade

    from tests.conftest import make_app

    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision="c3d9a4e1b7f2")  # before each message had a status
        db.session.execute(text(
            "INSERT INTO questionnaire_versions (id, code, version, definition, checksum, loaded_at) "
            "VALUES (1, 'aict', 1, '{}', 'x', '2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO rounds (id, questionnaire_version_id, title, opens_on, closes_on, status, allow_reopen, "
            "results_visible, created_at) VALUES (1, 1, 'Tour', '2026-01-01', '2026-02-01', 'open', false, false, "
            "'2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO authorities (id, name, sort_name, kind, country, language, created_at) VALUES "
            "(1, 'Ville de Lyon', 'ville de lyon', 'commune', 'FR', 'fr', '2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO invitations (id, round_id, authority_id, side, token, created_at) VALUES "
            "(1, 1, 1, 'home', 'a', '2026-01-01')"))
        db.session.execute(text(
            "INSERT INTO invitation_emails (id, invitation_id, kind, recipient, sent_at, ok, error) VALUES "
            "(1, 1, 'invitation', 'a@lyon.example', '2026-01-02', false, '550 no such mailbox'), "
            "(2, 1, 'invitation', 'b@lyon.example', '2026-01-03', true, NULL)"))
        db.session.commit()
        upgrade()
        rows = db.session.execute(text("SELECT id, status, error FROM invitation_emails ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(1, "failed", "550 no such mailbox"), (2, "sent", None)]
        db.session.remove()
        db.engine.dispose()
