"""A condition as the editor's rule builder holds it: rules an organiser picks, not a syntax they type.

A rule names an earlier question (or the invitation), what its answer must be, and the answers it must be
among; the rules hold together ("all") or one of them is enough ("any"). :func:`condition_of` writes the
``when`` a definition file holds (conditions.py), :func:`rules_of` reads it back; a condition the rules cannot
show exactly (an all inside an any, a value the question does not offer) is left to the text field, never
rewritten. Nothing here touches the database; :func:`refusals` checks a condition where it stands in a
draft's document with the loader's own rules.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field

import pydantic
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from evalapp.models import Side
from evalapp.questionnaires import problems as definition_problems
from evalapp.questionnaires.conditions import Condition
from evalapp.questionnaires.definition import Item, check_condition
from evalapp.questionnaires.editing import EditError, condition_text, parse_condition, sections, whole
from evalapp.questionnaires.types import DONT_KNOW, DONT_KNOW_LABEL, OTHER, TYPES

#: The subject of a rule on the invitation rather than on an answer (no item code is written in small letters).
INVITATION = "invitation"

#: What a rule on an answer may ask, by the key a definition file writes.
OPERATORS = {
    "equals": _l("is"),
    "in": _l("is one of"),
    "includes": _l("includes"),
    "at_least": _l("is at least"),
    "answered": _l("is answered"),
}

#: What a rule on the invitation may ask, and the condition each one is.
INVITATION_OPERATORS = {
    Side.HOME.value: (_l("is for the home side"), {"side": Side.HOME.value}),
    Side.PARTNER.value: (_l("is for the partner side"), {"side": Side.PARTNER.value}),
    "partnership": (_l("belongs to a partnership"), {"partnership": True}),
    "alone": (_l("does not belong to a partnership"), {"partnership": False}),
}

#: How rules hold together.
COMBINATIONS = {"all": _l("All of the rules"), "any": _l("Any one of the rules")}

#: The characters of a question's text its label starts with.
TEXT_START = 60


@dataclass(frozen=True)
class Question:
    """An earlier question a rule may name: an item, or a matrix's cell."""

    code: str
    label: str
    #: The title of its page, which groups the questions in the list.
    page: str
    #: The answers it can have, as (value, label); empty for a number or a text.
    answers: tuple = ()
    #: Its answer is a number, typed in.
    number: bool = False
    #: Its answer is several options (a multiple choice).
    several: bool = False
    #: Its answers are ordered (a scale, a number): "is at least" applies.
    ordered: bool = False

    @property
    def operators(self) -> list[str]:
        if self.several:
            return ["includes", "answered"]
        named = ["equals", "in"] if self.answers else ["equals"] if self.number else []
        return named + (["at_least"] if self.ordered else []) + ["answered"]

    def answers_for(self, operator: str) -> list[tuple]:
        """The answers a rule with ``operator`` chooses among ("don't know" is not at least anything)."""
        if operator == "at_least":
            return [(value, label) for value, label in self.answers if value != DONT_KNOW]
        return list(self.answers)

    def widget(self, operator: str) -> str | None:
        """How the rule's answer is chosen: "select", "checkboxes", "number", or None when there is none."""
        if operator not in self.operators or operator == "answered":
            return None
        if operator == "in":
            return "checkboxes"
        return "select" if self.answers else "number"

    def typed(self, sent: str):
        """An answer as the form sends it (a text) as the condition writes it: an option's code, 4, "dk", 2.5."""
        if self.number:
            return whole(float(sent))
        return next((value for value, _label in self.answers if str(value) == sent), None)


def _start(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_START else text[:TEXT_START - 1].rstrip() + "…"


def _text(node, lang: str) -> str:
    node = node if isinstance(node, dict) else {}
    return str(node.get(lang) or node.get("fr") or "")


def _questions_of(document: dict, item: dict, page: str, lang: str) -> list[Question]:
    kind = TYPES.get(item.get("type"))
    code = str(item.get("code") or "")
    if kind is None or not code:
        return []
    label = f"{code} — {_start(_text(item.get('text'), lang))}"
    if item.get("scale"):  # a scale, or a matrix's cells
        labels = (document.get("scales") or {}).get(item.get("scale")) or {}
        answers = tuple((value, f"{value} – {_text(labels.get(value) or labels.get(str(value)), lang)}")
                        for value in range(1, 6)) + ((DONT_KNOW, str(DONT_KNOW_LABEL)),)
    else:
        answers = tuple((str(option.get("code")), f"{_text(option.get('label'), lang)} ({option.get('code')})")
                        for option in item.get("options") or () if isinstance(option, dict))
        if answers and item.get("other"):
            answers += ((OTHER, _("Other (%(code)s)", code=OTHER)),)
    shared = dict(page=page, answers=answers, number=kind.ordered and not item.get("scale"), several=kind.includes,
                  ordered=kind.ordered)
    if not item.get("rows"):
        return [Question(code, label, **shared)]
    return [Question(f"{code}_{row.get('code')}_{column.get('code')}",
                     f"{code}_{row.get('code')}_{column.get('code')} — {_start(_text(item.get('text'), lang))} "
                     f"({_text(row.get('label'), lang)} × {_text(column.get('label'), lang)})", **shared)
            for row in item.get("rows") or () for column in item.get("columns") or ()]


def questions_before(document: dict, lang: str, *, item: str | None = None, section: str | None = None,
                     end_of: str | None = None) -> list[Question]:
    """The questions a condition may name, in questionnaire order: those before question ``item``, before page
    ``section``, or up to the end of page ``end_of`` (for a question added at its end)."""
    found = []
    for page in sections(document):
        if page.get("code") == section:
            break
        title = _text(page.get("title"), lang) or str(page.get("code"))
        for question in page.get("items") or ():
            if item is not None and question.get("code") == item:
                return found
            found += _questions_of(document, question, title, lang)
        if end_of is not None and page.get("code") == end_of:
            break
    return found


# --- Rules and conditions ---------------------------------------------------------------------------

@dataclass
class Rule:
    """One rule as the form holds it: a question's code (or INVITATION), an operator, the answers chosen (as sent)."""

    subject: str = ""
    operator: str = ""
    values: list[str] = field(default_factory=list)


@dataclass
class Rules:
    combine: str = "all"
    rules: list[Rule] = field(default_factory=list)


class RuleErrors(ValueError):
    """Rules that cannot make a condition yet: a message by rule (its index)."""

    def __init__(self, errors: dict[int, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def _by_code(questions: list[Question]) -> dict[str, Question]:
    return {question.code: question for question in questions}


def fitted(rules: Rules, questions: list[Question]) -> Rules:
    """The rules with what their question no longer offers dropped: another question chosen, its operator;
    another operator, its answers."""
    known = _by_code(questions)
    fitted_rules = []
    for rule in rules.rules:
        # An operator the subject does not offer is not chosen yet: none is chosen in the organiser's place.
        if rule.subject == INVITATION:
            fitted_rules.append(Rule(INVITATION, rule.operator if rule.operator in INVITATION_OPERATORS else "", []))
            continue
        question = known.get(rule.subject)
        if question is None:  # kept, so that saving says a question asked before this one is needed
            fitted_rules.append(Rule(rule.subject, "", []))
            continue
        operator = rule.operator if rule.operator in question.operators else ""
        widget = question.widget(operator)
        if widget == "number":
            values = rule.values[:1]
        else:
            offered = {str(value) for value, _label in question.answers_for(operator)}
            values = [value for value in rule.values if value in offered]
            values = values[:1] if widget == "select" else values if widget == "checkboxes" else []
        fitted_rules.append(Rule(rule.subject, operator, values))
    return Rules(rules.combine if rules.combine in COMBINATIONS else "all", fitted_rules)


def _condition_of_rule(rule: Rule, question: Question | None) -> dict:
    """One rule's condition; ValueError saying what to choose."""
    if rule.subject == INVITATION:
        if rule.operator not in INVITATION_OPERATORS:
            raise ValueError(_("Choose what the invitation must be."))
        return dict(INVITATION_OPERATORS[rule.operator][1])
    if question is None:
        raise ValueError(_("Choose a question asked before this one."))
    operator = rule.operator
    if operator not in question.operators:
        raise ValueError(_("Choose what its answer must be."))
    if operator == "answered":
        return {"item": question.code, "answered": True}
    if question.widget(operator) == "number":
        try:
            value = question.typed((rule.values or [""])[0].strip().replace(",", "."))
        except ValueError:
            raise ValueError(_("Enter a number.")) from None
        return {"item": question.code, operator: value}
    # In the order the question offers them, as ticked boxes are sent.
    chosen = [value for value, _label in question.answers_for(operator) if str(value) in rule.values]
    if operator == "in":
        if not chosen:
            raise ValueError(_("Tick one answer or more."))
        return {"item": question.code, "in": chosen}
    if len(chosen) != 1:
        raise ValueError(_("Choose an answer."))
    return {"item": question.code, operator: chosen[0]}


def condition_of(rules: Rules, questions: list[Question]) -> dict | None:
    """The ``when`` of the rules (None without any); :class:`RuleErrors` for rules not complete.

    A rule with no question chosen is left out: it is one added and not filled in.
    """
    known = _by_code(questions)
    parts, errors, numbers = [], {}, {}
    for index, rule in enumerate(rules.rules):
        if not rule.subject:
            continue
        try:
            part = _condition_of_rule(rule, known.get(rule.subject))
        except ValueError as exc:
            errors[index] = str(exc)
            continue
        same = numbers.setdefault(_canonical(part), index + 1)
        if same != index + 1:
            errors[index] = _("This rule is the same as rule %(number)s: remove one of them.", number=same)
        parts.append(part)
    if errors:
        raise RuleErrors(errors)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {rules.combine if rules.combine in COMBINATIONS else "all": parts}


def _rule_of(condition, known: dict[str, Question]) -> Rule | None:
    if not isinstance(condition, dict):
        return None
    for key, (_label, written) in INVITATION_OPERATORS.items():
        if _canonical(condition) == _canonical(written):
            return Rule(INVITATION, key, [])
    question = known.get(str(condition.get("item")))
    operator = next((key for key in OPERATORS if key in condition), None)
    if question is None or operator is None:
        return None
    value = condition[operator]
    values = [] if operator == "answered" else [str(whole(v)) for v in (value if isinstance(value, list) else [value])]
    return Rule(question.code, operator, values)


def rules_of(condition: dict | None, questions: list[Question]) -> Rules | None:
    """The rules of a condition; None when the rules cannot show it exactly (it stays as text)."""
    if not condition:
        return Rules()
    known = _by_code(questions)
    combine = next((key for key in COMBINATIONS if isinstance(condition, dict) and key in condition), None)
    parts = condition[combine] if combine else [condition]
    if not isinstance(parts, list) or len(parts) < (2 if combine else 1):
        return None  # {all: [one]} too: the rules would write it without its "all"
    rules = [_rule_of(part, known) for part in parts]
    if None in rules:
        return None
    shown = Rules(combine or "all", rules)
    try:
        written = condition_of(shown, questions)
    except RuleErrors:
        return None
    return shown if _canonical(written) == _canonical(condition) else None


def _canonical(condition) -> str:
    def whole_numbers(node):
        if isinstance(node, dict):
            return {key: whole_numbers(value) for key, value in node.items()}
        if isinstance(node, list):
            return [whole_numbers(value) for value in node]
        return whole(node)

    return json.dumps(whole_numbers(condition), sort_keys=True, default=str)


def rules_from_form(form) -> Rules:
    """The rules as the builder's fields send them (``combine``, ``rule-N-subject``, ``-operator``, ``-value``)."""
    numbers = sorted({int(name.split("-")[1]) for name in form if name.startswith("rule-") and
                      name.endswith("-subject") and name.split("-")[1].isdigit()})
    return Rules(form.get("combine", "all"), [
        Rule(form.get(f"rule-{n}-subject", ""), form.get(f"rule-{n}-operator", ""),
             [value for value in form.getlist(f"rule-{n}-value") if value.strip()])
        for n in numbers[:50]])


# --- The builder on a form -----------------------------------------------------------------------------

#: The id of the builder's "Add a rule" button.
ADD_RULE = "when-add"


@dataclass
class Builder:
    """The condition part of a question's or a page's form: its rules, or its text (``text_mode``) for a condition
    the rules cannot show, or when the organiser prefers to write it."""

    questions: list[Question]
    rules: Rules = field(default_factory=Rules)
    text_mode: bool = False
    #: The condition as typed in text mode.
    text: str = ""
    #: Why the condition is shown as text, when the rules cannot show it.
    note: str = ""
    #: What a rule still needs, by its index.
    errors: dict[int, str] = field(default_factory=dict)
    #: The id of the field a step leads to, which the form drawn again gives the focus (and brings into view).
    focus: str = ""

    invitation = INVITATION
    combinations = COMBINATIONS
    add_rule = ADD_RULE

    @classmethod
    def of(cls, condition: dict | None, questions: list[Question]) -> Builder:
        """The builder of a saved condition: its rules, or its text when the rules cannot show it."""
        rules = rules_of(condition, questions)
        if rules is None:
            return cls(questions, text_mode=True, text=condition_text(condition), note=str(CANNOT_SHOW))
        return cls(questions, rules)

    @classmethod
    def posted(cls, form, questions: list[Question]) -> Builder:
        """The builder as its form sent it; as text when the form says nothing of rules (one drawn before them)."""
        return cls(questions, fitted(rules_from_form(form), questions),
                   text_mode=form.get("condition_mode", "text") == "text", text=form.get("when", ""))

    def condition(self) -> dict | None:
        """The ``when`` written; :class:`EditError` for the field ``when`` when it cannot be yet."""
        if self.text_mode:
            return parse_condition(self.text)
        try:
            return condition_of(self.rules, self.questions)
        except RuleErrors as exc:
            self.errors = exc.errors
            raise EditError(_("A rule needs correcting: see below."), "when") from None

    def step(self, action: str) -> None:
        """A step of the builder, a button the organiser pressed: ``add`` a rule, ``remove-N`` one, ``apply`` the
        choices made (their answers to choose from), or switch to the ``text`` or the ``rules``.

        Raise :class:`EditError` when the switch cannot be made: the builder stays as it was.
        """
        rules = self.rules.rules
        if action == "add":
            rules.append(Rule())
            self.focus = f"rule-{len(rules) - 1}-subject"
        elif action.startswith("remove-") and action[7:].isdigit() and int(action[7:]) < len(rules):
            del rules[int(action[7:])]
            self.focus = ADD_RULE
        elif action == "text" and not self.text_mode:
            self.text = condition_text(self.condition())
            self.text_mode = True
        elif action == "rules" and self.text_mode:
            shown = rules_of(parse_condition(self.text), self.questions)
            if shown is None:
                self.note = str(CANNOT_SHOW)
                raise EditError(str(CANNOT_SHOW), "when")
            self.rules, self.text_mode, self.note = shown, False, ""
            self.focus = ADD_RULE
        elif action == "apply":
            self.focus = self._first_to_choose()

    def _first_to_choose(self) -> str:
        """The id of the first choice a rule still waits for: its question, its condition, its answer."""
        for n, rule in enumerate(self.rules.rules):
            question = self.question(rule)
            if not rule.subject:
                return f"rule-{n}-subject"
            if not rule.operator and self.operator_choices(rule):
                return f"rule-{n}-operator"
            widget = question.widget(rule.operator) if question else None
            if widget and not rule.values:
                return f"rule-{n}-value-1" if widget == "checkboxes" else f"rule-{n}-value"
        return ADD_RULE

    def question(self, rule: Rule) -> Question | None:
        return _by_code(self.questions).get(rule.subject)

    def operator_choices(self, rule: Rule) -> list[tuple[str, str]]:
        """What the rule's subject offers to ask, as (operator, label)."""
        if rule.subject == INVITATION:
            return [(key, str(label)) for key, (label, _written) in INVITATION_OPERATORS.items()]
        question = self.question(rule)
        return [(operator, str(OPERATORS[operator])) for operator in question.operators] if question else []

    def pages(self) -> list[tuple[str, list[Question]]]:
        """The questions grouped by page, in order."""
        grouped: list[tuple[str, list[Question]]] = []
        for question in self.questions:
            if not grouped or grouped[-1][0] != question.page:
                grouped.append((question.page, []))
            grouped[-1][1].append(question)
        return grouped


CANNOT_SHOW = _l("The rule builder cannot show this condition (rules inside rules, a question not asked before, or "
                 "an answer its question does not offer): it is kept as written, as text.")


# --- Where it stands ----------------------------------------------------------------------------------

def _checked_item(item) -> Item | None:
    """An item of a draft as the format reads it, its texts still to write standing in; None if it has problems."""
    def filled(node):
        if isinstance(node, dict):
            node = {key: filled(value) for key, value in node.items()}
            if set(node) & {"fr", "en"} and set(node) <= {"fr", "en"}:
                node = {lang: node.get(lang) or "…" for lang in ("fr", "en")}
            return node
        return [filled(value) for value in node] if isinstance(node, list) else node

    try:
        return Item.model_validate(filled(copy.deepcopy(item)))
    except (pydantic.ValidationError, TypeError):
        return None


def refusals(document: dict, condition: dict | None, *, item: str | None = None,
             section: str | None = None) -> list[str]:
    """What the loader refuses in ``condition`` as question ``item``'s (or page ``section``'s) in ``document``: a
    condition it cannot read, a code no question has, a question not asked before it (which would loop), an
    option or a value its answer cannot have."""
    if not condition:
        return []
    try:
        model = pydantic.TypeAdapter(Condition).validate_python(condition)
    except pydantic.ValidationError as exc:
        return [definition_problems.what(exc.errors()[0])]
    owners, earlier, set_aside, before = {}, set(), set(), True
    for page in sections(document):
        if page.get("code") == section:
            before = False
        for entry in page.get("items") or ():
            if not isinstance(entry, dict):
                continue
            if entry.get("code") == item:
                before = False
            checked = _checked_item(entry)
            codes = [checked.code, *checked.answer_codes] if checked else [str(entry.get("code"))]
            if checked:
                owners.update(dict.fromkeys(codes, checked))
            else:
                set_aside.update(codes)
            if before:
                earlier.update(codes)
    where = item if item is not None else _("section '%(code)s'", code=section)
    return check_condition(model, owners, earlier, where, set_aside)
