"""The database connection cut after each statement of a request in turn (PostgreSQL), as a restart or
a failover would cut it: before the page is read, while answers are written, while the page is drawn,
at its very end. Every error a person sees is the app's own page, in their language, with the security
headers; a page that was only read never says that something sent was not saved; a post is saved
whole or not at all, and the same post then succeeds."""
import pytest

from tests.factories import create_organiser, create_partnership_invitations, create_round, login, set_owner
from tests.respond.helpers import csrf_token, fill_everything, section_data, start
from tests.safety.pg import (
    answer_rows,
    assert_error_page,
    connection_cut_after_statement,
    named_url,
    require_postgresql,
    response_state,
    statements_run,
)


@pytest.fixture
def pg_app(app, app_with):
    """As served in production: errors handled by the app's pages, not propagated to the test."""
    require_postgresql(app)
    return app_with(SQLALCHEMY_DATABASE_URI=named_url(app), TESTING=False)


@pytest.fixture
def token(pg_app):
    return create_partnership_invitations(pg_app, create_round(pg_app))[0]


def assert_app_page(response):
    assert "Content-Security-Policy" in response.headers and response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Type"].startswith("text/html")
    assert '<html lang="fr">' in response.text


def every_cut(pg_app, request):
    """Send ``request()`` once per statement it runs, the connection cut right after that statement."""
    assert request().status_code in (200, 303)  # what is read once per process is read
    with statements_run(pg_app) as statements:
        assert request().status_code in (200, 303)
    assert statements
    for index in range(len(statements)):
        with connection_cut_after_statement(pg_app, index) as cut:
            response = request()
        assert cut, index
        yield index, response


def test_a_page_read_while_the_connection_is_cut_shows_the_page_or_asks_to_reload(pg_app, token):
    respondent = pg_app.test_client()
    fill_everything(respondent, token)
    round_id = create_round(pg_app, title="Tour suivi")
    set_owner(pg_app, round_id, create_organiser(pg_app))
    organiser = pg_app.test_client()
    assert login(organiser).status_code == 303
    pages = [(respondent, f"/r/{token}"), (respondent, f"/r/{token}/p/context"), (respondent, f"/r/{token}/review"),
             (organiser, f"/o/rounds/{round_id}"), (organiser, f"/o/rounds/{round_id}/dashboard")]
    for client, url in pages:
        for index, response in every_cut(pg_app, lambda client=client, url=url: client.get(url)):
            assert response.status_code in (200, 503), (url, index)
            assert_app_page(response)
            if response.status_code == 503:
                assert_error_page(response, 503)
                assert "Rechargez cette page" in response.text and "envoyez-le de nouveau" not in response.text
            assert client.get(url).status_code == 200, (url, index)


def test_a_save_cut_at_any_moment_is_saved_whole_or_not_at_all(pg_app, token):
    respondent = pg_app.test_client()
    start(respondent, token)
    url = f"/r/{token}/p/context"
    before = answer_rows(pg_app, token)
    form = {"csrf_token": csrf_token(respondent.get(url).text), "action": "next", **section_data("context")}
    for index, response in every_cut(pg_app, lambda: respondent.post(url, data=form)):
        assert response.status_code in (303, 503), index
        assert_app_page(response) if response.status_code == 503 else None
        assert answer_rows(pg_app, token) != before  # the first send, before the cuts, saved them
        if response.status_code == 503:
            assert_error_page(response, 503)
            assert "envoyez-le de nouveau" in response.text
        assert respondent.post(url, data=form).status_code == 303
    saved = answer_rows(pg_app, token)
    assert {row[0] for row in saved} >= set(section_data("context"))


def test_a_submit_cut_at_any_moment_is_submitted_or_can_be_sent_again(pg_app):
    def filled():
        token = create_partnership_invitations(pg_app, create_round(pg_app))[0]
        client = pg_app.test_client()
        fill_everything(client, token)
        return client, token, csrf_token(client.get(f"/r/{token}/review").text)

    client, token, form_token = filled()
    with statements_run(pg_app) as statements:
        assert client.post(f"/r/{token}/submit", data={"csrf_token": form_token}).status_code == 303
    # A response of its own for each cut: a submitted one cannot be submitted again.
    for index in range(len(statements)):
        client, token, form_token = filled()
        answers = answer_rows(pg_app, token)
        with connection_cut_after_statement(pg_app, index) as cut:
            response = client.post(f"/r/{token}/submit", data={"csrf_token": form_token})
        assert cut, index
        if response.status_code == 503:
            assert_app_page(response)
            assert "envoyez-le de nouveau" in response.text
            assert response_state(pg_app, token)[0] == "in_progress", index  # sent again, it is submitted
            assert client.post(f"/r/{token}/submit", data={"csrf_token": form_token}).status_code == 303
        else:
            assert response.status_code == 303, index
        assert response_state(pg_app, token)[0] == "submitted"
        assert answer_rows(pg_app, token) == answers
        # The thank-you page after a submit never says that what was sent was not saved.
        thanks = client.get(f"/r/{token}")
        assert thanks.status_code == 200 and "Merci" in thanks.text
