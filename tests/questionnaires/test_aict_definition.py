"""The AICT questionnaire as written from the colloquium and FRAMEWORK.md."""
import pytest

from evalapp.questionnaires import DEFINITIONS_DIR
from evalapp.questionnaires.definition import SCORED_THEMES
from evalapp.questionnaires.loader import read_definition


@pytest.fixture(scope="module")
def aict():
    return read_definition(DEFINITIONS_DIR / "aict-v1.yaml")


def test_covers_the_framework_sections_in_order(aict):
    assert [s.code for s in aict.sections] == [
        "profile", "context", "reciprocity", "impact", "human", "organisation", "evaluation", "story",
    ]


def test_has_at_least_45_items_each_with_code_theme_type_and_both_languages(aict):
    items = list(aict.items_by_code.values())
    assert len(items) >= 45
    for item in items:
        assert item.code and item.theme and item.type
        assert item.text.fr and item.text.en and item.text.fr != item.text.en


def test_offers_every_item_type(aict):
    types = {item.type for item in aict.items_by_code.values()}
    assert types == {"scale", "single", "multiple", "number", "short_text", "long_text", "matrix"}
    assert any(item.other for item in aict.items_by_code.values() if item.type == "multiple")


def test_territorial_impact_matrix_has_12_cells_with_codes_of_their_own(aict):
    matrix = next(i for i in aict.items_by_code.values() if i.type == "matrix")
    assert matrix.theme == "impact"
    assert {r.code for r in matrix.rows} == {"SOC", "ECO", "REL", "CUL"}
    assert {c.code for c in matrix.columns} == {"TER", "NAT", "BTW"}
    assert len({cell.code for cell in matrix.cells}) == 12
    assert f"{matrix.code}_SOC_TER" in matrix.answer_codes


def test_has_a_most_significant_change_story(aict):
    stories = [i for i in aict.items_by_code.values() if i.story]
    assert len(stories) == 1 and stories[0].required and stories[0].type == "long_text"
    assert "changement le plus significatif" in stories[0].text.fr


def test_each_scored_theme_has_scale_items(aict):
    for theme in SCORED_THEMES:
        scored = [i for i in aict.items_by_code.values() if i.theme == theme and i.type in ("scale", "matrix")]
        assert len(scored) >= 5, theme


def test_mirror_variant_shares_the_codes_of_the_four_themes(aict):
    home = {i.code for s in aict.sections_for("home") for i in s.items_for("home")}
    partner = {i.code for s in aict.sections_for("partner") for i in s.items_for("partner")}
    themed = {i.code for i in aict.items_by_code.values() if i.theme in SCORED_THEMES}
    assert themed <= home & partner
    # Some items are worded for the partner's side.
    assert any(i.partner_text for i in aict.items_by_code.values())


def test_purposes_of_evaluation_are_a_multiple_choice_with_other(aict):
    purposes = [
        i for s in aict.sections if s.code == "evaluation" for i in s.items if i.type == "multiple"
    ]
    assert purposes and purposes[0].other
    assert len(purposes[0].options) >= 5
