"""The round's report (findings first, then the detail) and each partnership's report, for both partners."""
import re

import pytest
from sqlalchemy import select

from evalapp import stories
from evalapp.extensions import db
from evalapp.models import Invitation, Round
from tests.reporting.fixtures import build_round
from tests.respond.helpers import csrf_token


@pytest.fixture
def made(app, round_id):
    return build_round(app, round_id)


def _partnership_id(app, made, name="Grenoble"):
    with app.app_context():
        return db.session.scalar(select(Invitation.partnership_id).where(Invitation.id == made[name][1]))


def test_the_report_opens_with_findings_read_from_the_dashboards_figures(orga, round_id, made):
    html = orga.get(f"/o/rounds/{round_id}/report").text
    assert html.index('id="findings-title"') < html.index('id="section-participation"')
    assert "4 des 4 collectivités invitées ont envoyé leurs réponses : un taux de réponse de 100" in html
    # Two authorities on each side: under the small-group rule, counted together, never apart.
    assert "Par côté du partenariat : 4 dans des groupes de moins de 3." in html
    # Reciprocity indices 100, 0 and 50 (Tombouctou has none): mean 50, standard deviation 50, n = 3.
    assert re.search(r'<th scope="row">Réciprocité[^<]*</th><td class="num">50</td><td class="num">50</td>'
                     r'<td class="num">0–100</td><td class="num">3</td>', html)
    # The widest gap, with what it means on that theme.
    assert "Ville de Grenoble – Ville de Ouagadougou : 100 points sur « Réciprocité" in html
    assert "2 partenariats ont les réponses de leurs deux côtés." in html


def test_the_report_is_written_in_the_language_asked_whatever_the_interface(orga, round_id, made):
    html = orga.get(f"/o/rounds/{round_id}/report?lang=en").text
    assert '<html lang="en">' in html
    assert "4 of the 4 authorities invited submitted their answers: a response rate of 100%." in html
    assert "Constats" not in html and ">Findings<" in html
    # The interface itself stays French.
    assert '<html lang="fr">' in orga.get(f"/o/rounds/{round_id}/dashboard").text
    assert orga.get(f"/o/rounds/{round_id}/report?lang=de").text.count('<html lang="fr">') == 1


def test_organisers_choose_sections_and_write_their_own_words_in_both_languages(app, orga, round_id, made):
    options = f"/o/rounds/{round_id}/report/options"
    assert orga.post(options, data={"sections": ["participation"], "intro_fr": "x"}).status_code == 400  # no CSRF
    response = orga.post(options, data={
        "csrf_token": csrf_token(orga.get(options).text), "sections": ["participation", "reciprocity"],
        "intro_fr": "Mot du <b>président</b>", "intro_en": "A word from the mayor", "conclusion_fr": "À suivre.",
        "conclusion_en": ""})
    assert response.status_code == 303
    french = orga.get(f"/o/rounds/{round_id}/report").text
    assert "Mot du &lt;b&gt;président&lt;/b&gt;" in french and "A word from the mayor" not in french
    assert "À suivre." in french
    assert 'id="section-participation"' in french and 'id="section-reciprocity"' in french
    assert 'id="section-choices"' not in french and 'id="choice-PRO_06-data"' not in french
    english = orga.get(f"/o/rounds/{round_id}/report?lang=en").text
    assert "A word from the mayor" in english and ">Conclusion<" not in english
    # The form shows what was saved.
    page = orga.get(options).text
    assert "A word from the mayor" in page and re.search(r'value="choices"\s*>', page)


def test_too_long_own_words_get_a_message_and_nothing_is_saved(app, orga, round_id, made):
    options = f"/o/rounds/{round_id}/report/options"
    response = orga.post(options, data={"csrf_token": csrf_token(orga.get(options).text), "intro_fr": "x" * 3001})
    assert response.status_code == 200 and "field-error" in response.text
    with app.app_context():
        assert db.session.get(Round, round_id).report_intro is None


def test_selected_stories_show_their_authority_unless_anonymity_is_chosen(app, orga, round_id, made):
    with app.app_context():
        stories.set_selected(made["Grenoble"][0], "STO_01", True)
        db.session.commit()
    html = orga.get(f"/o/rounds/{round_id}/report").text
    assert "&lt;img src=x onerror=alert(1)&gt; Notre récit" in html and "— Ville de Grenoble (" in html
    options = f"/o/rounds/{round_id}/report/options"
    orga.post(options, data={"csrf_token": csrf_token(orga.get(options).text), "sections": ["participation"],
                             "stories_anonymous": "y"})
    html = orga.get(f"/o/rounds/{round_id}/report").text
    assert "Notre récit" in html and "— Ville de Grenoble (" not in html


def test_a_partnership_report_sets_both_sides_side_by_side(app, orga, round_id, made):
    pid = _partnership_id(app, made)
    html = orga.get(f"/o/rounds/{round_id}/partnerships/{pid}/report").text
    assert "Ville de Grenoble – Ville de Ouagadougou" in html
    assert "Là où vous divergez le plus" in html and "Ce que signifie un écart" in html
    # Grenoble answered 5 and Ouagadougou 1 on the reciprocity items both scored: a gap of 4, a disagreement.
    assert re.search(r'<td class="num">5</td><td class="num">1</td><td class="num">4</td><td>désaccord</td>', html)
    assert "&lt;img src=x onerror=alert(1)&gt; Notre récit" in html  # Grenoble's story
    assert "Ville de Grenoble – Ville de Ouagadougou" in orga.get(
        f"/o/rounds/{round_id}/partnerships/{pid}/report?lang=en").text
    assert orga.get(f"/o/rounds/{round_id}/partnerships/999999/report").status_code == 404


def test_both_partners_read_their_report_through_their_links_only_when_the_round_shares_it(app, client, round_id, made):
    grenoble, ouagadougou = made["Grenoble"][2], made["Ouagadougou"][2]
    assert client.get(f"/r/{grenoble}/partnership-report").status_code == 404
    assert "partnership-report" not in client.get(f"/r/{grenoble}").text
    with app.app_context():
        db.session.get(Round, round_id).partnership_reports_shared = True
        db.session.commit()
    for token in (grenoble, ouagadougou):
        assert f"/r/{token}/partnership-report" in client.get(f"/r/{token}").text
        html = client.get(f"/r/{token}/partnership-report").text
        assert "Ville de Grenoble – Ville de Ouagadougou" in html and "Notre récit" in html
    client.post(f"/r/{grenoble}/language", data={"csrf_token": csrf_token(client.get(f"/r/{grenoble}").text),
                                                 "lang": "en", "next": f"/r/{grenoble}/partnership-report"})
    assert "Where you differ most" in client.get(f"/r/{grenoble}/partnership-report").text


def test_free_text_answers_are_in_the_partnership_report_only_when_the_round_shares_them(app, orga, round_id):
    made = build_round(app, round_id, extra={"Ouagadougou": [{"item_code": "EVA_08", "text_value": "Un effet inattendu"}]})
    path = f"/o/rounds/{round_id}/partnerships/{_partnership_id(app, made)}/report"
    html = orga.get(path).text
    assert "Un effet inattendu" not in html and "Ce tour ne partage que les récits" in html
    with app.app_context():
        db.session.get(Round, round_id).texts_shared = True
        db.session.commit()
    html = orga.get(path).text
    assert "Un effet inattendu" in html and "Ce tour ne partage que les récits" not in html
