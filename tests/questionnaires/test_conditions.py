"""Conditions in definition files: what the loader refuses, and which items and sections a response is asked."""
import pytest

from evalapp.questionnaires import DEFINITIONS_DIR
from evalapp.questionnaires.conditions import AtLeast, Equals, OneOf, asked, holds
from evalapp.questionnaires.loader import DefinitionError, checksum, read_definition
from tests.questionnaires.test_loader import write
from tests.respond.conditional import COND, COND_YAML


def asked_items(values, side="home", partnership=True):
    return sorted(asked(COND, side, partnership, values).items)


def test_a_file_with_conditions_is_valid_and_reads_back_as_written():
    assert COND.conditional
    assert COND.items_by_code["AGR_02"].when.equals == "yes"
    assert not read_definition(DEFINITIONS_DIR / "aict-v1.yaml").conditional


def test_a_questionnaire_without_conditions_keeps_its_stored_checksum():
    # aict-v1 is stored by rounds in production: adding conditions to the format must not change it.
    assert checksum(read_definition(DEFINITIONS_DIR / "aict-v1.yaml")) == (
        "82d5b2cfe0275883ebd00ee0952d3b8f12547da3ca1d2a984b4c1dfc04d2a2dc")


def test_conditions_on_earlier_answers_choose_the_items_asked():
    assert asked_items({"AGR_01": "no", "AGR_03": ["water"]}) == [
        "AGR_01", "AGR_03", "AGR_05", "HUM_02", "HUM_03"]
    assert asked_items({"AGR_01": "yes", "AGR_02": "3", "AGR_03": ["culture"], "RES_01": "4"}) == [
        "AGR_01", "AGR_02", "AGR_03", "AGR_04", "AGR_05", "HUM_01", "HUM_02", "RES_01", "RES_02"]
    # Nothing answered yet: only what depends on no answer.
    assert asked_items({}) == ["AGR_01", "AGR_03", "AGR_05", "HUM_02"]


def test_a_hidden_answer_counts_as_not_answered_for_the_conditions_after_it():
    # AGR_02 answered 5 earlier, then AGR_01 changed to "no": AGR_02 is not asked, nor HUM_01 which
    # depends on it, and the whole "results" page with RES_02 (RES_01 answered 5) goes.
    result = asked(COND, "home", True, {"AGR_01": "no", "AGR_02": "5", "RES_01": "5"})
    assert {"AGR_02", "HUM_01", "RES_01", "RES_02"}.isdisjoint(result.items)
    assert "results" not in result.sections
    assert {"AGR_02", "RES_01", "RES_02", "HUM_01", "AGR_04", "AGR_06"} == result.not_asked_codes


def test_don_t_know_is_an_answer_but_not_at_least_anything():
    assert "HUM_01" not in asked_items({"AGR_01": "yes", "AGR_02": "dk"})
    assert "HUM_01" in asked_items({"AGR_01": "yes", "AGR_02": "3"})


def test_conditions_on_the_invitation_side_and_partnership():
    assert "AGR_06" in asked_items({}, side="partner") and "AGR_06" not in asked_items({}, side="home")
    assert "AGR_05" not in asked_items({}, partnership=False)
    # HUM_03: AGR_01 answered "no", or a home authority outside any partnership.
    assert "HUM_03" in asked_items({}, side="home", partnership=False)
    assert "HUM_03" not in asked_items({}, side="partner", partnership=True)
    assert "HUM_03" in asked_items({"AGR_01": "no"}, side="partner", partnership=True)


def test_numbers_compare_as_numbers():
    assert holds(AtLeast(item="AGR_05", at_least=2000), {"AGR_05": 2001}, "home", True)
    assert not holds(AtLeast(item="AGR_05", at_least=2000), {"AGR_05": 1999.5}, "home", True)
    assert holds(Equals(item="AGR_05", equals=2000), {"AGR_05": 2000.0}, "home", True)
    assert holds(OneOf(item="AGR_01", in_=["no", "yes"]), {"AGR_01": "yes"}, "home", True)


AGR_02_WHEN = 'when: {item: AGR_01, equals: "yes"}\n        text'
AGR_04_WHEN = "when: {item: AGR_03, includes: culture}"
RES_02_WHEN = "when: {item: RES_01, at_least: 4}"
RESULTS_WHEN = 'when: {item: AGR_01, equals: "yes"}\n    items'


@pytest.mark.parametrize("old, new, expected", [
    (AGR_02_WHEN, 'when: {item: AGR_09, equals: "yes"}\n        text',
     "cond-v1.yaml: item AGR_02: condition on 'AGR_09': no item has this code"),
    (AGR_04_WHEN, "when: {item: AGR_05, includes: culture}",
     "cond-v1.yaml: item AGR_04: condition on 'AGR_05', which is not asked before AGR_04: a condition can only "
     "depend on earlier questions"),
    (AGR_04_WHEN, "when: {item: AGR_04, answered: true}",
     "item AGR_04: condition on 'AGR_04', which is not asked before AGR_04"),
    (AGR_04_WHEN, "when: {all: [{side: home}, {item: AGR_03, includes: music}]}",
     "item AGR_04: condition on 'AGR_03': it has no option 'music'"),
    (AGR_02_WHEN, 'when: {item: AGR_01, in: ["yes", "maybe"]}\n        text',
     "item AGR_02: condition on 'AGR_01': 'maybe' is not an answer this single item can have"),
    (AGR_04_WHEN, "when: {item: AGR_03, equals: culture}",
     "item AGR_04: condition on 'AGR_03', a multiple choice: ask whether it 'includes' an option"),
    (RES_02_WHEN, "when: {item: RES_01, at_least: 6}",
     "item RES_02: condition on 'RES_01': 6 is not an answer this scale item can have"),
    (RES_02_WHEN, "when: {item: AGR_04, at_least: 4}",
     "item RES_02: condition on 'AGR_04': 'at_least' is for a scale or a number, not a short_text item"),
    (RES_02_WHEN, "when: {item: RES_01, includes: culture}",
     "item RES_02: condition on 'RES_01': 'includes' is for a multiple choice, not a scale item"),
    (RESULTS_WHEN, 'when: {item: RES_01, equals: 4}\n    items',
     "cond-v1.yaml: section 'results': condition on 'RES_01', which is not asked before section 'results'"),
    ("when: {side: partner}", "when: {side: partner, partnership: true}",
     "cond-v1.yaml: item AGR_06: when: a condition needs exactly one of: equals, in, includes"),
    ("when: {side: partner}", "when: {side: abroad}", "cond-v1.yaml: item AGR_06: when.side.side: Input should be"),
])
def test_a_broken_condition_is_refused_naming_file_item_and_problem(tmp_path, old, new, expected):
    assert COND_YAML.count(old) == 1
    with pytest.raises(DefinitionError) as caught:
        read_definition(write(tmp_path, COND_YAML.replace(old, new), name="cond-v1.yaml"))
    assert expected in str(caught.value)


#: AGR_06 asked of the partner side only.
PARTNER_ONLY = ("when: {side: partner}", "sides: [partner]")


@pytest.mark.parametrize("old, new, expected", [
    (RES_02_WHEN, "when: {item: AGR_06, answered: true}",
     "cond-v1.yaml: item RES_02: its condition needs an answer the home side is never asked, so it would never "
     "be asked of that side"),
    (RESULTS_WHEN, "when: {all: [{partnership: true}, {item: AGR_06, answered: true}]}\n    items",
     "cond-v1.yaml: section 'results': its condition needs an answer the home side is never asked"),
])
def test_a_condition_a_side_can_never_meet_is_refused(tmp_path, old, new, expected):
    text = COND_YAML.replace(*PARTNER_ONLY).replace(old, new)
    with pytest.raises(DefinitionError) as caught:
        read_definition(write(tmp_path, text, name="cond-v1.yaml"))
    assert expected in str(caught.value) and "partner side" not in str(caught.value)


@pytest.mark.parametrize("when", [
    "when: {any: [{side: partner}, {item: AGR_06, answered: true}]}",  # the home side by its side
    "when: {any: [{item: AGR_01, equals: 'no'}, {item: AGR_06, answered: true}]}",  # the home side by AGR_01
])
def test_a_condition_each_side_can_meet_another_way_is_taken(tmp_path, when):
    text = COND_YAML.replace(*PARTNER_ONLY).replace(RES_02_WHEN, when)
    assert read_definition(write(tmp_path, text, name="cond-v1.yaml")).items_by_code["RES_02"].when is not None
