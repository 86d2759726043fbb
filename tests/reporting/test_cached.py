"""Dashboard aggregates are cached per round, yet a submission shows on the very next view."""
import re

import pytest
from sqlalchemy import event, select

from evalapp.extensions import db
from evalapp.invitations import revoke
from evalapp.models import Invitation, Round
from evalapp.reporting import aggregate, cached
from evalapp.respond.answers import reopen
from tests.factories import create_partnership_invitations
from tests.reporting.fixtures import build_round
from tests.respond.helpers import fill_everything, submit


def submitted_on_dashboard(orga, round_id) -> int:
    html = orga.get(f"/o/rounds/{round_id}/dashboard").text
    return int(re.search(r"(\d+) réponses? envoyées? correspond", html).group(1))


def test_submitting_withdrawing_and_reopening_show_on_the_next_view(app, orga, round_id):
    made = build_round(app, round_id)
    assert submitted_on_dashboard(orga, round_id) == 4

    token = create_partnership_invitations(app, round_id)[0]
    respondent = app.test_client()
    fill_everything(respondent, token)
    submit(respondent, token)
    assert submitted_on_dashboard(orga, round_id) == 5

    with app.app_context():
        revoke(db.session.get(Invitation, made["Lyon"][1]))
        db.session.commit()
    assert submitted_on_dashboard(orga, round_id) == 4

    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        reopen(invitation.response)
        db.session.commit()
    assert submitted_on_dashboard(orga, round_id) == 3


@pytest.fixture
def statements(app):
    """The SQL statements the app sends, as a list that tests can read and clear."""
    sent = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: sent.append(args[2])  # noqa: E731 (conn, cursor, statement, ...)
    event.listen(engine, "before_cursor_execute", listener)
    yield sent
    event.remove(engine, "before_cursor_execute", listener)


def test_a_second_view_reads_the_aggregates_from_the_cache(app, round_id, statements):
    build_round(app, round_id)
    views = []
    for _ in range(2):
        with app.test_request_context():
            round_ = db.session.get(Round, round_id)
            statements.clear()
            views.append((cached.theme_summaries(round_, aggregate.Filters(), 3), len(statements)))
    (first, first_statements), (second, second_statements) = views
    assert first_statements > 1
    # The second view asks only for the round's results stamp, and gets the same figures.
    assert second_statements == 1
    assert second == first
    with app.app_context():
        assert first == aggregate.theme_summaries(db.session.get(Round, round_id), aggregate.Filters(), 3)
