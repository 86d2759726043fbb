"""The dashboards' tallies and scores stay those of the submitted responses, whatever happens to them."""
import re

from sqlalchemy import delete, select, update

from evalapp import tallies
from evalapp.extensions import db
from evalapp.invitations import reissue, revoke
from evalapp.models import AnswerTally, Authority, Invitation, ResponseScore, Round
from evalapp.reporting import aggregate
from evalapp.respond.answers import reopen
from tests.factories import create_partnership_invitations
from tests.reporting.fixtures import RECIPROCITY, build_round
from tests.respond.helpers import csrf_token, fill_everything, post_section, section_data, submit, submit_at_once


def kept(app, round_id) -> tuple[list, list]:
    """The round's tallies and scores as they are now, once made current."""
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        tallies.ensure_current(round_)
        counts = sorted(tuple(row) for row in db.session.execute(
            select(AnswerTally.side, AnswerTally.kind, AnswerTally.country, AnswerTally.region, AnswerTally.item_code,
                   AnswerTally.value, AnswerTally.n).where(AnswerTally.round_id == round_id)))
        # Those of submitted responses: the others' are never read (a resubmission replaces them).
        scores = sorted(tuple(row) for row in db.session.execute(
            select(ResponseScore.response_id, ResponseScore.theme, ResponseScore.score)
            .where(ResponseScore.response_id.in_(aggregate.submitted_ids(round_id)))))
        return counts, scores


def recounted(app, round_id) -> tuple[list, list]:
    """The same, counted afresh from the answers."""
    with app.app_context():
        db.session.execute(update(Round).values(results_stamp=None))
        db.session.execute(delete(ResponseScore))
        db.session.commit()
    return kept(app, round_id)


def stored_stamp_is_current(app, round_id) -> bool:
    with app.app_context():
        return db.session.get(Round, round_id).results_stamp == tallies.results_stamp(round_id)


def reciprocity_n(app, round_id, **filters) -> int:
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        return next(s.n for s in aggregate.theme_summaries(round_, aggregate.Filters(**filters), min_n=1)
                    if s.theme == "reciprocity")


def test_a_submission_adds_its_counts_with_no_recount(app, round_id):
    build_round(app, round_id)
    before = kept(app, round_id)
    token = create_partnership_invitations(app, round_id)[0]
    client = app.test_client()
    fill_everything(client, token)
    assert submit(client, token).status_code == 303

    assert stored_stamp_is_current(app, round_id)
    after = kept(app, round_id)
    assert after != before
    assert after == recounted(app, round_id)
    # The new response scored 4 everywhere: 75 on every theme.
    assert ("home", "commune", "FR", "Auvergne-Rhône-Alpes", RECIPROCITY[0], "4", 1) in after[0]


def test_withdrawing_giving_back_a_link_and_reopening_take_counts_out_and_back_with_no_recount(app, round_id):
    made = build_round(app, round_id)
    assert reciprocity_n(app, round_id) == 3  # Tombouctou answered "don't know" only
    steps = [(revoke, "Lyon", 2), (reissue, "Lyon", 3), (lambda invitation: reopen(invitation.response), "Grenoble", 2)]
    for step, name, expected in steps:
        with app.app_context():
            step(db.session.get(Invitation, made[name][1]))
            db.session.commit()
        assert stored_stamp_is_current(app, round_id), (step, name)
        assert reciprocity_n(app, round_id) == expected
        assert kept(app, round_id) == recounted(app, round_id)


def test_an_authority_moved_to_another_type_is_counted_under_it(app, round_id):
    build_round(app, round_id)
    assert reciprocity_n(app, round_id, kind="commune") == 2
    with app.app_context():
        codes = [c for c in RECIPROCITY[:3]]
        round_ = db.session.get(Round, round_id)
        assert aggregate.distributions(round_, codes, aggregate.Filters(kind="departement"), min_n=1)[codes[0]].n == 0
        lyon = db.session.scalar(select(Authority).where(Authority.name == "Ville de Lyon"))
        lyon.kind = "departement"
        db.session.commit()
    assert reciprocity_n(app, round_id, kind="commune") == 1
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert aggregate.distributions(round_, codes, aggregate.Filters(kind="departement"), min_n=1)[codes[0]].counts == {3: 1}


def test_simultaneous_submissions_leave_the_tallies_right(app, round_id):
    build_round(app, round_id)
    kept(app, round_id)
    tokens = [t for _ in range(3) for t in create_partnership_invitations(app, round_id)]
    clients = []
    for number, token in enumerate(tokens):
        client = app.test_client()
        fill_everything(client, token, side="home" if number % 2 == 0 else "partner")
        clients.append((client, token, csrf_token(client.get(f"/r/{token}/review").text)))
    statuses = submit_at_once(clients)

    assert statuses == [303] * len(clients)
    assert reciprocity_n(app, round_id) == 3 + len(tokens)
    assert kept(app, round_id) == recounted(app, round_id)


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
    kept(app, round_id)
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
    assert after == recounted(app, round_id)
