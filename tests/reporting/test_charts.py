"""Chart functions: data in, figure out, tested without a database or a browser."""
import json
from datetime import date

import pytest

from evalapp.reporting import charts
from evalapp.reporting.aggregate import ChoiceCounts, Distribution, PartnershipComparison, Progress, ThemeSummary
from evalapp.reporting.embed import figure_json

EVIL = '<img src=x onerror=alert(1)> <a href="javascript:alert(2)">x</a>'
SCALE = {1: "Pas du tout", 2: "Plutôt pas", 3: "Moyen", 4: "Plutôt", 5: "Tout à fait"}
THEMES = {"reciprocity": "Réciprocité", "impact": "Impact", "human": "Humain", "organisation": "Organisation"}


def traces_by_name(fig):
    return {t.name: t for t in fig.data if t.name}


def test_diverging_bars_split_the_middle_and_keep_dont_know_apart():
    dist = Distribution("REC_01", {1: 1, 3: 2, 5: 1}, dont_know=3)
    fig = charts.diverging_bars([("REC_01", "Question")], {"REC_01": dist}, SCALE, "NSP", "Titre", 3)
    named = traces_by_name(fig)
    assert named["Pas du tout"].x == (-25.0,)
    assert named["Tout à fait"].x == (25.0,)
    assert named["Moyen"].x == (25.0,)  # half of 50 % each side of zero
    middle_other_half = [t for t in fig.data if not t.name and t.showlegend is False]
    assert middle_other_half[0].x == (-25.0,)
    assert named["NSP"].x == (3,) and named["NSP"].xaxis == "x2"
    assert "n = 4" in fig.data[0].y[0]


def test_items_of_a_small_group_are_left_out_and_the_title_says_so():
    dists = {"A": Distribution("A", {4: 5}), "B": Distribution("B")}
    fig = charts.diverging_bars([("A", "a"), ("B", "b")], dists, SCALE, "NSP", "Titre", 3)
    assert len(fig.data[0].y) == 1 and "n &lt; 3" in fig.layout.title.text  # escaped: Plotly shows "<"


def test_theme_indices_show_mean_spread_and_n_and_hide_small_groups():
    summaries = [ThemeSummary("reciprocity", 12, 62.5, 10.0, 40, 90), ThemeSummary("impact", 2, None, None, None, None)]
    fig = charts.theme_indices(summaries, THEMES, "Indices", "Indice", 3)
    bar = fig.data[0]
    assert bar.x == (62.5,) and bar.error_x.array == (10.0,) and bar.text == ("62 (n = 12)",)
    assert "Impact: n &lt; 3" in fig.layout.title.text


def test_heatmap_has_the_4_by_3_means_with_n():
    rows = [("SOC", "Sociales"), ("ECO", "Économiques"), ("REL", "Relationnelles"), ("CUL", "Culturelles")]
    columns = [("TER", "Territoire"), ("NAT", "National"), ("BTW", "Entre")]
    dists = {f"M_{r}_{c}": Distribution(f"M_{r}_{c}", {2: 1, 4: 1}) for r, _ in rows for c, _ in columns}
    dists["M_SOC_TER"] = Distribution("M_SOC_TER")
    fig = charts.impact_heatmap(rows, columns, lambda r, c: f"M_{r}_{c}", dists, {**SCALE, 5: EVIL}, "Impact", 3)
    heat = fig.data[0]
    # The colour bar names the matrix's own scale, its labels escaped.
    assert heat.colorbar.tickvals == (1, 2, 3, 4, 5) and heat.colorbar.ticktext[0] == "1 Pas du tout"
    assert "<img" not in heat.colorbar.ticktext[4] and "&lt;img" in heat.colorbar.ticktext[4]
    assert len(heat.z) == 4 and len(heat.z[0]) == 3
    assert heat.z[0][0] is None and heat.text[0][0] == "n < 3"
    assert heat.z[1][2] == 3 and heat.text[1][2] == "n = 2" and heat.texttemplate == "%{z:.1f}<br>%{text}"


def test_choice_frequencies_are_shares_of_respondents():
    counts = ChoiceCounts("PRO_06", 4, {"cuf": 3, "other": 1}, ["Réseau"])
    fig = charts.choice_frequencies(counts, [("cuf", "CUF"), ("ccre", "CCRE"), ("other", "Autre")], "Réseaux", "Part", 3)
    assert fig.data[0].x == (75.0, 0.0, 25.0) and "n = 4" in fig.layout.title.text


def test_dumbbell_and_ranking_use_both_sides():
    pair = PartnershipComparison(1, "Grenoble", "Ouagadougou", 10, 11, {"reciprocity": 80, "impact": 60},
                                 {"reciprocity": 30, "impact": 65})
    fig = charts.dumbbell(pair, THEMES, "Paire", "Indice")
    markers = traces_by_name(fig)
    assert markers["Grenoble"].x[:2] == (80, 60) and markers["Ouagadougou"].x[:2] == (30, 65)
    ranking = charts.gap_ranking([pair], "Écarts", "Écart")
    assert ranking.data[0].x == (pytest.approx(27.5),)


def test_progress_charts_cumulate():
    progress = Progress(10, {"not_started": 4, "in_progress": 2, "submitted": 4},
                        [(date(2026, 11, 1), 1, 1, 0.1), (date(2026, 11, 3), 3, 4, 0.4)])
    rate = charts.response_rate(progress, "Taux", "Taux", "Par jour")
    assert rate.data[1].y == (10.0, 40.0) and rate.data[0].y == (1, 3)
    status = charts.response_status(progress, {"not_started": "Pas", "in_progress": "En cours", "submitted": "Fait"}, "État")
    assert [t.x[0] for t in status.data] == [4, 2, 4] and "n = 10" in status.layout.title.text


def test_text_from_people_is_inert_in_every_chart():
    pair = PartnershipComparison(1, EVIL, "Partner", 1, 2, {"reciprocity": 50}, {"reciprocity": 40})
    figures = [
        charts.dumbbell(pair, THEMES, EVIL, "x"),
        charts.gap_ranking([pair], "t", "x"),
        charts.radar([(EVIL, {"reciprocity": 50}, "#000")], THEMES, "t"),
        charts.diverging_bars([("A", EVIL)], {"A": Distribution("A", {4: 3})}, SCALE, "NSP", "t", 3),
        charts.choice_frequencies(ChoiceCounts("C", 3, {"x": 3}, []), [("x", EVIL)], "t", "x", 3),
        charts.tag_bars([(EVIL, 2)], "t", "x"),
    ]
    for fig in figures:
        # What Plotly receives, decoded: markup of its own (<br>, <extra>) but none from people.
        text = json.dumps(json.loads(figure_json(fig)), ensure_ascii=False)
        assert "<img" not in text and "<a " not in text
        assert "&lt;img" in text and "&lt;a" in text


def test_figure_json_cannot_close_its_script_block():
    fig = charts.tag_bars([("</script><script>alert(1)</script>", 1)], "t", "x")
    assert "</script>" not in figure_json(fig)


def test_a_chart_of_one_item_keeps_the_room_of_three_for_its_legend():
    dists = {code: Distribution(code, {2: 3, 4: 2}) for code in "ABC"}
    one = charts.diverging_bars([("A", "a")], dists, SCALE, "NSP", "Titre", 3)
    three = charts.diverging_bars([(code, code) for code in "ABC"], dists, SCALE, "NSP", "Titre", 3)
    assert one.layout.height == three.layout.height
    assert one.layout.yaxis.range == (2.5, -0.5)  # the bar at the top, two rows left blank below


def test_labels_are_never_broken_at_a_no_break_space():
    text = "Facteur humain : réponses question par question, de «\u00a0Jamais\u00a0» à «\u00a0Systématiquement\u00a0»"
    lines = charts.wrap(text, 20).split("<br>")
    assert lines[-2:] == ["«\u00a0Jamais\u00a0» à", "«\u00a0Systématiquement\u00a0»"]
