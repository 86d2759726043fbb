"""For the fault tests: the answers as stored, and PostgreSQL connections cut as a crash would cut them."""
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, make_url, select, text
from sqlalchemy.pool import NullPool

from evalapp.extensions import db
from evalapp.models import Answer, Invitation, Response

#: The application_name of the app under test, so that its connections can be told from the others.
APP_NAME = "evalapp-under-test"


def answer_rows(app, token: str) -> list[tuple]:
    """Every stored answer of the response of ``token``, column by column."""
    with app.app_context():
        return sorted(tuple(row) for row in db.session.execute(
            select(Answer.item_code, Answer.choice, Answer.scale_value, Answer.dont_know, Answer.number_value,
                   Answer.text_value)
            .join(Response).join(Invitation).where(Invitation.token == token)
        ))


def response_state(app, token: str) -> tuple:
    with app.app_context():
        response = db.session.scalar(select(Response).join(Invitation).where(Invitation.token == token))
        return response.status, response.submitted_at, response.updated_at, response.current_section


def require_postgresql(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL): SQLite has no server connection to cut or to share "
                    "between processes")


def named_url(app) -> str:
    """The app's database URL, its connections named APP_NAME."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.update_query_dict({"application_name": APP_NAME}).render_as_string(hide_password=False)


def terminate(app, condition: str = "true", **params) -> int:
    """From a connection of its own, terminate the other connections to the app's database that match
    ``condition`` (SQL on pg_stat_activity), wait until they are gone, and return how many there were."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    try:
        with engine.connect() as conn:
            done = conn.execute(text(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND " + condition), params).scalars()
            done = list(done)
    finally:
        engine.dispose()
    assert all(done), "a connection outlived pg_terminate_backend"
    return len(done)


def terminate_app_connections(app) -> int:
    """Cut the connections of the apps built on :func:`named_url`, as a network failure would."""
    return terminate(app, "application_name = :name", name=APP_NAME)


def terminate_every_connection(app) -> int:
    """Cut every connection to the database, as a restart of the server does."""
    return terminate(app)


@contextmanager
def after_each_statement(app, listener):
    """Call ``listener(cursor, statement)`` after each statement the app runs inside the block."""
    def call(conn, cursor, statement, parameters, context, executemany):
        listener(cursor, statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", call)
    try:
        yield
    finally:
        event.remove(engine, "after_cursor_execute", call)


def cut(app, cursor) -> None:
    """Terminate the connection of ``cursor``, as a crash would."""
    terminate(app, "pid = :pid", pid=cursor.connection.info.backend_pid)


@contextmanager
def connection_cut_after(app, statement_start: str):
    """Terminate the app's connection right after it runs the first statement starting with ``statement_start``,
    before anything is committed. Yields the list of statements cut after, to check that the cut happened."""
    done = []

    def cut_first(cursor, statement):
        if not done and statement.lstrip().startswith(statement_start):
            done.append(statement)
            cut(app, cursor)

    with after_each_statement(app, cut_first):
        yield done


def assert_error_page(response, status: int):
    """The app's own error page, in French, asking to try again and telling nothing of the machinery."""
    assert response.status_code == status
    assert "Veuillez réessayer" in response.text
    for leak in ("Traceback", "psycopg", "sqlalchemy", "Error:", "Error(", "AdminShutdown", "terminating connection",
                 "INSERT INTO", "DELETE FROM", "UPDATE ", "SELECT "):
        assert leak not in response.text, leak


def assert_try_again_page(response):
    """503 after a post: what was just sent was not saved, send it again."""
    assert_error_page(response, 503)
    assert "momentanément indisponible" in response.text and "envoyez-le de nouveau" in response.text


def assert_reload_page(response):
    """503 after a page was only read: nothing sent was lost, reload the page."""
    assert_error_page(response, 503)
    assert "momentanément indisponible" in response.text and "Rechargez cette page" in response.text
    assert "envoyez-le de nouveau" not in response.text


@contextmanager
def statements_run(app):
    """Yield the list of the statements the app runs inside the block, filled as they run."""
    seen = []
    with after_each_statement(app, lambda cursor, statement: seen.append(statement)):
        yield seen


@contextmanager
def connection_cut_after_statement(app, index: int):
    """Terminate the app's connection right after its ``index``-th statement (from 0) inside the block.
    Yields the list of statements cut after, to check that the cut happened."""
    seen, done = [], []

    def cut_at_index(cursor, statement):
        if len(seen) == index:
            done.append(statement)
            cut(app, cursor)
        seen.append(statement)

    with after_each_statement(app, cut_at_index):
        yield done
