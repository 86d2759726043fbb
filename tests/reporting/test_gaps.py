"""What a gap between the two sides means, on the reciprocity pages: said by the file (twin v2), read for aict v1."""
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from evalapp import tallies
from evalapp.clock import today
from evalapp.extensions import db
from evalapp.invitations import invite
from evalapp.models import Answer, Authority, Invitation, Partnership, ResponseStatus, Round
from evalapp.models.base import utcnow
from evalapp.questionnaires.loader import load_all, read_definition
from evalapp.reporting.gaps import ThemeGaps, gap_meanings, reads_aict_v1, theme_gaps
from tests.reporting.fixtures import build_round
from tests.respond.helpers import AICT, csrf_token

DEFINITIONS = Path(__file__).parent.parent / "questionnaires" / "definitions"


def test_aict_v1_is_read_item_by_item_as_its_wording_says():
    meanings = gap_meanings(AICT)
    assert reads_aict_v1(AICT)
    relationship = ["REC_01", "REC_02", "REC_09", "IMP_01_SOC_BTW", "IMP_01_CUL_BTW", "IMP_05", "IMP_06"]
    territory = ["REC_10", "REC_11", "IMP_01_SOC_TER", "IMP_01_ECO_NAT", "IMP_02", "IMP_04", "HUM_01", "HUM_06", "ORG_01"]
    assert {code: meanings[code] for code in relationship} == dict.fromkeys(relationship, "relationship")
    assert {code: meanings[code] for code in territory} == dict.fromkeys(territory, "territory")
    assert "REC_12" not in meanings and "CTX_09" not in meanings  # not scored, or asked of one side only
    assert theme_gaps(AICT) == {"reciprocity": ThemeGaps(9, 2, 0), "impact": ThemeGaps(6, 11, 0),
                                "human": ThemeGaps(0, 7, 0), "organisation": ThemeGaps(0, 10, 0)}


def test_a_file_says_it_and_a_file_that_does_not_is_not_guessed():
    second = read_definition(DEFINITIONS / "twin-v2.yaml")
    assert not reads_aict_v1(second)
    assert gap_meanings(second) == {"REL_01": "relationship", "REL_03": "relationship", "PEO_01": "territory",
                                    "PEO_02": "territory", "ORG_01": None}
    assert set(gap_meanings(read_definition(DEFINITIONS / "twin-v1.yaml")).values()) == {None}


@pytest.fixture
def made(app, round_id):
    return build_round(app, round_id, extra={"Grenoble": [{"item_code": "HUM_06", "scale_value": 5}],
                                             "Ouagadougou": [{"item_code": "HUM_06", "scale_value": 1}]})


def partnership_of(app, invitation_id) -> int:
    with app.app_context():
        return db.session.get(Invitation, invitation_id).partnership_id


def groups_of(html: str) -> dict[str, str]:
    """The item table's groups: {heading: the group's rows}."""
    return {re.sub(r"<[^>]+>", "", heading).strip(): rows for heading, rows in re.findall(
        r'<tbody class="gap-group">\s*<tr><th scope="rowgroup" colspan="4">(.*?)</th></tr>(.*?)</tbody>', html, re.S)}


def test_the_reciprocity_page_says_what_each_themes_gap_means(orga, round_id, made):
    html = orga.get(f"/o/rounds/{round_id}/reciprocity").text
    legend = html[html.index('class="gap-legend"'):html.index("</section>", html.index('class="gap-legend"'))]
    assert "<dt>Désaccord</dt><dd>Les deux côtés décrivent une même relation" in legend
    assert "<dt>Bénéfices inégaux</dt><dd>Chaque côté décrit son propre territoire" in legend
    # aict v1 does not say it: the page says how it is read.
    assert "La version 1 de ce questionnaire ne précise pas ce que signifient ses écarts" in legend
    notes = re.search(r'<ul class="chart-notes">(.*?)</ul>', html, re.S).group(1)  # under the ranking
    assert "L&#39;écart moyen additionne des écarts qui ne signifient pas la même chose" in notes
    assert ("Réciprocité et égalité des rapports : 9 de ses 11 questions décrivent la relation commune (un écart y "
            "signifie un désaccord), 2 le territoire de chaque côté (des bénéfices inégaux).") in notes
    assert ("Facteur humain : ses questions décrivent le territoire de chaque côté ; un écart y signifie donc des "
            "bénéfices inégaux.") in notes
    # Each partnership's table says it theme by theme.
    assert "Changements sur les territoires : 6 de ses 17 questions décrivent la relation commune" in notes
    assert re.search(r"<th scope=\"row\">Réciprocité et égalité des rapports</th>"
                     r"<td>100</td><td>0</td><td>100</td><td>mixte</td>", html)
    assert re.search(r"<th scope=\"row\">Facteur humain</th>(<td>[^<]*</td>){3}<td>bénéfices inégaux</td>", html)
    report = orga.get(f"/o/rounds/{round_id}/report").text  # printed, it says the same
    assert "<dt>Bénéfices inégaux</dt>" in report and "La version 1 de ce questionnaire ne précise pas" in report


def test_the_partnership_page_groups_items_by_what_their_gap_means(app, orga, round_id, made):
    with app.app_context():
        db.session.scalar(select(Authority).where(Authority.name == "Ville de Grenoble")).name = "<script>x</script> Grenoble"
        db.session.commit()
    page = orga.get(f"/o/rounds/{round_id}/partnerships/{partnership_of(app, made['Grenoble'][1])}")
    assert "<script>x" not in page.text and "&lt;script&gt;x&lt;/script&gt; Grenoble" in page.text
    groups = groups_of(page.text)
    assert list(groups) == ["Désaccord — Les deux côtés décrivent une même relation : un écart signifie qu&#39;ils la "
                            "voient différemment.",
                            "Bénéfices inégaux — Chaque côté décrit son propre territoire (ses habitants, ses services, "
                            "son organisation) : un écart signifie que le partenariat leur profite inégalement, et non "
                            "qu&#39;ils sont en désaccord."]
    disagreement, unequal = groups.values()
    for code in ("REC_02", "IMP_01_SOC_BTW", "IMP_05", "IMP_06"):
        assert f'<span class="code">{code}</span>' in disagreement and f'<span class="code">{code}</span>' not in unequal
    for code in ("REC_10", "IMP_01_SOC_TER", "HUM_06"):
        assert f'<span class="code">{code}</span>' in unequal and f'<span class="code">{code}</span>' not in disagreement
    # HUM_06: Grenoble 5, Ouagadougou 1, a gap of 4 between two territories.
    assert re.search(r'HUM_06</span>[^<]*</th>\s*<td class="num">5</td>\s*<td class="num">1</td>\s*<td class="num">4</td>',
                     unequal)
    assert "La version 1 de ce questionnaire ne précise pas" in page.text
    orga.post("/language", data={"csrf_token": csrf_token(page.text), "lang": "en", "next": "/"})
    english = orga.get(f"/o/rounds/{round_id}/partnerships/{partnership_of(app, made['Grenoble'][1])}").text
    assert list(groups_of(english))[0].startswith("Disagreement — Both sides describe one shared relationship")
    assert ("Reciprocity and equality of the relationship: 9 of its 11 items describe the shared relationship "
            "(a gap there means disagreement)") in english
    assert "Version 1 of this questionnaire does not say what its gaps mean" in english


def test_a_questionnaire_that_says_it_is_read_as_it_says(app, orga, organiser_id):
    """twin v2: REL_* describe the relationship, PEO_* each territory, ORG_01 does not say."""
    with app.app_context():
        version = next(r.version for r in load_all(DEFINITIONS) if r.version.code == "twin" and r.version.version == 2)
        round_ = Round(questionnaire_version=version, title="Tour jumelage", owner_id=organiser_id,
                       opens_on=today() - timedelta(days=5), closes_on=today() + timedelta(days=30))
        pair = Partnership(home_authority=Authority(name="Ville de Grenoble", kind="commune", country="FR"),
                           partner_authority=Authority(name="Ville d'Essen", kind="foreign_municipality", country="DE"))
        db.session.add_all([round_, pair])
        for authority, value in ((pair.home_authority, 5), (pair.partner_authority, 2)):
            response = invite(round_, authority, pair).response
            response.status, response.submitted_at = ResponseStatus.SUBMITTED, utcnow()
            db.session.add_all(Answer(response=response, item_code=code, scale_value=value)
                               for code in ("REL_01", "REL_03", "PEO_01", "PEO_02", "ORG_01"))
        db.session.commit()
        round_id, pair_id = round_.id, pair.id
        tallies.catch_up(round_id)
    page = orga.get(f"/o/rounds/{round_id}/partnerships/{pair_id}").text
    groups = groups_of(page)
    assert [heading.split(" — ")[0] for heading in groups] == ["Désaccord", "Bénéfices inégaux", "Non précisé"]
    assert [re.findall(r'class="code">(\w+)<', rows) for rows in groups.values()] == [
        ["REL_01", "REL_03"], ["PEO_01", "PEO_02"], ["ORG_01"]]
    assert "ne précise pas ce que signifient ses écarts :" not in page  # no reading of aict v1 here
    assert "Changements dans la collectivité : le questionnaire ne précise pas ce que signifient ses écarts." in page
    reciprocity = orga.get(f"/o/rounds/{round_id}/reciprocity").text
    assert ("Réciprocité : ses questions décrivent la relation commune aux deux côtés ; un écart y signifie donc un "
            "désaccord.") in reciprocity
    assert re.search(r"<th scope=\"row\">Changements dans la collectivité</th>(<td>[^<]*</td>){3}<td>non précisé</td>",
                     reciprocity)
