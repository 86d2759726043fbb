"""Rounds of two versions of a questionnaire compared (tests/questionnaires/definitions/twin-v1.yaml, twin-v2.yaml).

twin v2 keeps REL_01, PEO_01 and PEO_02; REL_02 of v1 became REL_03; ORG_01 (a new theme) is only in v2.
Grenoble, Lyon and Nantes answer both rounds, Brest only the first: it is left out of the comparison.
"""
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from evalapp import tallies
from evalapp.clock import today
from evalapp.extensions import db
from evalapp.invitations import invite
from evalapp.models import Answer, Authority, ResponseStatus, Round
from evalapp.models.base import utcnow
from evalapp.questionnaires.loader import load_all, read_definition
from evalapp.reporting import aggregate
from evalapp.reporting.versions import compare_versions

DEFINITIONS = Path(__file__).parent.parent / "questionnaires" / "definitions"

FIRST = {
    "Grenoble": {"REL_01": 5, "REL_02": 5, "PEO_01": 4, "PEO_02": 1},
    "Lyon": {"REL_01": 3, "REL_02": 1, "PEO_01": 4, "PEO_02": 2},
    "Nantes": {"REL_01": 4, "REL_02": 4, "PEO_01": 2, "PEO_02": 3},
    "Brest": {"REL_01": 1, "REL_02": 1, "PEO_01": 1, "PEO_02": 1},
}
SECOND = {
    "Grenoble": {"REL_01": 4, "REL_03": 5, "PEO_01": 5, "PEO_02": 3},
    "Lyon": {"REL_01": 2, "REL_03": 2, "PEO_01": 4, "PEO_02": 4},
    "Nantes": {"REL_01": 3, "REL_03": 2, "PEO_01": 3, "PEO_02": 5, "ORG_01": 4},
}


def twin_round(app, version: int, title: str, answers: dict, organiser_id: int, opens_in_days: int) -> int:
    """A round of twin ``version`` where each authority named submitted ``answers`` (scores by code)."""
    with app.app_context():
        stored = next(r.version for r in load_all(DEFINITIONS) if r.version.code == "twin" and r.version.version == version)
        round_ = Round(questionnaire_version=stored, title=title, owner_id=organiser_id,
                       opens_on=today() + timedelta(days=opens_in_days), closes_on=today() + timedelta(days=30))
        db.session.add(round_)
        for name, scores in answers.items():
            authority = db.session.scalar(select(Authority).where(Authority.name == f"Ville de {name}")) \
                or Authority(name=f"Ville de {name}", kind="commune", country="FR")
            response = invite(round_, authority).response
            response.status, response.submitted_at = ResponseStatus.SUBMITTED, utcnow()
            db.session.add_all(Answer(response=response, item_code=code, scale_value=value) for code, value in scores.items())
        db.session.commit()
        tallies.catch_up(round_.id)  # written directly: counted by the catch-up
        return round_.id


@pytest.fixture
def two_rounds(app, organiser_id):
    first = twin_round(app, 1, "Tour <b>2025</b>", FIRST, organiser_id, opens_in_days=-400)
    second = twin_round(app, 2, "Tour 2026", SECOND, organiser_id, opens_in_days=-5)
    return first, second


def test_versions_share_the_codes_that_kept_their_meaning():
    compared = compare_versions({v: read_definition(DEFINITIONS / f"twin-v{v}.yaml") for v in (1, 2)})
    assert compared.shared == ["REL_01", "PEO_01", "PEO_02"]
    assert compared.apart == [((1,), ["REL_02"]), ((2,), ["REL_03", "ORG_01"])]
    # The human factor is made of the same items in both: no note. The others differ.
    assert compared.themes == {"reciprocity": [((1,), ["REL_02"]), ((2,), ["REL_03"])],
                               "organisation": [((2,), ["ORG_01"])]}


def test_items_and_themes_are_compared_over_the_authorities_that_answered_both(app, two_rounds):
    first, second = two_rounds
    with app.app_context():
        rounds = [db.session.get(Round, first), db.session.get(Round, second)]
        items = aggregate.items_compared(rounds, ["REL_01", "PEO_02"], min_n=3)
        themes = aggregate.rounds_compared(rounds, min_n=3)
        hidden = aggregate.items_compared(rounds, ["REL_01"], min_n=4)
    # Brest answered only the first round: 4.00, not 3.25.
    assert items[first]["REL_01"] == (pytest.approx(4), 3) and items[second]["REL_01"] == (pytest.approx(3), 3)
    assert items[first]["PEO_02"] == (pytest.approx(2), 3) and items[second]["PEO_02"] == (pytest.approx(4), 3)
    assert themes[first]["reciprocity"] == (pytest.approx(200 / 3), 3)
    assert themes[second]["reciprocity"] == (pytest.approx(50), 3)
    assert hidden[first]["REL_01"] == (None, 3)
