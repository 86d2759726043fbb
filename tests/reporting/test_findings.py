"""The findings: the widest gaps between partners (ranked by each partnership's widest theme, printed so that
they add up) and the changes since the previous round (over how many authorities)."""
from types import SimpleNamespace

from evalapp.questionnaires.loader import DEFINITIONS_DIR, read_definition
from evalapp.reporting import findings

AICT = read_definition(DEFINITIONS_DIR / "aict-v1.yaml")


def comparison(name, home, partner):
    gaps = {theme: abs(home[theme] - partner[theme]) for theme in home}
    return SimpleNamespace(home_name=f"Commune de {name}", partner_name=f"Ville de {name}-sur-Mer",
                           home=home, partner=partner, gaps=gaps)


def test_partnerships_are_ranked_by_their_widest_gap_printed_as_the_difference_of_the_indices_printed(app, monkeypatch):
    # Besançon's gaps are wide on average; Grenoble's one gap is the widest of all.
    besancon = comparison("Besançon", {"reciprocity": 43.75, "impact": 60.0, "human": 50.0},
                          {"reciprocity": 9.375, "impact": 30.0, "human": 20.0})
    grenoble = comparison("Grenoble", {"reciprocity": 50.0, "impact": 50.0, "human": 90.0},
                          {"reciprocity": 50.0, "impact": 50.0, "human": 50.0})
    monkeypatch.setattr(findings.aggregate, "partnership_comparisons", lambda round_: [besancon, grenoble])
    with app.test_request_context():
        sentences = findings.reciprocity(None, AICT, "fr")
    assert sentences[2].startswith("Commune de Grenoble – Ville de Grenoble-sur-Mer : 40 points sur « Facteur humain")
    # 43.75 and 9.375 are printed 44 and 9: the gap printed is 35, not the 34 of the unrounded indices.
    assert sentences[3].startswith("Commune de Besançon – Ville de Besançon-sur-Mer : 35 points sur « Réciprocité")
    assert "(Commune de Besançon 44, Ville de Besançon-sur-Mer 9)" in sentences[3]


def test_a_change_says_how_many_authorities_have_the_index_in_each_round_when_they_differ(app):
    with app.test_request_context():
        same = findings._change_sentence("Facteur humain", 7.2, 18, 18, "Évaluation 2025")
        differ = findings._change_sentence("Réciprocité", 8.4, 18, 17, "Évaluation 2025")
    assert same == ("Facteur humain : en hausse de 7 points depuis « Évaluation 2025 », pour les 18 collectivités "
                    "qui ont répondu aux deux tours.")
    assert differ == ("Réciprocité : en hausse de 8 points depuis « Évaluation 2025 », pour les collectivités qui ont "
                      "répondu aux deux tours (18 avec cet indice alors, 17 aujourd’hui).")
