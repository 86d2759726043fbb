"""Dashboard pages as an organiser (and an authority) sees them."""
import csv
import io
import json
import re

import pytest

from evalapp.extensions import db
from evalapp.models import Authority, Round
from tests.reporting.fixtures import build_round
from tests.respond.helpers import csrf_token


@pytest.fixture
def made(app, round_id):
    return build_round(app, round_id)


def test_dashboard_draws_every_chart_from_local_plotly_once(orga, round_id, made):
    page = orga.get(f"/o/rounds/{round_id}/dashboard")
    assert page.status_code == 200
    html = page.text
    assert len(re.findall(r'<script src="/assets/plotly-[\d.]+\.min\.js">', html)) == 1
    assert '<script src="/static/js/charts.js">' in html
    for chart_id in ("status", "rate", "themes", "items-reciprocity", "impact-matrix", "choice-PRO_06"):
        assert f'id="{chart_id}-data"' in html and f'data-figure="{chart_id}-data"' in html, chart_id
    # Nothing comes from another site, and no inline script runs.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert not re.search(r"<script>(?!\s*$)", html)
    assert "4 réponses envoyées correspondent aux filtres." in html


def test_filters_are_kept_in_the_url_and_change_the_figures(orga, round_id, made):
    html = orga.get(f"/o/rounds/{round_id}/dashboard?country=FR").text
    assert "2 réponses envoyées correspondent aux filtres." in html
    assert '<option value="FR" selected>' in html
    assert f"/o/rounds/{round_id}/report?country=FR" in html


def test_small_groups_are_hidden_in_tables_too(orga, round_id, made):
    html = orga.get(f"/o/rounds/{round_id}/dashboard?country=FR").text
    # Two respondents: below the threshold of 3, the theme table says so instead of a mean.
    assert re.search(r"<th scope=\"row\">Réciprocité[^<]*</th><td>&lt; 3</td><td>—</td>", html)


def test_script_bearing_answers_are_inert_in_pages_and_charts(app, orga, round_id, made):
    with app.app_context():
        authority = db.session.scalar(db.select(Authority).where(Authority.name == "Ville de Grenoble"))
        authority.name = '<script>alert("x")</script> Grenoble'
        db.session.commit()
    for path in ("dashboard", "reciprocity", "texts", "stories", "report"):
        html = orga.get(f"/o/rounds/{round_id}/{path}").text
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>Réseau" not in html, path
    texts = orga.get(f"/o/rounds/{round_id}/texts").text
    assert "&lt;img src=x onerror=alert(1)&gt; Notre récit" in texts
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Grenoble" in texts
    assert "Ville de Grenoble" not in orga.get(f"/o/rounds/{round_id}/texts?anonymous=1").text


def test_free_texts_are_searchable(orga, round_id, made):
    assert "Notre récit" in orga.get(f"/o/rounds/{round_id}/texts?q=notre").text
    assert "Notre récit" not in orga.get(f"/o/rounds/{round_id}/texts?q=absent").text


def test_reciprocity_and_partnership_pages(orga, round_id, made):
    html = orga.get(f"/o/rounds/{round_id}/reciprocity").text
    assert 'id="gap-ranking-data"' in html and html.count('id="pair-') >= 2
    from sqlalchemy import select

    from evalapp.models import Invitation

    with orga.application.app_context():
        pid = db.session.scalar(select(Invitation.partnership_id).where(Invitation.id == made["Grenoble"][1]))
    page = orga.get(f"/o/rounds/{round_id}/partnerships/{pid}")
    assert page.status_code == 200 and "Ville de Ouagadougou" in page.text and "REC_02" in page.text
    assert orga.get(f"/o/rounds/{round_id}/partnerships/999999").status_code == 404


def test_authority_page_compares_with_average_and_partner(orga, round_id, made):
    html = orga.get(f"/o/rounds/{round_id}/authorities/{made['Grenoble'][1]}").text
    assert "Moyenne du tour" in html and "Ville de Ouagadougou" in html and 'id="radar-data"' in html


def test_an_authority_sees_its_results_only_when_allowed(app, round_id, made):
    respondent = app.test_client()
    token = made["Grenoble"][2]
    assert respondent.get(f"/r/{token}/results").status_code == 404
    with app.app_context():
        db.session.get(Round, round_id).results_visible = True
        db.session.commit()
    assert "Voir vos résultats" in respondent.get(f"/r/{token}").text
    html = respondent.get(f"/r/{token}/results").text
    assert 'id="radar-data"' in html and "Moyenne du tour" in html
    assert "Ouagadougou" not in html  # the partner's answers stay with the organisers


def test_stories_are_tagged_selected_counted_and_exported(orga, round_id, made):
    page = orga.get(f"/o/rounds/{round_id}/stories")
    assert "Notre récit" in page.text
    token = csrf_token(page.text)
    story = {"csrf_token": token, "response_id": made["Grenoble"][0], "item_code": "STO_01", "i": 0}
    orga.post(f"/o/rounds/{round_id}/stories", data={**story, "action": "tag", "tag": "Eau potable"})
    orga.post(f"/o/rounds/{round_id}/stories", data={**story, "action": "tag", "tag": "jeunesse"})
    orga.post(f"/o/rounds/{round_id}/stories", data={**story, "action": "select"})
    html = orga.get(f"/o/rounds/{round_id}/stories").text
    assert "eau potable" in html and "Retenu par le panel" in html and 'id="tags-data"' in html
    export = orga.get(f"/o/rounds/{round_id}/stories.csv")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1] == "Ville de Grenoble" and rows[1][4] == "eau potable, jeunesse"
    assert rows[1][5] == "<img src=x onerror=alert(1)> Notre récit"
    orga.post(f"/o/rounds/{round_id}/stories", data={**story, "action": "untag", "tag": "jeunesse"})
    assert "jeunesse" not in orga.get(f"/o/rounds/{round_id}/stories").text
    # A story of another round cannot be tagged through this round.
    assert orga.post(f"/o/rounds/{round_id}/stories", data={**story, "response_id": 999999, "action": "select"}).status_code == 404


def test_printable_report_has_every_chart_and_the_round_facts(orga, round_id, made):
    html = orga.get(f"/o/rounds/{round_id}/report").text
    for chart_id in ("status", "rate", "themes", "items-reciprocity", "impact-matrix", "choice-PRO_06", "gap-ranking"):
        assert f'id="{chart_id}-data"' in html, chart_id
    assert "Tour test 2026" in html and "4 des 4 collectivités invitées ont envoyé leurs réponses" in html
    with orga.get("/static/css/app.css") as response:
        css = response.text
    assert "@media print" in css and "size: A4" in css


def test_plotly_is_served_locally_with_a_long_cache(client):
    import plotly

    with client.get(f"/assets/plotly-{plotly.__version__}.min.js") as response:
        assert response.status_code == 200 and response.mimetype == "text/javascript"
        assert "max-age=31536000" in response.headers["Cache-Control"]
    assert client.get("/assets/plotly-0.0.0.min.js").status_code == 404


def test_rounds_compared_page_offers_rounds_of_the_same_questionnaire(orga, round_id, made):
    html = orga.get(f"/o/rounds/{round_id}/compare").text
    assert "Choisissez au moins un autre tour" in html


def test_other_answers_under_a_chart_are_the_first_few_and_the_rest_counted(orga, round_id, made, monkeypatch):
    html = orga.get(f"/o/rounds/{round_id}/dashboard").text
    assert "Autre : &lt;b&gt;Réseau&lt;/b&gt; =SUM(A1)" in html
    assert "la page Textes les liste toutes" not in html
    from evalapp.reporting import aggregate

    monkeypatch.setattr(aggregate, "OTHERS_SHOWN", 0)
    html = orga.get(f"/o/rounds/{round_id}/dashboard").text
    assert "Autre : &lt;b&gt;Réseau" not in html
    assert "… et 1 autre réponse « Autre » : la page Textes les liste toutes." in html


def test_shares_in_tables_are_written_the_way_of_the_page(orga, round_id, made):
    page = orga.get(f"/o/rounds/{round_id}/dashboard")
    assert "<td>67\u00a0%</td>" in page.text
    orga.post("/language", data={"csrf_token": csrf_token(page.text), "lang": "en", "next": "/"})
    assert "<td>67%</td>" in orga.get(f"/o/rounds/{round_id}/dashboard").text


def test_texts_come_a_page_at_a_time_with_the_filters_kept(orga, round_id, made, monkeypatch):
    from evalapp.organiser import dashboard_views

    monkeypatch.setattr(dashboard_views, "TEXTS_PER_PAGE", 1)
    first = orga.get(f"/o/rounds/{round_id}/texts?country=FR").text
    assert "2 réponses — page 1 sur 2" in first
    next_link = re.search(r'href="([^"]+page=2[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "country=FR" in next_link
    second = orga.get(next_link).text
    assert "page 2 sur 2" in second
    shown = [re.findall(r'<blockquote class="text-answer">\s*<p>(.*?)</p>', page, re.S) for page in (first, second)]
    assert len(shown[0]) == len(shown[1]) == 1 and shown[0] != shown[1]


def test_stories_are_read_one_at_a_time_and_only_stories_can_be_coded(app, orga, round_id, made):
    from evalapp.models import Answer

    with app.app_context():
        db.session.add(Answer(response_id=made["Lyon"][0], item_code="STO_01", text_value="Le récit de Lyon"))
        db.session.commit()
    first = orga.get(f"/o/rounds/{round_id}/stories").text
    second = orga.get(f"/o/rounds/{round_id}/stories?i=1").text
    assert "Récit 1 sur 2" in first and "Récit 2 sur 2" in second
    assert ("Le récit de Lyon" in first) != ("Le récit de Lyon" in second)
    assert "Récit 2 sur 2" in orga.get(f"/o/rounds/{round_id}/stories?i=99").text
    token = csrf_token(first)
    not_a_story = {"csrf_token": token, "response_id": made["Lyon"][0], "item_code": "PRO_06", "action": "select"}
    assert orga.post(f"/o/rounds/{round_id}/stories", data=not_a_story).status_code == 404
    no_such_story = {**not_a_story, "item_code": "STO_01", "response_id": made["Ouagadougou"][0]}
    assert orga.post(f"/o/rounds/{round_id}/stories", data=no_such_story).status_code == 404


def figure_of(html: str, chart_id: str) -> dict:
    """The Plotly figure a page draws in its chart ``chart_id``."""
    return json.loads(re.search(rf'<script type="application/json" id="{chart_id}-data">(.*?)</script>', html, re.S).group(1))


def table_of(html: str, chart_id: str) -> str:
    """The data table under the chart ``chart_id`` (up to the end of its figure)."""
    start = html.index(f'id="{chart_id}-data"')
    return html[start:html.index("</figure>", start)]


def test_each_scale_item_is_drawn_under_its_own_scales_labels(app, orga, round_id):
    """HUM_06 asks how often (never … always) among agreement items: it gets a chart of its own scale."""
    answers = {"Grenoble": (5, 1), "Ouagadougou": (4, 2), "Lyon": (2, 5)}
    build_round(app, round_id, extra={name: [{"item_code": "HUM_01", "scale_value": agree},
                                             {"item_code": "HUM_06", "scale_value": often}]
                                      for name, (agree, often) in answers.items()})
    html = orga.get(f"/o/rounds/{round_id}/dashboard").text
    agreement, frequency = figure_of(html, "items-human"), figure_of(html, "items-human-2")
    assert {t["name"] for t in agreement["data"] if t.get("name")} >= {"Pas du tout d'accord", "Tout à fait d'accord"}
    assert all("HUM_06" not in label for t in agreement["data"] for label in t["y"])
    assert [t["name"] for t in frequency["data"] if t.get("name")] == [
        "Rarement", "Jamais", "Parfois", "Souvent", "Systématiquement", "Ne sait pas / non concerné"]
    assert all(label.startswith("HUM_06 ") for t in frequency["data"] for label in t["y"])
    # Never broken inside the quotes: French quotes hold their words with no-break spaces.
    assert "de «\u00a0Jamais\u00a0» à «\u00a0Systématiquement\u00a0»" in frequency["layout"]["title"]["text"].replace("<br>", " ")
    # The tables say the same: HUM_06's counts under the frequency labels, HUM_01's under agreement.
    assert "<th scope=\"col\">1 – Jamais</th>" in table_of(html, "items-human-2")
    assert "HUM_06" in table_of(html, "items-human-2") and "HUM_06" not in table_of(html, "items-human")
    assert "<th scope=\"col\">5 – Tout à fait d&#39;accord</th>" in table_of(html, "items-human")
    # The impact matrix names its own scale (intensity) on its colour bar.
    heatmap = figure_of(html, "impact-matrix")["data"][0]
    assert heatmap["colorbar"]["ticktext"] == ["1 Nulle", "2 Faible", "3 Moyenne", "4 Forte", "5 Très forte"]
    assert "Never" not in html
    page = orga.get("/")
    orga.post("/language", data={"csrf_token": csrf_token(page.text), "lang": "en", "next": "/"})
    english = orga.get(f"/o/rounds/{round_id}/dashboard").text
    assert "from “Never” to “Always”" in figure_of(english, "items-human-2")["layout"]["title"]["text"].replace("<br>", " ")
    assert "<th scope=\"col\">3 – Sometimes</th>" in table_of(english, "items-human-2")
