"""Items that depend on an answer on their own page: the note that says when to answer them, and the
condition their page's script evaluates (static/js/conditions.js).
"""
import json
from dataclasses import dataclass

from flask_babel import gettext as _

from evalapp.questionnaires.conditions import All, Answered, AtLeast, Equals, Includes, OneOf
from evalapp.questionnaires.definition import Definition, Item
from evalapp.questionnaires.types import AnswerRow


@dataclass(frozen=True)
class ConditionalItem:
    #: "Answer only if ...", shown with the item (with scripts off, it is how the respondent knows).
    note: str
    #: The condition on the page's answers, as JSON for the page's script.
    when: str


def conditional_notes(definition: Definition, drawn: list[tuple], side: str, lang: str) -> dict[str, ConditionalItem]:
    """The items of a page (``drawn``: (item, what it depends on) pairs) that depend on the page's answers."""
    return {
        item.code: ConditionalItem(_("Answer only if %(condition)s.", condition=describe(definition, condition, lang)),
                                   json.dumps(condition.model_dump(mode="json"), separators=(",", ":")))
        for item, condition in drawn
        if not isinstance(condition, bool)
    }


def describe(definition: Definition, condition, lang: str) -> str:
    """A condition on answers, as the respondent reads it: "you answered “Yes” to AGR_01"."""
    if condition.parts():
        joiner = _(" and ") if isinstance(condition, All) else _(" or ")
        return joiner.join(describe(definition, part, lang) for part in condition.parts())
    code = condition.item
    owner = definition.owners[code]
    match condition:
        case Equals():
            return _("you answered “%(answer)s” to %(code)s", answer=value_text(definition, owner, code,
                                                                                condition.equals, lang), code=code)
        case OneOf():
            answers = _(" or ").join(_("“%(answer)s”", answer=value_text(definition, owner, code, v, lang))
                                    for v in condition.in_)
            return _("you answered %(answers)s to %(code)s", answers=answers, code=code)
        case Includes():
            return _("you ticked “%(answer)s” in %(code)s", answer=owner.option_label(condition.includes, lang)
                     or condition.includes, code=code)
        case AtLeast():
            return _("you answered at least %(value)s to %(code)s", value=f"{condition.at_least:g}", code=code)
        case Answered():
            return _("you answered %(code)s", code=code)
    return str(condition)


def value_text(definition: Definition, item: Item, code: str, value, lang: str) -> str:
    """A value a condition compares with, worded as the item's answers are (an option's label, a scale's...)."""
    rows = [AnswerRow.of(row) for row in item.kind.rows(item, {code: value})]
    return item.kind.answer_text(item, definition, rows, lang)[0] if rows else str(value)
