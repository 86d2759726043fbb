"""A questionnaire with conditions, as a respondent walks it: what is asked, required, counted, reviewed."""
import re

import pytest
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Answer, Invitation, Response
from tests.respond.conditional import create_cond_round, invite_cond
from tests.respond.helpers import csrf_token, post_section, start, submit


@pytest.fixture
def cond_tokens(app, organiser_id):
    return invite_cond(app, create_cond_round(app, organiser_id), lang="en")


def shown(html: str, code: str) -> bool:
    return f'id="q-{code}"' in html


def test_the_first_page_shows_what_the_invitation_is_asked(client, cond_tokens):
    pages = {}
    for who, token in cond_tokens.items():
        start(client, token)
        pages[who] = client.get(f"/r/{token}/p/agreement").text
    # A number asked only within a partnership; a question for the partner side only.
    assert shown(pages["home"], "AGR_05") and not shown(pages["alone"], "AGR_05")
    assert shown(pages["partner"], "AGR_06") and not shown(pages["home"], "AGR_06")
    # Depending on an answer of the same page: drawn, with a note saying when to answer it.
    assert shown(pages["home"], "AGR_02")
    assert "Answer only if you answered “Yes” to AGR_01." in pages["home"]
    assert "Answer only if you ticked “Culture” in AGR_03." in pages["home"]


def test_an_authority_invited_on_its_own_is_welcomed_without_a_partner(client, cond_tokens):
    pages = {who: client.get(f"/r/{token}").text for who, token in cond_tokens.items()}
    for who in ("home", "partner"):
        assert "Some questions depend on your answers and on your partner." in pages[who]
        assert "None is about a partner." not in pages[who]
    assert "Some questions depend on your answers. None is about a partner." in pages["alone"]
    assert "on your partner" not in pages["alone"]


def test_an_answer_on_an_earlier_page_skips_a_page_and_its_step(app, client, cond_tokens):
    token = cond_tokens["home"]
    start(client, token)
    page = client.get(f"/r/{token}/p/agreement").text
    # The page "results" waits for AGR_01: agreement, people, review.
    assert "Step 1 of 3" in page

    saved = post_section(client, token, "agreement", {"AGR_01": "no", "AGR_03": "water"})
    assert saved.status_code == 303 and saved.location.endswith("/p/people")
    people = client.get(f"/r/{token}/p/people").text
    assert "Step 2 of 3" in people and "What the agreement achieved" not in people
    assert shown(people, "HUM_03") and not shown(people, "HUM_01")
    # The skipped page, asked for by its address, leads on to the next page asked.
    skipped = client.get(f"/r/{token}/p/results")
    assert skipped.status_code == 303 and skipped.location.endswith("/p/people")
    # Sent from a copy drawn before AGR_01 changed, it is not saved, and the respondent is told so.
    drawn = client.get(f"/r/{token}/p/people").text
    sent = client.post(f"/r/{token}/p/results", data={"csrf_token": csrf_token(drawn), "action": "next", "RES_01": "4"})
    assert sent.status_code == 303 and sent.location.endswith("/p/people")
    assert "no longer asked, given an answer changed since on another page" in client.get(sent.location).text
    assert "RES_01" not in stored(app, token)

    post_section(client, token, "agreement", {"AGR_01": "yes", "AGR_02": "4"})
    assert "Step 2 of 4" in client.get(f"/r/{token}/p/results").text
    people = client.get(f"/r/{token}/p/people").text
    # Chained: HUM_01 depends on AGR_02 (at least 3), itself asked since AGR_01 is "yes".
    assert shown(people, "HUM_01") and not shown(people, "HUM_03")


def test_a_required_question_not_asked_is_not_required(client, cond_tokens):
    token = cond_tokens["home"]
    start(client, token)
    post_section(client, token, "agreement", {"AGR_01": "yes"})
    refused = submit(client, token)
    assert refused.status_code == 422
    # AGR_02 and RES_01 are required once AGR_01 is "yes".
    assert "Both sides keep to the agreement." in refused.text and "The agreement changed the relationship." in refused.text
    check = client.get(f"/r/{token}/p/agreement?check=1").text
    assert "This question must be answered before submitting." in check

    post_section(client, token, "agreement", {"AGR_01": "no"})
    assert "This question must be answered before submitting." not in client.get(f"/r/{token}/p/agreement?check=1").text
    submitted = submit(client, token)
    assert submitted.status_code == 303
    assert "Thank you: your answers have been submitted." in client.get(submitted.location).text


def test_the_review_lists_only_what_is_asked(client, cond_tokens):
    token = cond_tokens["home"]
    start(client, token)
    post_section(client, token, "agreement", {"AGR_01": "no", "AGR_03": "culture", "AGR_04": "Festival"})
    review = client.get(f"/r/{token}/review").text
    assert "Which cultural project?" in review and "Festival" in review
    assert "Both sides keep to the agreement." not in review and "The agreement changed the relationship." not in review
    assert "Is an agreement planned?" in review
    assert "Step 3 of 3" in review


def test_scripts_off_the_server_ignores_an_answer_whose_condition_on_the_page_does_not_hold(client, cond_tokens):
    token = cond_tokens["home"]
    start(client, token)
    # Without scripts, AGR_02 is on the page: answered although AGR_01 says "no".
    post_section(client, token, "agreement", {"AGR_01": "no", "AGR_02": "5"})
    review = client.get(f"/r/{token}/review").text
    assert "Both sides keep to the agreement." not in review
    assert shown(client.get(f"/r/{token}/p/people").text, "HUM_03")  # AGR_01 "no", whatever AGR_02 says


def test_the_language_of_the_note_follows_the_page(client, app, organiser_id):
    token = invite_cond(app, create_cond_round(app, organiser_id), lang="fr")["home"]
    page = client.get(f"/r/{token}")
    client.post(f"/r/{token}/start", data={"csrf_token": csrf_token(page.text), "respondent_role": "elected"})
    assert "Répondez seulement si vous avez répondu « Oui » à AGR_01." in client.get(f"/r/{token}/p/agreement").text


def stored(app, token) -> dict[str, tuple]:
    """The answers stored for the response of ``token``: code -> (value, set aside)."""
    with app.app_context():
        rows = db.session.execute(
            select(Answer.item_code, Answer.scale_value, Answer.choice, Answer.set_aside)
            .join(Response).join(Invitation).where(Invitation.token == token))
        return {code: (scale if scale is not None else choice, aside) for code, scale, choice, aside in rows}


def test_an_answer_no_longer_asked_is_kept_aside_and_comes_back(app, client, cond_tokens):
    token = cond_tokens["home"]
    start(client, token)
    post_section(client, token, "agreement", {"AGR_01": "yes", "AGR_02": "5"})
    post_section(client, token, "results", {"RES_01": "4", "RES_02": "The mayors met."})
    assert stored(app, token)["RES_01"] == (4, False)

    post_section(client, token, "agreement", {"AGR_01": "no", "AGR_02": "5"})
    answers = stored(app, token)
    # Not deleted: set aside, the same-page AGR_02 and the later page's RES_01 and RES_02 alike.
    assert answers["AGR_02"] == (5, True) and answers["RES_01"] == (4, True) and answers["RES_02"][1]
    assert answers["AGR_01"] == ("no", False)
    review = client.get(f"/r/{token}/review").text
    assert "The mayors met." not in review

    post_section(client, token, "agreement", {"AGR_01": "yes", "AGR_02": "5"})
    assert not any(aside for _value, aside in stored(app, token).values())
    results = client.get(f"/r/{token}/p/results").text
    assert re.search(r'value="4"\s+checked', results)
    assert "The mayors met." in client.get(f"/r/{token}/review").text


def test_every_page_of_a_round_works_on_a_questionnaire_without_all_four_scored_themes(app, client, orga,
                                                                                       organiser_id):
    """cond-v1 has two of the four scored themes: the dashboards, the report and the respondent's results chart
    the themes it has (each page answered 500 before)."""
    round_id = create_cond_round(app, organiser_id)
    tokens = invite_cond(app, round_id, lang="en")
    for side in ("home", "partner"):
        token = tokens[side]
        start(client, token)
        post_section(client, token, "agreement", {"AGR_01": "no"})
        post_section(client, token, "people", {"HUM_02": "3"})
        assert submit(client, token).status_code == 303
    with app.app_context():
        from evalapp.models import Round

        db.session.get(Round, round_id).results_visible = True
        home = db.session.scalar(select(Invitation).where(Invitation.token == tokens["home"]))
        invitation_id, partnership_id = home.id, home.partnership_id
        db.session.commit()
    r = f"/o/rounds/{round_id}"
    for path in [f"{r}/dashboard", f"{r}/dashboard?side=home", f"{r}/reciprocity", f"{r}/report", f"{r}/texts",
                 f"{r}/stories", f"{r}/authorities/{invitation_id}", f"{r}/partnerships/{partnership_id}",
                 f"{r}/compare", f"{r}/export"]:
        page = orga.get(path)
        assert page.status_code == 200, path
    assert "Facteur humain" in orga.get(f"{r}/dashboard").text  # its themes' indices are charted
    assert client.get(f"/r/{tokens['home']}/results").status_code == 200
