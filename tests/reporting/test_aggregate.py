"""Aggregates against values computed by hand (see fixtures.py)."""

import pytest

from evalapp import tallies
from evalapp.extensions import db
from evalapp.models import Round
from evalapp.reporting import aggregate
from evalapp.reporting.aggregate import Filters
from tests.reporting.fixtures import RECIPROCITY, build_round


@pytest.fixture
def made(app, round_id):
    return build_round(app, round_id)


def summary(app, round_id, theme="reciprocity", **kwargs):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        return next(s for s in aggregate.theme_summaries(round_, **kwargs) if s.theme == theme)


def test_theme_index_is_computed_only_with_half_the_items_and_ignores_dont_know(app, round_id, made):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        indices = aggregate.indices_of(round_, [made[n][0] for n in made])
    assert indices[made["Grenoble"][0]]["reciprocity"] == pytest.approx(100)
    assert indices[made["Ouagadougou"][0]]["reciprocity"] == pytest.approx(0)
    assert indices[made["Lyon"][0]]["reciprocity"] == pytest.approx(50)
    assert "reciprocity" not in indices.get(made["Tombouctou"][0], {})


def test_theme_summary_mean_spread_and_n(app, round_id, made):
    s = summary(app, round_id, min_n=1)
    assert (s.n, s.mean, s.minimum, s.maximum) == (3, pytest.approx(50), pytest.approx(0), pytest.approx(100))
    assert s.sd == pytest.approx(50)  # sample standard deviation of 100, 0, 50


def test_small_groups_are_hidden(app, round_id, made):
    assert summary(app, round_id, min_n=3).mean == pytest.approx(50)
    hidden = summary(app, round_id, min_n=4)
    assert hidden.mean is None and hidden.sd is None
    only_france = summary(app, round_id, filters=Filters(country="FR"), min_n=3)
    assert only_france.n == 2 and only_france.mean is None


def test_filters_by_country_type_region_and_side(app, round_id, made):
    assert summary(app, round_id, filters=Filters(country="FR"), min_n=1).mean == pytest.approx(75)
    assert summary(app, round_id, filters=Filters(side="partner"), min_n=1).mean == pytest.approx(0)
    assert summary(app, round_id, filters=Filters(kind="commune"), min_n=1).n == 2
    assert summary(app, round_id, filters=Filters(region="R-BF"), min_n=1).n == 1


def test_item_distribution_counts_dont_know_apart(app, round_id, made):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        first = aggregate.distributions(round_, [RECIPROCITY[0]], min_n=1)[RECIPROCITY[0]]
        last = aggregate.distributions(round_, [RECIPROCITY[-1]], min_n=1)[RECIPROCITY[-1]]
        hidden = aggregate.distributions(round_, [RECIPROCITY[0]], min_n=5)[RECIPROCITY[0]]
    # Grenoble "don't know", Ouagadougou 1, Lyon 3, Tombouctou "don't know".
    assert first.counts == {1: 1, 3: 1} and first.dont_know == 2 and first.n == 2 and first.mean == 2
    # Grenoble 5, Lyon 3 (Ouagadougou skipped it), Tombouctou "don't know".
    assert last.counts == {5: 1, 3: 1} and last.dont_know == 1 and last.mean == 4
    assert hidden.counts == {} and hidden.dont_know == 0


def test_matrix_cell_mean(app, round_id, made):
    with app.app_context():
        cell = aggregate.distributions(db.session.get(Round, round_id), ["IMP_01_SOC_TER"], min_n=3)["IMP_01_SOC_TER"]
    assert cell.mean == 3 and cell.n == 3


def test_multiple_choice_frequencies_with_other_texts(app, round_id, made):
    with app.app_context():
        counts = aggregate.choice_counts(db.session.get(Round, round_id), ["PRO_06"], min_n=3)["PRO_06"]
    assert counts.n == 3 and counts.counts == {"cuf": 2, "ccre_cemr": 1, "other": 1}
    assert counts.others == ["<b>Réseau</b> =SUM(A1)"]


def test_reciprocity_gap_per_partnership_and_item(app, round_id, made):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        comparisons = aggregate.partnership_comparisons(round_)
        items = aggregate.item_comparison(round_, made["Grenoble"][0], made["Ouagadougou"][0])
    by_home = {c.home_name: c for c in comparisons}
    grenoble = by_home["Ville de Grenoble"]
    assert grenoble.gaps["reciprocity"] == pytest.approx(100) and grenoble.mean_gap == pytest.approx(100)
    # Lyon's partner has no reciprocity index (all "don't know"): no gap for that theme.
    assert "reciprocity" not in by_home["Ville de Lyon"].gaps
    second = next(i for i in items if i.code == RECIPROCITY[1])
    assert (second.home, second.partner, second.gap) == (5, 1, 4)
    first = next(i for i in items if i.code == RECIPROCITY[0])
    assert first.home_dont_know and first.gap is None


def test_progress_counts_and_cumulative_rate(app, round_id, made):
    with app.app_context():
        progress = aggregate.progress(round_id)
    assert progress.invited == 4 and progress.counts["submitted"] == 4
    assert [total for _, _, total, _ in progress.days] == [2, 4]
    assert progress.days[-1][3] == 1.0


def test_rounds_compared_over_the_same_authorities(app, round_id, made):
    from sqlalchemy import select

    from evalapp.invitations import invite
    from evalapp.models import Answer, Authority, ResponseStatus
    from tests.factories import create_round
    from tests.reporting.fixtures import scale_rows

    second_id = create_round(app, title="Tour 2027")
    with app.app_context():
        second = db.session.get(Round, second_id)
        # A year later Grenoble answers 3 everywhere (index 50); Ouagadougou does not answer.
        grenoble = db.session.scalar(select(Authority).where(Authority.name == "Ville de Grenoble"))
        response = invite(second, grenoble).response
        response.status = ResponseStatus.SUBMITTED
        db.session.add_all(Answer(response=response, **row) for row in scale_rows(RECIPROCITY, 3))
        db.session.commit()
        tallies.catch_up(second_id)  # written directly: counted by the catch-up
        means = aggregate.rounds_compared([db.session.get(Round, round_id), second], min_n=1)
        hidden = aggregate.rounds_compared([db.session.get(Round, round_id), second], min_n=2)
    # Only Grenoble answered both rounds: 100 then 50.
    assert means[round_id]["reciprocity"] == (pytest.approx(100), 1)
    assert means[second_id]["reciprocity"] == (pytest.approx(50), 1)
    assert hidden[round_id]["reciprocity"] == (None, 1)


def test_text_answers_and_search(app, round_id, made):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        found = aggregate.text_answers(round_, ["STO_01"], search="RÉCIT")
        none = aggregate.text_answers(round_, ["STO_01"], search="%")
    assert [a.authority for a in found] == ["Ville de Grenoble"]
    assert none == []
