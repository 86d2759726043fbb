"""Two processes (as two gunicorn workers) post the same response at the same moment, on PostgreSQL:
submits leave one submission with its answers intact; saves of one page keep one of the two saves whole."""
import multiprocessing

import pytest

from tests.conftest import make_app
from tests.factories import create_partnership_invitations, create_round
from tests.respond.helpers import csrf_token, fill_everything, section_data, start
from tests.safety.pg import answer_rows, require_postgresql, response_state

RACES = 5


def post_with_the_other_process(database_url, posts, barrier, results):
    """In a process of its own: an app on the same database posts each (page, url, data) when the other
    process is ready to post it too, and reports the status codes (or what went wrong)."""
    try:
        client = make_app(database_url).test_client()
        statuses = []
        for page, url, data in posts:
            form_token = csrf_token(client.get(page).text)
            barrier.wait(timeout=60)
            statuses.append(client.post(url, data={"csrf_token": form_token, **data}).status_code)
        results.put(statuses)
    except BaseException as error:
        barrier.abort()
        results.put(repr(error))
        raise


def race(app, posts_of_each_process: list[list]) -> list:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(posts_of_each_process)), context.Queue()
    processes = [context.Process(target=post_with_the_other_process,
                                 args=(app.config["SQLALCHEMY_DATABASE_URI"], posts, barrier, results))
                 for posts in posts_of_each_process]
    for process in processes:
        process.start()
    reports = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    return reports


@pytest.fixture
def tokens(app):
    require_postgresql(app)
    round_id = create_round(app)
    return [create_partnership_invitations(app, round_id)[0] for _ in range(RACES)]


def test_simultaneous_submits_from_two_processes_leave_one_submission(app, tokens):
    for token in tokens:
        fill_everything(app.test_client(), token)
    answers = {token: answer_rows(app, token) for token in tokens}
    submits = [(f"/r/{token}/review", f"/r/{token}/submit", {}) for token in tokens]

    assert race(app, [submits, submits]) == [[303] * RACES] * 2

    for token in tokens:
        status, submitted_at, _, _ = response_state(app, token)
        assert status == "submitted" and submitted_at is not None
        assert answer_rows(app, token) == answers[token]


def test_simultaneous_saves_of_one_page_keep_one_save_whole(app, tokens):
    for token in tokens:
        start(app.test_client(), token)
    fours = section_data("organisation")
    twos = {code: "2" for code in fours}
    page = "/r/{}/p/organisation"
    saves = [[(page.format(token), page.format(token), {"action": "save", **scores}) for token in tokens]
             for scores in (fours, twos)]

    assert race(app, saves) == [[303] * RACES] * 2

    for token in tokens:
        scores = [(code, value) for code, _, value, *_ in answer_rows(app, token)]
        assert scores in ([(code, 4) for code in sorted(fours)], [(code, 2) for code in sorted(fours)])
