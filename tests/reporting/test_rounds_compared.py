"""Rounds of two versions of a questionnaire compared (tests/questionnaires/definitions/twin-v1.yaml, twin-v2.yaml).

twin v2 keeps REL_01, PEO_01 and PEO_02; REL_02 of v1 became REL_03; ORG_01 (a new theme) is only in v2.
Grenoble, Lyon and Nantes answer both rounds, Brest only the first: it is left out of the comparison.
"""
import re
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
from tests.respond.helpers import csrf_token

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


def test_the_comparison_page_compares_items_notes_themes_and_lists_the_rest_apart(app, orga, two_rounds):
    first, second = two_rounds
    html = orga.get(f"/o/rounds/{second}/compare?with={first}").text
    # The rounds, each with its version; the organiser's round title is text, not markup.
    assert "Tour &lt;b&gt;2025&lt;/b&gt; (version 1)" in html and "<b>2025" not in html
    # Theme indices, with a note under the chart for each theme the versions make of other items.
    notes = re.search(r'<ul class="chart-notes">(.*?)</ul>', html, re.S).group(1)
    assert ("Réciprocité : les versions ne composent pas cet indice des mêmes questions ; comparez-le avec prudence. "
            "Seulement dans la version 1 : REL_02. Seulement dans la version 2 : REL_03.") in notes
    # ORG_01 is the organisational index's only item, in v2 only: nothing to compare it with.
    assert ("Changements dans la collectivité : les versions n&#39;ont aucune question de cet indice en commun ; ses "
            "valeurs ne se comparent pas d&#39;une version à l&#39;autre. Seulement dans la version 2 : ORG_01.") in notes
    assert "Facteur humain" not in notes
    assert re.search(r'<th scope="row">Tour &lt;b&gt;2025&lt;/b&gt; \(version 1\)</th><td>67 \(n = 3\)</td>', html)
    # Item by item: the codes both versions have, over the same authorities.
    table = html[html.index('id="items-compared"'):html.index('id="items-apart"')]
    assert re.search(r'REL_01</span> Les décisions sont prises ensemble.</th>\s*'
                     r'<td class="num">4,00 \(n = 3\)</td><td class="num">3,00 \(n = 3\)</td>', table)
    assert re.search(r'PEO_02</span> [^<]*</th>\s*<td class="num">2,00 \(n = 3\)</td><td class="num">4,00 \(n = 3\)</td>',
                     table)
    assert "REL_02" not in table and "REL_03" not in table and "ORG_01" not in table
    # The items only one version asked, listed apart with their question.
    apart = html[html.index('id="items-apart"'):]
    assert re.search(r"<h4>Seulement dans la version 1</h4>\s*<ul[^>]*><li><span class=\"code\">REL_02</span> "
                     r"Les objectifs et le budget sont fixés ensemble.</li></ul>", apart)
    assert re.search(r"<h4>Seulement dans la version 2</h4>\s*<ul[^>]*><li><span class=\"code\">REL_03</span>", apart)


def test_the_comparison_page_hides_small_groups_and_speaks_english(app, orga, two_rounds):
    first, second = two_rounds
    app.config["MIN_GROUP_SIZE"] = 4
    page = orga.get(f"/o/rounds/{second}/compare?with={first}")
    assert '<td class="num">— (n &lt; 4)</td>' in page.text and "4,00" not in page.text
    orga.post("/language", data={"csrf_token": csrf_token(page.text), "lang": "en", "next": "/"})
    app.config["MIN_GROUP_SIZE"] = 3
    html = orga.get(f"/o/rounds/{second}/compare?with={first}").text
    assert ("Reciprocity: the versions do not make this index of the same items; compare it with care. "
            "Only in version 1: REL_02. Only in version 2: REL_03.") in html
    assert '<td class="num">4.00 (n = 3)</td>' in html and "<h4>Only in version 2</h4>" in html


def test_rounds_of_one_version_are_compared_without_notes(app, orga, organiser_id):
    first = twin_round(app, 2, "Tour 2025", SECOND, organiser_id, opens_in_days=-400)
    second = twin_round(app, 2, "Tour 2026", SECOND, organiser_id, opens_in_days=-5)
    html = orga.get(f"/o/rounds/{second}/compare?with={first}").text
    assert 'id="rounds-data"' in html and "chart-notes" not in html and 'id="items-apart"' not in html
    assert '<td class="num">3,00 (n = 3)</td><td class="num">3,00 (n = 3)</td>' in html
