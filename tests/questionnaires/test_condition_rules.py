"""Conditions as the rule builder holds them: the rules write the condition the loader reads, and read back
only a condition they show exactly."""
import pytest
import yaml

from evalapp.questionnaires import condition_rules
from evalapp.questionnaires.condition_rules import INVITATION, Rule, RuleErrors, Rules
from evalapp.questionnaires.loader import DEFINITIONS_DIR


@pytest.fixture(scope="module")
def aict():
    return yaml.safe_load((DEFINITIONS_DIR / "aict-v2.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def questions(app, aict):
    with app.test_request_context():
        return condition_rules.questions_before(aict, "en", section="story")


@pytest.mark.parametrize("condition", [
    {"item": "REC_01", "at_least": 4},
    {"item": "REC_01", "equals": "dk"},
    {"item": "PRO_01", "in": ["commune", "other"]},
    {"item": "CTX_01", "includes": "solidarity"},
    {"item": "PRO_02", "at_least": 12.5},
    {"item": "PRO_02", "answered": True},
    {"side": "partner"},
    {"partnership": False},
    {"any": [{"side": "home"}, {"item": "REC_01", "in": [1, 2]}]},
])
def test_what_the_rules_show_they_write_back_as_it_was(questions, condition):
    rules = condition_rules.rules_of(condition, questions)
    assert rules is not None
    assert condition_rules.condition_of(rules, questions) == condition


@pytest.mark.parametrize("condition", [
    {"all": [{"item": "REC_01", "at_least": 4}, {"any": [{"side": "partner"}, {"partnership": False}]}]},
    {"all": [{"side": "home"}]},                          # one rule would be written without its "all"
    {"item": "PRO_01", "in": ["other", "commune"]},       # the rules would tick them in the options' order
    {"item": "REC_01", "equals": "4"},                    # a text, where the rules write the number 4
    {"item": "PRO_01", "equals": "nowhere"},              # an option the question does not have
    {"item": "STO_01", "answered": True},                 # a question not before it
    {"item": "PRO_01", "equal": "commune"},               # not a condition
])
def test_what_the_rules_cannot_show_exactly_they_leave_to_the_text(questions, condition):
    assert condition_rules.rules_of(condition, questions) is None


def test_rules_not_complete_say_what_each_lacks_and_empty_ones_are_left_out(app, questions):
    rules = Rules("any", [Rule(), Rule("REC_01", "at_least", []), Rule("PRO_02", "equals", ["many"]),
                          Rule(INVITATION, "", []), Rule("PRO_01", "in", [])])
    with app.test_request_context(), pytest.raises(RuleErrors) as refused:
        condition_rules.condition_of(rules, questions)
    assert refused.value.errors == {1: "Choisissez une réponse.", 2: "Saisissez un nombre.",
                                    3: "Choisissez ce que doit être l’invitation.",
                                    4: "Cochez une réponse ou plusieurs."}
    assert condition_rules.condition_of(Rules("any", [Rule()]), questions) is None


def test_another_question_chosen_drops_what_the_first_offered(questions):
    changed = condition_rules.fitted(Rules("all", [Rule("CTX_01", "at_least", ["4"])]), questions)
    assert changed.rules == [Rule("CTX_01", "", [])]  # a multiple choice: no "at least", no 4
    # Nothing is chosen in the organiser's place, not even on the invitation.
    assert condition_rules.fitted(Rules("all", [Rule(INVITATION, "at_least", [])]), questions).rules == [
        Rule(INVITATION, "", [])]
