"""Load: many respondents answering at once, on gunicorn with several workers, lose nothing.

24 authorities (12 partnerships, both sides, in French and in English) each fill the whole
questionnaire and submit it over HTTP, 8 at a time, against gunicorn with 3 workers on
127.0.0.1 and the test database. Bounded: every request has a timeout (REQUEST_TIMEOUT in
tests/load/respondent.py), and the whole run a deadline after which the server is stopped. Then no request has failed, and every response
is submitted with exactly the role and answers that were sent.
"""
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Answer, Invitation
from evalapp.questionnaires.definition import DONT_KNOW, OTHER
from evalapp.respond.forms import OTHER_MAX_LENGTH, other_field_name
from tests.factories import create_partnership_invitations, create_round
from tests.load.respondent import AICT, Session, choose_answers, walk
from tests.load.server import gunicorn

PARTNERSHIPS = 12
AT_ONCE = 8
#: Seconds the whole run may take (it takes about 5): then the server is stopped.
DEADLINE = 60
LANGS = ("fr", "en")
ABSENT = object()

#: Item type by the code answers are stored under (matrix cells have their own codes).
TYPE_OF = {code: item.type for item in AICT.items_by_code.values() for code in item.answer_codes}


@pytest.fixture
def server(app):
    # Every respondent comes from 127.0.0.1: the per-address limits are put out of reach,
    # tests/auth/test_rate_limit.py and tests/respond test them.
    settings = {"SECRET_KEY": "load-test", "RATELIMIT_STORAGE_URI": "memory://",
                "NOT_FOUND_LIMIT_PER_ADDRESS": "10000 per minute", "LOGIN_LIMIT_PER_ADDRESS": "10000 per minute"}
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=3, settings=settings) as server:
        yield server


def invitations(app) -> list[tuple[str, str]]:
    """(token, side) of both sides of PARTNERSHIPS partnerships, half of them in English."""
    round_id = create_round(app)
    found = []
    for n in range(PARTNERSHIPS):
        home, partner = create_partnership_invitations(app, round_id, home_lang=LANGS[n % 2],
                                                       partner_lang=LANGS[n // 2 % 2])
        found += [(home, "home"), (partner, "partner")]
    return found


def answer_all(server, respondents: list[tuple[str, str]]) -> tuple[dict, list[str]]:
    """Walk every respondent, AT_ONCE at a time, each with its own session.

    Return the answers given by token, and what went wrong (one line per respondent that did not finish).
    """
    with ThreadPoolExecutor(AT_ONCE) as pool:
        futures = {token: pool.submit(walk, Session(), server.url, token, side, seed)
                   for seed, (token, side) in enumerate(respondents)}
        _, late = wait(futures.values(), timeout=DEADLINE)
        if late:
            for future in late:
                future.cancel()
            # Requests in flight fail at once, so the pool ends now.
            server.stop()
    given = {}
    problems = [f"the run did not end within {DEADLINE} s: the server was stopped"] if late else []
    for token, future in futures.items():
        if future.cancelled():
            problems.append(f"{token}: not started within {DEADLINE} s")
        elif future.exception():
            problems.append(f"{token}: {future.exception()!r}")
        else:
            given[token] = future.result()
    return given, problems


def stored(app) -> dict:
    """Token → (status, role, answers as choose_answers gives them), read from the database."""
    with app.app_context():
        found = {}
        for invitation in db.session.scalars(select(Invitation)):
            response = invitation.response
            values = {}
            for answer in db.session.scalars(select(Answer).where(Answer.response_id == response.id)):
                code, kind = answer.item_code, TYPE_OF[answer.item_code]
                if kind in ("scale", "matrix"):
                    values[code] = DONT_KNOW if answer.dont_know else answer.scale_value
                elif kind == "number":
                    values[code] = answer.number_value
                elif kind in ("short_text", "long_text"):
                    values[code] = answer.text_value
                else:
                    if kind == "single":
                        values[code] = answer.choice
                    else:
                        values[code] = sorted(values.get(code, []) + [answer.choice])
                    if answer.choice == OTHER:
                        values[other_field_name(AICT.items_by_code[code])] = answer.text_value
            found[invitation.token] = (response.status, response.respondent_role, values)
        return found


def differences(given: dict, found: dict) -> list[str]:
    """One line per token and code whose status, role or answer in the database is not what was sent."""
    assert found.keys() == given.keys()
    lines = []
    for token, answers in given.items():
        status, role, values = found[token]
        sent = {"status": "submitted", "role": answers.role, **answers.values}
        kept = {"status": status, "role": role, **values}
        lines += [f"{token} {code}: sent {sent.get(code, 'nothing')!r}, stored {kept.get(code, 'nothing')!r}"
                  for code in sorted(sent.keys() | kept.keys()) if sent.get(code, ABSENT) != kept.get(code, ABSENT)]
    return lines


def test_many_respondents_at_once_lose_no_answer_and_meet_no_error(app, server):
    respondents = invitations(app)
    given, problems = answer_all(server, respondents)

    assert problems == [], "\n".join(problems) + "\n\ngunicorn's log:\n" + server.log()[-5000:]
    assert len(given) == 2 * PARTNERSHIPS
    assert differences(given, stored(app)) == []


def test_generated_answers_are_the_same_for_a_seed_and_varied_across_seeds():
    assert choose_answers(7, "home") == choose_answers(7, "home")
    assert choose_answers(7, "home") != choose_answers(8, "home")
    assert "CTX_07" in choose_answers(7, "home").values and "CTX_07" not in choose_answers(7, "partner").values

    # As in the load test: respondent n has seed n; sides alternate.
    answers = [choose_answers(seed, side) for seed, side in enumerate(("home", "partner") * PARTNERSHIPS)]
    values = [value for a in answers for value in a.values.values()]
    texts = [(code, v) for a in answers for code, v in a.values.items()
             if code.endswith("__other") or TYPE_OF[code] in ("short_text", "long_text")]
    assert len({a.role for a in answers}) == 4
    assert {DONT_KNOW, 1, 2, 3, 4, 5} <= {v for v in values if isinstance(v, int | str)}
    assert any(isinstance(v, float) and v != int(v) for v in values)
    assert any(OTHER in v for v in values if isinstance(v, list)) and OTHER in values
    for special in ("é", "<", '"', "'", "=", "\r\n", "😀"):
        assert any(special in text for _, text in texts)
    assert any(len(text) == limit_of(code) for code, text in texts), "a text at its length limit"
    # Required questions are always answered, optional ones sometimes left out.
    home_codes = {code for s in AICT.sections_for("home") for i in s.items_for("home") for code in i.answer_codes}
    required = {item.code for item in AICT.items_by_code.values() if item.required}
    assert all(required <= set(a.values) for a in answers)
    assert any(home_codes - set(a.values) for a in answers[::2])


def limit_of(code: str) -> int:
    item = AICT.items_by_code.get(code)
    return item.text_limit if item else OTHER_MAX_LENGTH
