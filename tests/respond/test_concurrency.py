"""Two submits of the same response at the same moment leave one submission, answers intact."""
from sqlalchemy import func, select

from evalapp.extensions import db
from evalapp.models import Answer, Invitation, Response
from tests.factories import create_partnership_invitations, create_round
from tests.respond.helpers import csrf_token, fill_everything, submit_at_once


def test_simultaneous_submits_from_two_tabs(app):
    token = create_partnership_invitations(app, create_round(app))[0]
    first_tab = app.test_client()
    fill_everything(first_tab, token)
    second_tab = app.test_client()
    tabs = []
    for tab in (first_tab, second_tab):
        tabs.append((tab, csrf_token(tab.get(f"/r/{token}/review").text)))
    with app.app_context():
        answers_before = db.session.scalar(select(func.count()).select_from(Answer))

    statuses = submit_at_once([(tab, token, form_token) for tab, form_token in tabs])

    assert statuses == [303, 303]
    with app.app_context():
        response = db.session.scalar(select(Response).join(Invitation).where(Invitation.token == token))
        assert response.status == "submitted" and response.submitted_at is not None
        assert db.session.scalar(select(func.count()).select_from(Answer)) == answers_before
        assert db.session.scalar(select(func.count()).select_from(Response).where(Response.status == "submitted")) == 1
