"""Conditions: an item or a section asked only when earlier answers, or the invitation, meet one.

A condition is written in a definition file under ``when:`` (see FORMAT.md), one key saying its kind::

    {item: PRO_02, equals: yes}         {item: PRO_02, in: [yes, partly]}
    {item: CTX_01, includes: culture}   {item: REC_01, at_least: 4}     {item: CTX_02, answered: true}
    {side: partner}                     {partnership: true}
    {all: [cond, ...]}                  {any: [cond, ...]}

Conditions are evaluated against a response's values shaped as a section form's data (field name ->
value: "1".."5" or "dk" for scales and matrix cells, an option code, a list of them, a number, a text),
so that saved answers and the values of a page being posted are read alike. An item that is not asked
counts as not answered: a condition on it does not hold (its own conditions chain on).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from evalapp.models import rounds

if TYPE_CHECKING:
    from evalapp.questionnaires.definition import Definition

Value = Annotated[int | float | str, Field(union_mode="left_to_right")]


class _Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True,
                              serialize_by_alias=True)

    def item_codes(self) -> list[str]:
        """The codes of the answers this condition reads."""
        return [self.item] if hasattr(self, "item") else []

    def parts(self) -> list[Condition]:
        return []


class Equals(_Condition):
    item: str
    equals: Value


class OneOf(_Condition):
    item: str
    in_: list[Value] = Field(alias="in", min_length=1)


class Includes(_Condition):
    item: str
    includes: str


class AtLeast(_Condition):
    item: str
    at_least: int | float


class Answered(_Condition):
    item: str
    answered: Literal[True]


class OnSide(_Condition):
    side: Literal[rounds.SIDES]


class InPartnership(_Condition):
    partnership: bool


class All(_Condition):
    all: list[Condition] = Field(min_length=1)

    def parts(self) -> list[Condition]:
        return list(self.all)


class AnyOf(_Condition):
    any: list[Condition] = Field(min_length=1)

    def parts(self) -> list[Condition]:
        return list(self.any)


#: Each kind of condition, by the key that says it.
KINDS = {"equals": Equals, "in": OneOf, "includes": Includes, "at_least": AtLeast, "answered": Answered,
         "side": OnSide, "partnership": InPartnership, "all": All, "any": AnyOf}


def _kind(value) -> str | None:
    if isinstance(value, dict):
        keys = [key for key in KINDS if key in value or (key == "in" and "in_" in value)]
        return keys[0] if len(keys) == 1 else None
    return next((key for key, kind in KINDS.items() if isinstance(value, kind)), None)


Condition = Annotated[
    Union[tuple(Annotated[kind, Tag(key)] for key, kind in KINDS.items())],  # noqa: UP007 (built from KINDS)
    Discriminator(_kind, custom_error_type="condition",
                  custom_error_message="a condition needs exactly one of: " + ", ".join(KINDS)),
]
All.model_rebuild()
AnyOf.model_rebuild()


def walk(condition: Condition):
    """The condition and every condition inside it."""
    yield condition
    for part in condition.parts():
        yield from walk(part)


# --- Evaluation ---------------------------------------------------------------------------------

def _empty(value) -> bool:
    return value is None or value == "" or value == []


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _same(value, expected) -> bool:
    if isinstance(expected, (int, float)) and _number(value) is not None:
        return _number(value) == expected
    return str(value) == str(expected)


def holds(condition: Condition, values: dict, side: str, partnership: bool) -> bool:
    """Whether ``condition`` holds for a response on ``side`` whose asked answers are ``values``.

    ``values`` holds only answers to items that are asked (see :func:`asked`), by field name.
    """
    match condition:
        case OnSide():
            return side == condition.side
        case InPartnership():
            return partnership == condition.partnership
        case All():
            return all(holds(part, values, side, partnership) for part in condition.all)
        case AnyOf():
            return any(holds(part, values, side, partnership) for part in condition.any)
    value = values.get(condition.item)
    if _empty(value):
        return False
    match condition:
        case Equals():
            return _same(value, condition.equals)
        case OneOf():
            return any(_same(value, expected) for expected in condition.in_)
        case Includes():
            return condition.includes in (value if isinstance(value, list) else [value])
        case AtLeast():
            return _number(value) is not None and _number(value) >= condition.at_least
    return True  # Answered


def answers_can_hold(condition: Condition, answerable: frozenset[str]) -> bool:
    """Whether the answers a side is ever asked (``answerable``, by answer code) can meet ``condition``, for a
    response in a partnership or not. False only when they never can: it needs an answer that side never
    gives. A condition on the side itself is taken as met: ``{side: partner}`` says on purpose whom it is for."""
    return any(_can_hold(condition, partnership, answerable) for partnership in (True, False))


def _can_hold(condition: Condition, partnership: bool, answerable: frozenset[str]) -> bool:
    match condition:
        case OnSide():
            return True
        case InPartnership():
            return partnership == condition.partnership
        case All():
            return all(_can_hold(part, partnership, answerable) for part in condition.all)
        case AnyOf():
            return any(_can_hold(part, partnership, answerable) for part in condition.any)
    return condition.item in answerable  # an answer not given does not meet any condition on it


@dataclass(frozen=True)
class Asked:
    """What one response is asked: its sections and items (by code), and their answers' codes."""

    sections: frozenset[str]
    items: frozenset[str]
    #: The answer codes (item or matrix cell codes) of the items not asked: their answers are set aside.
    not_asked_codes: frozenset[str]
    #: The values of the items asked, by field name.
    values: dict = field(default_factory=dict, compare=False, hash=False)

    def sections_of(self, definition: Definition, side: str) -> list:
        return [s for s in definition.sections_for(side) if s.code in self.sections]

    def items_of(self, section, side: str) -> list:
        return [item for item in section.items_for(side) if item.code in self.items]


def asked(definition: Definition, side: str, partnership: bool, values: dict) -> Asked:
    """Which sections and items a response is asked, given all its ``values`` (by field name).

    In questionnaire order, so that an item not asked counts as unanswered for the conditions after it.
    """
    shown: dict = {}
    sections, items, hidden = set(), set(), set()
    for section in definition.sections_for(side):
        section_on = section.when is None or holds(section.when, shown, side, partnership)
        for item in section.items_for(side):
            if section_on and (item.when is None or holds(item.when, shown, side, partnership)):
                items.add(item.code)
                sections.add(section.code)
                shown.update({name: values.get(name) for name in item.kind.field_names(item)})
            else:
                hidden.update(item.answer_codes)
    return Asked(frozenset(sections), frozenset(items), frozenset(hidden), shown)


def on_page(condition: Condition, page: set[str], shown: dict, side: str, partnership: bool) -> Condition | bool:
    """What is left of ``condition`` once all but the answers on the page (field names ``page``) are known.

    True or False when the page's answers do not matter; else the condition on them alone, which the
    page says in a note (and its script evaluates as the respondent answers).
    """
    if isinstance(condition, All | AnyOf):
        parts = [on_page(part, page, shown, side, partnership) for part in condition.parts()]
        decisive = isinstance(condition, AnyOf)  # True decides an "any", False an "all"
        if decisive in parts:
            return decisive
        left = [part for part in parts if not isinstance(part, bool)]
        if not left:
            return not decisive
        return left[0] if len(left) == 1 else type(condition)(**{"any" if decisive else "all": left})
    if condition.item_codes() and condition.item_codes()[0] in page:
        return condition
    return holds(condition, shown, side, partnership)


def page_items(definition: Definition, section, side: str, partnership: bool, values: dict) -> list[tuple]:
    """The items drawn on ``section``'s page given the saved ``values``, each with :func:`on_page` of its condition.

    An item whose condition depends on an answer on the same page is drawn whatever that answer is.
    """
    shown = asked(definition, side, partnership, values).values
    if section.when is not None and not holds(section.when, shown, side, partnership):
        return []
    page, drawn = set(), []
    for item in section.items_for(side):
        condition = True if item.when is None else on_page(item.when, page, shown, side, partnership)
        if condition is not False:
            drawn.append((item, condition))
            page.update(item.kind.field_names(item))
    return drawn


def values_of(definition: Definition, side: str, answers: dict) -> dict:
    """A response's saved answers (an AnswerMap: rows by code) as its pages' values, by field name."""
    return {name: value for section in definition.sections_for(side) for item in section.items_for(side)
            for name, value in item.kind.form_data(item, answers).items()}


def asked_by_answers(definition: Definition, side: str, partnership: bool, answers: dict) -> Asked:
    """:func:`asked` from a response's saved answers (its rows by code); everything when there are no conditions."""
    if not definition.conditional:
        return everything(definition, side)
    return asked(definition, side, partnership, values_of(definition, side, answers))


def everything(definition: Definition, side: str) -> Asked:
    """What a response is asked in a questionnaire without conditions: all of its side."""
    sections = definition.sections_for(side)
    return Asked(frozenset(s.code for s in sections),
                 frozenset(item.code for s in sections for item in s.items_for(side)), frozenset(), {})
