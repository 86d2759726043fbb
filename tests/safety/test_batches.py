"""An import or an invitation of both sides that fails halfway writes nothing, and the organiser is told to try
again; an email batch that fails halfway keeps the record of what was sent, so that no one gets a message twice.

Halfway: after the first rows were written in the transaction, either a row fails (both databases) or the
connection is cut (PostgreSQL)."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from evalapp.extensions import db
from evalapp.models import Authority, Invitation, Partnership, Response
from tests.directory.test_csv_import import FRENCH_EXCEL, upload
from tests.organiser import test_emails
from tests.organiser.test_emails import send, set_emails
from tests.organiser.test_invitations import add_directory, post_invite
from tests.safety.pg import assert_error_page, assert_try_again_page, connection_cut_after, require_postgresql

# Fixtures: a local SMTP server, the app sending to it (its jobs run both ways), its organiser.
smtp, mail_app, mail_orga, mode = test_emails.smtp, test_emails.mail_app, test_emails.mail_orga, test_emails.mode

PARTNERSHIPS = ("collectivité;partenaire;année de début\r\n"
                "Ville de Chambéry;Commune de Ouahigouya;1991\r\n"
                "Ville de Chambéry;Województwo Wielkopolskie;2004\r\n"
                "Commune de Ouahigouya;Województwo Wielkopolskie;2010\r\n").encode("utf-8-sig")


class RowFailure(RuntimeError):
    pass


@contextmanager
def failing_after(app, table: str):
    """Make the first INSERT after the first one into ``table`` fail: rows of ``table`` are written (one by one,
    or all in one statement), then the rest fails. Yields the statements written into ``table`` before."""
    written = []

    def fail(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("INSERT INTO"):
            if written:
                raise RowFailure(f"could not be written after {table}")
            if statement.lstrip().startswith(f"INSERT INTO {table} "):
                written.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield written
    finally:
        event.remove(engine, "before_cursor_execute", fail)


@pytest.fixture(params=["a row fails", "the connection is cut"])
def fail_halfway(request, app):
    """Send a request that fails halfway through writing rows of ``model``, and check what the organiser sees."""
    if request.param == "the connection is cut":
        require_postgresql(app)

    def send(model, post):
        if request.param == "a row fails":
            with failing_after(app, model.__tablename__) as written:
                assert_error_page(post(), 500)
            assert written
        else:
            with connection_cut_after(app, f"INSERT INTO {model.__tablename__}") as cut:
                assert_try_again_page(post())
            assert cut

    return send


def rows(app, *models) -> list[int]:
    with app.app_context():
        return [db.session.scalar(select(func.count()).select_from(model)) for model in models]


@pytest.mark.parametrize("kind, model, data", [
    ("authorities", Authority, FRENCH_EXCEL.encode("utf-8-sig")),
    ("partnerships", Partnership, PARTNERSHIPS),
])
def test_an_import_failing_halfway_writes_nothing(app, orga, fail_halfway, kind, model, data):
    if kind == "partnerships":
        assert upload(orga, FRENCH_EXCEL.encode("utf-8-sig")).status_code == 303
    before = rows(app, Authority, Partnership)

    fail_halfway(model, lambda: upload(orga, data, kind=kind))
    assert rows(app, Authority, Partnership) == before

    assert upload(orga, data, kind=kind).status_code == 303
    assert rows(app, model) == [3]


def test_an_invitation_of_both_sides_failing_halfway_invites_no_one(app, orga, round_id, fail_halfway):
    """Inviting by filter is a job that commits whole batches: tests/jobs/test_invite_jobs.py."""
    ids = add_directory(app)

    fail_halfway(Invitation, lambda: post_invite(orga, round_id, "pair", partnership_id=ids["pair"]))
    assert rows(app, Invitation, Response) == [0, 0]

    assert post_invite(orga, round_id, "pair", partnership_id=ids["pair"]).status_code == 303
    assert rows(app, Invitation, Response) == [2, 2]


def test_an_email_batch_failing_halfway_sends_no_one_twice(app, smtp, mail_orga, round_id, tokens):
    # Accepted by the directory's CSV import, refused by the mail library; Ouagadougou comes first.
    set_emails(app, Ouagadougou="mairie@ouaga.example", Grenoble="intl@é..example")
    assert "Traceback" not in send(mail_orga, round_id, "not_sent").text
    set_emails(app, Ouagadougou="mairie@ouaga.example", Grenoble="intl@grenoble.example")
    send(mail_orga, round_id, "not_sent")
    _, mailbox = smtp
    assert sorted(message["To"] for message in mailbox.messages) == ["intl@grenoble.example", "mairie@ouaga.example"]
