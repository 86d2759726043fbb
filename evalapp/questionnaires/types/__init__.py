"""The item types of questionnaires, one class each (see base.py), and their registry.

Adding a type: a subclass of :class:`ItemType` in a module here (its ``html`` writes its question
with the helpers of html.py), added to :data:`TYPES`, and its tests.
"""
from evalapp.questionnaires.types.base import (
    BLANK_ROW,
    DONT_KNOW,
    DONT_KNOW_LABEL,
    NOT_ANSWERED,
    NOT_ASKED,
    NOT_ASKED_LABEL,
    OTHER,
    AnswerMap,
    AnswerRow,
    Column,
    DemoTexts,
    ItemType,
    Labelled,
    Line,
)
from evalapp.questionnaires.types.choice import OTHER_MAX_LENGTH, Multiple, Single, other_field_name
from evalapp.questionnaires.types.number import Number, NumberError, number_text, parse_number
from evalapp.questionnaires.types.scale import Matrix, Scale
from evalapp.questionnaires.types.text import LongText, ShortText

#: Every item type, by the name definition files give it.
TYPES: dict[str, ItemType] = {kind.name: kind for kind in (
    Scale(), Single(), Multiple(), Number(), ShortText(), LongText(), Matrix(),
)}

#: The types recorded in ``questionnaire_items`` whose answers the dashboards count.
COUNTED_TYPES = tuple(kind.stored_type for kind in TYPES.values() if kind.counted)
#: Those whose respondents are counted too (a choice of several options).
RESPONDENT_COUNTED_TYPES = tuple(kind.stored_type for kind in TYPES.values() if kind.counts_respondents)

__all__ = [
    "COUNTED_TYPES", "DONT_KNOW", "DONT_KNOW_LABEL", "NOT_ANSWERED", "NOT_ASKED", "NOT_ASKED_LABEL", "OTHER",
    "OTHER_MAX_LENGTH", "RESPONDENT_COUNTED_TYPES", "TYPES", "AnswerMap", "AnswerRow", "BLANK_ROW", "Column", "DemoTexts", "ItemType",
    "Labelled", "Line", "NumberError",
    "number_text", "other_field_name", "parse_number",
]
