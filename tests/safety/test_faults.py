"""The database connection lost (PostgreSQL): the next request works, earlier answers are still there, and a
request cut off while writing writes nothing and tells the respondent to try again. While the database cannot
be reached at all (both databases), respondents are asked to try again too."""
import pytest

from tests.factories import create_organiser, create_partnership_invitations, create_round, login, set_owner
from tests.load.server import free_port
from tests.respond.helpers import AICT, csrf_token, fill_everything, post_section, section_data, start
from tests.safety.pg import (
    answer_rows,
    assert_reload_page,
    assert_try_again_page,
    connection_cut_after,
    named_url,
    require_postgresql,
    response_state,
    terminate_app_connections,
    terminate_every_connection,
)


@pytest.fixture
def pg_app(app, app_with):
    """The app on PostgreSQL with its connections named, so that a test can cut them (``app`` empties the tables after)."""
    require_postgresql(app)
    return app_with(SQLALCHEMY_DATABASE_URI=named_url(app))


@pytest.fixture
def token(pg_app):
    return create_partnership_invitations(pg_app, create_round(pg_app))[0]


def lower_scores(code):
    """The page's answers with every score changed, as a respondent changing their mind sends them."""
    return {key: "2" if value == "4" else value for key, value in section_data(code).items()}


def test_connections_cut_between_requests_are_replaced_unnoticed(pg_app, token):
    respondent = pg_app.test_client()
    start(respondent, token)
    assert post_section(respondent, token, "profile", section_data("profile")).status_code == 303
    saved = answer_rows(pg_app, token)

    assert terminate_app_connections(pg_app) >= 1
    assert respondent.get(f"/r/{token}/p/context").status_code == 200
    assert terminate_app_connections(pg_app) >= 1
    assert post_section(respondent, token, "context", section_data("context")).status_code == 303

    rows = answer_rows(pg_app, token)
    assert set(saved) < set(rows)
    assert {row[0] for row in rows} - {row[0] for row in saved} == set(section_data("context"))


def test_after_a_restart_of_the_database_server_everyone_carries_on(pg_app, token):
    round_id = create_round(pg_app, title="Tour suivi")
    set_owner(pg_app, round_id, create_organiser(pg_app))
    organiser = pg_app.test_client()
    assert login(organiser).status_code == 303
    respondent = pg_app.test_client()
    start(respondent, token)
    assert post_section(respondent, token, "profile", section_data("profile")).status_code == 303
    saved = answer_rows(pg_app, token)

    assert terminate_every_connection(pg_app) >= 1

    assert "Tour suivi" in organiser.get(f"/o/rounds/{round_id}").text
    page = respondent.get(f"/r/{token}/p/profile")
    assert page.status_code == 200
    assert answer_rows(pg_app, token) == saved
    for section in AICT.sections_for("home")[1:]:
        assert post_section(respondent, token, section.code, section_data(section.code)).status_code == 303


def test_while_the_database_is_down_respondents_are_asked_to_try_again(app, app_with, tmp_path):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        unreachable = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/evalapp"
    else:
        unreachable = f"sqlite:///{tmp_path}/no-such-directory/evalapp.db"
    down = app_with(SQLALCHEMY_DATABASE_URI=unreachable).test_client()
    assert_reload_page(down.get("/r/" + "A" * 43))
    assert_try_again_page(down.post("/r/" + "A" * 43 + "/p/profile", data={"PRO_03": "1990"}))


@pytest.mark.parametrize("statement", ["DELETE FROM answers", "INSERT INTO answers"],
                         ids=["old answers deleted", "new answers written"])
def test_a_save_cut_off_midway_writes_nothing_and_the_same_post_then_succeeds(pg_app, token, statement):
    respondent = pg_app.test_client()
    start(respondent, token)
    assert post_section(respondent, token, "organisation", section_data("organisation")).status_code == 303
    before = answer_rows(pg_app, token), response_state(pg_app, token)
    url = f"/r/{token}/p/organisation"
    form = {"csrf_token": csrf_token(respondent.get(url).text), "action": "next", **lower_scores("organisation")}

    with connection_cut_after(pg_app, statement) as cut:
        assert_try_again_page(respondent.post(url, data=form))
    assert cut
    assert (answer_rows(pg_app, token), response_state(pg_app, token)) == before

    assert respondent.post(url, data=form).status_code == 303
    assert {row[2] for row in answer_rows(pg_app, token)} == {2}


def test_a_submit_cut_off_midway_leaves_the_response_open_and_the_same_post_then_succeeds(pg_app, token):
    respondent = pg_app.test_client()
    fill_everything(respondent, token)
    before = answer_rows(pg_app, token), response_state(pg_app, token)
    form = {"csrf_token": csrf_token(respondent.get(f"/r/{token}/review").text)}

    with connection_cut_after(pg_app, "UPDATE responses SET status") as cut:
        assert_try_again_page(respondent.post(f"/r/{token}/submit", data=form))
    assert cut
    assert (answer_rows(pg_app, token), response_state(pg_app, token)) == before
    assert respondent.get(f"/r/{token}/review").status_code == 200  # still open, not "already submitted"

    assert respondent.post(f"/r/{token}/submit", data=form).status_code == 303
    assert response_state(pg_app, token)[0] == "submitted"
    assert answer_rows(pg_app, token) == before[0]
