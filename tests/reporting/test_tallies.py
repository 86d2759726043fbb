"""The dashboards' tallies and scores stay those of the responses, whatever happens to them.

"Kept" is what the tallies hold; "fresh" is the same counted again from nothing (every response
forgotten and counted anew, in a transaction rolled back). After every kind of change they are
equal, and the responses the kept figures leave out are said.
"""
import re
import threading

import pytest
from sqlalchemy import event, func, select

from evalapp import jobs, tallies
from evalapp.directory import operations
from evalapp.extensions import db
from evalapp.invitations import invite_batch, reissue, revoke
from evalapp.models import AnswerTally, Authority, Invitation, Response, ResponseScore, ResponseStatus, Round
from evalapp.reporting import aggregate
from evalapp.respond.answers import reopen
from evalapp.synthetic import add_responses
from tests.factories import create_partnership_invitations
from tests.reporting.fixtures import RECIPROCITY, build_round
from tests.respond.conditional import create_cond_round, invite_cond
from tests.respond.helpers import (
    AICT,
    csrf_token,
    fill_everything,
    post_section,
    section_data,
    start,
    submit,
    submit_at_once,
)


def require_postgresql(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL): SQLite runs one writer at a time")


def _figures(round_id) -> tuple[list, list]:
    counts = sorted(tuple(row) for row in db.session.execute(
        select(AnswerTally.side, AnswerTally.kind, AnswerTally.country, AnswerTally.region, AnswerTally.item_code,
               AnswerTally.value, AnswerTally.n).where(AnswerTally.round_id == round_id, AnswerTally.n != 0)))
    # Those of submitted responses: the others' are never read (a resubmission replaces them).
    scores = sorted(tuple(row) for row in db.session.execute(
        select(ResponseScore.response_id, ResponseScore.theme, ResponseScore.score)
        .where(ResponseScore.response_id.in_(aggregate.submitted_ids(round_id)))))
    return counts, scores


def kept(app, round_id) -> tuple[list, list]:
    """The round's tallies and scores as they are now."""
    with app.app_context():
        return _figures(round_id)


def fresh(app, round_id) -> tuple[list, list]:
    """The same, counted again from nothing; nothing of it is kept."""
    with app.app_context():
        tallies.forget(round_id)
        tallies.refresh(select(Response.id).join(Invitation).where(Invitation.round_id == round_id))
        figures = _figures(round_id)
        db.session.rollback()
        return figures


def not_counted(app, round_id) -> int:
    with app.app_context():
        return aggregate.coverage(db.session.get(Round, round_id)).not_counted


def reciprocity_n(app, round_id, **filters) -> int:
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        return next(s.n for s in aggregate.theme_summaries(round_, aggregate.Filters(**filters), min_n=1)
                    if s.theme == "reciprocity")


def test_a_submission_adds_its_counts_at_once(app, round_id):
    build_round(app, round_id)
    before = kept(app, round_id)
    token = create_partnership_invitations(app, round_id)[0]
    client = app.test_client()
    fill_everything(client, token)
    assert submit(client, token).status_code == 303

    assert not_counted(app, round_id) == 0
    after = kept(app, round_id)
    assert after != before
    assert after == fresh(app, round_id)
    # The new response scored 4 everywhere: 75 on every theme.
    assert ("home", "commune", "FR", "Auvergne-Rhône-Alpes", RECIPROCITY[0], "4", 1) in after[0]
    assert ("home", "commune", "FR", "Auvergne-Rhône-Alpes", tallies.STATUS, "submitted", 1) in after[0]


def test_invitations_and_first_answers_are_counted_by_status_at_once(app, round_id):
    home, partner = create_partnership_invitations(app, round_id)
    with app.app_context():
        assert aggregate.progress(round_id).counts == {"not_started": 2, "in_progress": 0, "submitted": 0}
        db.session.add_all(Authority(name=f"Département {n}", kind="departement", country="FR") for n in range(3))
        db.session.flush()
        assert invite_batch(db.session.get(Round, round_id), kind="departement", size=2) == 2  # by filter, batch by batch
        assert invite_batch(db.session.get(Round, round_id), kind="departement", size=2) == 1
        db.session.commit()
        assert aggregate.progress(round_id, aggregate.Filters(kind="departement")).counts["not_started"] == 3
        assert aggregate.progress(round_id).counts == {"not_started": 5, "in_progress": 0, "submitted": 0}
    fill_everything(app.test_client(), home)
    with app.app_context():
        assert aggregate.progress(round_id).counts == {"not_started": 4, "in_progress": 1, "submitted": 0}
    assert not_counted(app, round_id) == 0
    assert kept(app, round_id) == fresh(app, round_id)


def test_a_page_saved_before_starting_counts_the_response_in_progress_at_once(app, round_id):
    """A respondent who comes back by a page's own address saves it without the welcome page's start."""
    home, _partner = create_partnership_invitations(app, round_id)
    first = AICT.sections_for("home")[0].code
    assert post_section(app.test_client(), home, first, section_data(first), action="save").status_code == 303
    with app.app_context():
        assert aggregate.progress(round_id).counts == {"not_started": 1, "in_progress": 1, "submitted": 0}
    assert not_counted(app, round_id) == 0
    assert kept(app, round_id) == fresh(app, round_id)


def test_withdrawing_giving_back_a_link_and_reopening_take_counts_out_and_back_at_once(app, round_id):
    made = build_round(app, round_id)
    assert reciprocity_n(app, round_id) == 3  # Tombouctou answered "don't know" only
    steps = [(revoke, "Lyon", 2), (reissue, "Lyon", 3), (lambda invitation: reopen(invitation.response), "Grenoble", 2)]
    for step, name, expected in steps:
        with app.app_context():
            step(db.session.get(Invitation, made[name][1]))
            db.session.commit()
        assert not_counted(app, round_id) == 0, (step, name)
        assert reciprocity_n(app, round_id) == expected
        assert kept(app, round_id) == fresh(app, round_id)


def test_an_authority_moved_to_another_type_is_counted_under_it_in_the_same_transaction(app, round_id):
    build_round(app, round_id)
    assert reciprocity_n(app, round_id, kind="commune") == 2
    codes = RECIPROCITY[:3]
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert aggregate.distributions(round_, codes, aggregate.Filters(kind="departement"), min_n=1)[codes[0]].n == 0
        lyon = db.session.scalar(select(Authority).where(Authority.name == "Ville de Lyon"))
        operations.update_authority(lyon, {"kind": "departement", "region": "Rhône"}, by=None)
        db.session.commit()
    assert not_counted(app, round_id) == 0
    assert reciprocity_n(app, round_id, kind="commune") == 1
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert aggregate.distributions(round_, codes, aggregate.Filters(kind="departement"), min_n=1)[codes[0]].counts == {3: 1}
        assert aggregate.count_submitted(round_id, aggregate.Filters(region="Rhône")) == 1
    assert kept(app, round_id) == fresh(app, round_id)


def test_a_change_made_outside_the_write_paths_is_left_out_until_the_catch_up(app, round_id):
    made = build_round(app, round_id)
    with app.app_context():
        db.session.scalar(select(Authority).where(Authority.name == "Ville de Lyon")).kind = "departement"
        db.session.get(Invitation, made["Grenoble"][1]).revoked_at = db.func.now()
        db.session.get(Response, made["Ouagadougou"][0]).status = ResponseStatus.IN_PROGRESS
        db.session.commit()
    assert not_counted(app, round_id) == 3
    with app.app_context():
        assert tallies.catch_up(round_id) == tallies.CatchUp(counted=3, left=0)
    assert not_counted(app, round_id) == 0
    assert reciprocity_n(app, round_id) == 1
    assert reciprocity_n(app, round_id, kind="departement") == 1
    assert kept(app, round_id) == fresh(app, round_id)


def test_simultaneous_submissions_leave_the_tallies_right(app, round_id):
    build_round(app, round_id)
    tokens = [t for _ in range(3) for t in create_partnership_invitations(app, round_id)]
    clients = []
    for number, token in enumerate(tokens):
        client = app.test_client()
        fill_everything(client, token, side="home" if number % 2 == 0 else "partner")
        clients.append((client, token, csrf_token(client.get(f"/r/{token}/review").text)))
    statuses = submit_at_once(clients)

    assert statuses == [303] * len(clients)
    assert reciprocity_n(app, round_id) == 3 + len(tokens)
    assert kept(app, round_id) == fresh(app, round_id)


def submitted_on_dashboard(orga, round_id) -> int:
    html = orga.get(f"/o/rounds/{round_id}/dashboard").text
    return int(re.search(r"(\d+) réponses? envoyées? correspond", html).group(1))


def test_the_dashboard_shows_a_submission_a_withdrawal_and_a_reopening_on_its_next_view(app, orga, round_id):
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


def test_a_response_reopened_changed_and_sent_again_is_counted_with_its_new_answers(app, round_id):
    build_round(app, round_id)
    token = create_partnership_invitations(app, round_id)[0]
    client = app.test_client()
    fill_everything(client, token)
    submit(client, token)
    with app.app_context():
        db.session.get(Round, round_id).allow_reopen = True
        db.session.commit()
    page = client.get(f"/r/{token}")
    assert client.post(f"/r/{token}/reopen", data={"csrf_token": csrf_token(page.text)}).status_code == 303
    changed = {code: "1" for code in RECIPROCITY if code in section_data("reciprocity")}
    assert post_section(client, token, "reciprocity", {**section_data("reciprocity"), **changed}).status_code == 303
    assert submit(client, token).status_code == 303

    after = kept(app, round_id)
    assert ("home", "commune", "FR", "Auvergne-Rhône-Alpes", RECIPROCITY[0], "1", 1) in after[0]
    assert after == fresh(app, round_id)


# --- Responses written in bulk, and the catch-up ----------------------------------------------------


def bulk_load(app, round_id, count) -> None:
    with app.app_context():
        add_responses(db.session.get(Round, round_id), count, batch=10, catch_up=False)


def test_responses_written_in_bulk_are_left_out_and_said_until_the_catch_up(app, orga, round_id):
    build_round(app, round_id)
    bulk_load(app, round_id, 25)

    page = orga.get(f"/o/rounds/{round_id}/dashboard").text
    assert "25 réponses ne sont pas encore comptées dans ces chiffres." in page
    assert "Elles comprenaient toutes les réponses le" in page  # the catch-up of build_round
    assert submitted_on_dashboard(orga, round_id) == 4

    counted = orga.post(f"/o/rounds/{round_id}/tallies/catch-up", data={"csrf_token": csrf_token(page)})
    assert counted.status_code == 303
    jobs.wait_for_threads()  # a job (evalapp/jobs/counts.py), in a thread of the web process here
    page = orga.get(counted.location).text
    assert "pas encore comptées" not in page
    assert submitted_on_dashboard(orga, round_id) == 29
    assert kept(app, round_id) == fresh(app, round_id)


def test_reading_the_dashboards_writes_nothing_even_with_responses_not_counted(app, orga, round_id):
    made = build_round(app, round_id)
    bulk_load(app, round_id, 5)
    writes = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    def commit(conn):
        writes.append("COMMIT")

    with app.app_context():
        engine = db.engine
        partnership_id = db.session.get(Invitation, made["Lyon"][1]).partnership_id
    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", commit)
    try:
        for page in ["dashboard", "reciprocity", f"partnerships/{partnership_id}", f"authorities/{made['Lyon'][1]}",
                     "compare", "texts", "stories", "report"]:
            assert orga.get(f"/o/rounds/{round_id}/{page}").status_code == 200, page
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", commit)
    assert writes == []
    assert not_counted(app, round_id) == 5


def test_the_notice_in_english_and_without_a_complete_count_yet(app, orga, round_id):
    bulk_load(app, round_id, 1)
    page = orga.get(f"/o/rounds/{round_id}/dashboard")
    orga.post("/language", data={"csrf_token": csrf_token(page.text), "lang": "en", "next": "/"})
    page = orga.get(f"/o/rounds/{round_id}/dashboard").text
    assert "1 response is not counted in these figures yet." in page
    assert "They last held every response" not in page
    assert "Count them now" in page


def test_a_catch_up_interrupted_midway_resumes_where_it_stopped(app, round_id, monkeypatch):
    build_round(app, round_id)
    bulk_load(app, round_id, 35)
    counting = tallies._count
    batches = []

    def count_then_fail(ids):
        if len(batches) == 2:
            raise RuntimeError("the worker is stopped")
        batches.append(ids)
        counting(ids)

    monkeypatch.setattr(tallies, "_count", count_then_fail)
    with app.app_context(), pytest.raises(RuntimeError):
        tallies.catch_up(round_id, batch=10)
    # Two batches were committed before it stopped; they are in the figures, the rest is said.
    before = sum(len(ids) for ids in batches)
    assert 0 < before <= 20
    assert not_counted(app, round_id) == 35 - before
    with app.app_context():
        assert aggregate.count_submitted(round_id) == 4 + before

    monkeypatch.setattr(tallies, "_count", counting)
    with app.app_context():
        assert tallies.catch_up(round_id, batch=10) == tallies.CatchUp(counted=35 - before, left=0)
    assert not_counted(app, round_id) == 0
    assert kept(app, round_id) == fresh(app, round_id)


def test_a_catch_up_given_no_time_counts_one_batch_and_says_what_is_left(app, round_id):
    bulk_load(app, round_id, 12)
    with app.app_context():
        first = tallies.catch_up(round_id, batch=5, seconds=0)  # a batch: responses of one region
        assert 0 < first.counted <= 5 and first.left == 12 - first.counted
        assert db.session.get(Round, round_id).counted_at is None
        assert tallies.catch_up(round_id, batch=5) == tallies.CatchUp(counted=first.left, left=0)
        assert db.session.get(Round, round_id).counted_at is not None
    assert kept(app, round_id) == fresh(app, round_id)


def test_the_tallies_command_catches_up_and_rebuilds(app, runner, round_id):
    build_round(app, round_id)
    bulk_load(app, round_id, 6)
    result = runner.invoke(args=["tallies", "catch-up"])
    assert result.exit_code == 0, result.output
    assert f"Round {round_id}: counted 6 responses" in result.output
    assert not_counted(app, round_id) == 0
    counted = kept(app, round_id)

    result = runner.invoke(args=["tallies", "rebuild", str(round_id)])
    assert result.exit_code == 0, result.output
    assert f"Round {round_id}: counted 10 responses" in result.output
    assert kept(app, round_id) == counted == fresh(app, round_id)
    assert runner.invoke(args=["tallies", "rebuild", "999"]).output.endswith("no round 999\n")


def test_a_submission_completes_while_a_catch_up_batch_is_being_counted(app, round_id, monkeypatch):
    """PostgreSQL: the catch-up holds its batch's responses, not what respondents need."""
    require_postgresql(app)
    build_round(app, round_id)
    token = create_partnership_invitations(app, round_id)[0]  # home, commune, FR, Auvergne-Rhône-Alpes
    respondent = app.test_client()
    fill_everything(respondent, token)
    bulk_load(app, round_id, 30)  # among them, responses of the same type, country and region

    scoring, inside, go_on = tallies._score, threading.Event(), threading.Event()

    def score_and_wait(ids):
        scoring(ids)
        if threading.current_thread() is catch_up:
            inside.set()
            go_on.wait(timeout=60)

    monkeypatch.setattr(tallies, "_score", score_and_wait)

    def run():
        with app.app_context():
            tallies.catch_up(round_id, batch=10)

    catch_up = threading.Thread(target=run)
    catch_up.start()
    statuses = []
    submission = threading.Thread(target=lambda: statuses.append(submit(respondent, token).status_code))
    try:
        assert inside.wait(timeout=60)
        # The first batch is being counted, its transaction open: the submission goes through meanwhile.
        submission.start()
        submission.join(timeout=30)
        assert statuses == [303]
    finally:
        go_on.set()
        catch_up.join(timeout=60)
        submission.join(timeout=60)
    assert not catch_up.is_alive()
    assert not_counted(app, round_id) == 0
    assert reciprocity_n(app, round_id) == 3 + 1 + 30
    assert kept(app, round_id) == fresh(app, round_id)


def test_submissions_during_a_catch_up_never_deadlock_and_leave_the_figures_right(app, round_id):
    """PostgreSQL, truly at once: respondents submit while two catch-ups count the same round."""
    require_postgresql(app)
    tokens = [t for _ in range(4) for t in create_partnership_invitations(app, round_id)]
    tabs = []
    for number, token in enumerate(tokens):
        client = app.test_client()
        fill_everything(client, token, side="home" if number % 2 == 0 else "partner")
        tabs.append((client, token, csrf_token(client.get(f"/r/{token}/review").text)))
    bulk_load(app, round_id, 60)

    def run():
        with app.app_context():
            tallies.catch_up(round_id, batch=5)

    catch_ups = [threading.Thread(target=run) for _ in range(2)]
    for thread in catch_ups:
        thread.start()
    statuses = submit_at_once(tabs)
    for thread in catch_ups:
        thread.join(timeout=120)

    assert statuses == [303] * len(tabs)
    assert not_counted(app, round_id) == 0
    with app.app_context():
        assert aggregate.count_submitted(round_id) == 60 + len(tokens)
        assert db.session.scalar(select(func.count()).select_from(AnswerTally).where(AnswerTally.n < 0)) == 0
    assert kept(app, round_id) == fresh(app, round_id)


def test_many_responses_are_counted_in_one_statement_whatever_their_number(app, round_id):
    """More ids than a statement may carry as parameters (SQLite 32,766, PostgreSQL 65,535)."""
    build_round(app, round_id)
    with app.app_context():
        lyon = db.session.scalar(select(Response.id).join(Invitation).join(Authority)
                                 .where(Authority.name == "Ville de Lyon"))
        db.session.get(Response, lyon).status = ResponseStatus.IN_PROGRESS
        db.session.flush()
        tallies.refresh([lyon, *range(10**6, 10**6 + 70_000)])
        db.session.commit()
    assert not_counted(app, round_id) == 0
    assert reciprocity_n(app, round_id) == 2
    assert kept(app, round_id) == fresh(app, round_id)


def test_answers_set_aside_are_left_out_of_counts_and_indices(app, organiser_id):
    """cond-v1: AGR_02 (reciprocity) is asked only when AGR_01 is "yes"; the partner answers it on the
    page with "no", without scripts: the answer is kept aside, then comes back when "no" becomes "yes"."""
    round_id = create_cond_round(app, organiser_id)
    tokens = invite_cond(app, round_id)
    client = app.test_client()
    for side, agreement in (("home", "yes"), ("partner", "no")):
        start(client, tokens[side])
        post_section(client, tokens[side], "agreement", {"AGR_01": agreement, "AGR_02": "5"})
        if agreement == "yes":
            post_section(client, tokens[side], "results", {"RES_01": "2"})
        post_section(client, tokens[side], "people", {"HUM_02": "3"})
        assert submit(client, tokens[side]).status_code == 303

    counts, scores = kept(app, round_id)
    assert [(side, value, n) for side, *_facets, code, value, n in counts if code == "AGR_02"] == [("home", "5", 1)]
    with app.app_context():
        responses = dict(db.session.execute(select(Invitation.side, Response.id).join(Response)
                                            .where(Invitation.token.in_([tokens["home"], tokens["partner"]]))).all())
    # Home: reciprocity from AGR_02 = 5 and RES_01 = 2; the partner has no reciprocity item asked.
    assert (responses["home"], "reciprocity", 62.5) in scores
    assert [theme for response_id, theme, _score in scores if response_id == responses["partner"]] == ["human"]
    assert (counts, scores) == fresh(app, round_id)

    with app.app_context():
        reopen(db.session.get(Response, responses["partner"]))
        db.session.commit()
    post_section(client, tokens["partner"], "agreement", {"AGR_01": "yes", "AGR_02": "5"})
    post_section(client, tokens["partner"], "results", {"RES_01": "5"})
    assert submit(client, tokens["partner"]).status_code == 303
    counts, scores = kept(app, round_id)
    assert sorted((side, value, n) for side, *_facets, code, value, n in counts if code == "AGR_02") == [
        ("home", "5", 1), ("partner", "5", 1)]
    assert (responses["partner"], "reciprocity", 100.0) in scores
    assert not_counted(app, round_id) == 0
    assert (counts, scores) == fresh(app, round_id)
