"""Fixtures: an app on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.

Every test that uses ``app`` runs once per database. The schema is built by the
migrations (as in production), once per database and test session; each test starts
with empty tables.
"""
import os

import pytest
from sqlalchemy import create_engine, text

from evalapp import create_app
from evalapp.config import normalise_database_url
from evalapp.extensions import db, limiter
from tests.factories import create_organiser, create_partnership_invitations, create_round, login, set_owner
from tests.writes import writes_during_reads

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "evalapp-test.db")
    url = normalise_database_url(os.environ["TEST_DATABASE_URL"])
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def make_app(database_url, **overrides):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "BASE_URL": "http://evalapp.test",
        **overrides,
    })
    # The limiter is one object per process, as in production; tests start with no counts.
    with app.app_context():
        limiter.reset()
    return app


@pytest.fixture(autouse=True)
def reading_never_writes(request):
    """Every test checks it too: a GET request that writes to the database (or commits) fails the test that made it.

    Only a test marked ``writes_on_a_get`` (the one of the check itself) is spared.
    """
    with writes_during_reads() as writes:
        yield
    if request.node.get_closest_marker("writes_on_a_get") is None:
        assert writes == [], "GET requests wrote to the database:\n" + "\n".join(writes)


@pytest.fixture(scope="session")
def migrated(database_url):
    from flask_migrate import upgrade

    app = make_app(database_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


@pytest.fixture
def app(migrated):
    app = make_app(migrated)
    yield app
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.engine.dispose()


@pytest.fixture
def app_with(migrated):
    """Build more apps on the same database (another worker, other settings); disposed after the test."""
    made = []

    def build(**overrides):
        made.append(make_app(migrated, **overrides))
        return made[-1]

    yield build
    for extra in made:
        with extra.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()



@pytest.fixture
def organiser_id(app):
    return create_organiser(app)


@pytest.fixture
def orga(app, organiser_id):
    """A client logged in as the organiser who owns ``round_id``."""
    client = app.test_client()
    assert login(client).status_code == 303
    return client


@pytest.fixture
def round_id(app, organiser_id):
    round_id = create_round(app)
    set_owner(app, round_id, organiser_id)
    return round_id


@pytest.fixture
def tokens(app, round_id):
    return create_partnership_invitations(app, round_id)
