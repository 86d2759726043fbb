"""What every item type has: the base class of the types, and the shapes they hand to the rest of the app.

An item type (scale, single choice, number...) owns everything that depends on it, in one class:
its rules in the definition file, its WTForms fields and how their values become answer rows
and back, its read-only display, its export columns, values and codebook entry, how the
dashboards count and chart it, and its demo answers. The rest of the application asks the
item's type (``item.kind``) and never tests ``item.type`` itself.

Answer rows are column mappings of :class:`evalapp.models.Answer` (``item_code``, ``scale_value``,
``dont_know``, ``choice``, ``number_value``, ``text_value``); saved answers come grouped by code
(:data:`AnswerMap`); a page's values are keyed by field name, as the section form gives them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

if TYPE_CHECKING:
    import random

    from markupsafe import Markup

    from evalapp.questionnaires.definition import Definition, Item
    from evalapp.questionnaires.types.html import Page

#: Value of a "don't know / not applicable" answer in forms and exports.
DONT_KNOW = "dk"
#: Option code of the "other, specify" choice.
OTHER = "other"
#: Value, in exports, of an item the respondent was not asked (its conditions did not hold).
NOT_ASKED = "not_asked"

NOT_ANSWERED = _l("Not answered")
DONT_KNOW_LABEL = _l("Don't know / not applicable")
NOT_ASKED_LABEL = _l("not asked")



class AnswerRow(NamedTuple):
    """One saved answer's values, as read for pages and exports (lighter than an ORM Answer)."""

    choice: str | None
    scale_value: int | None
    dont_know: bool
    number_value: float | None
    text_value: str | None

    @classmethod
    def of(cls, row: dict) -> AnswerRow:
        """The saved answer a row written by a type's ``rows`` stands for (the columns it leaves out as stored)."""
        return cls(**{name: row.get(name, BLANK_ROW[name]) for name in cls._fields})


#: An answer row's columns as stored when a type's row leaves them out (evalapp.models.Answer).
BLANK_ROW = {"choice": "", "scale_value": None, "dont_know": False, "number_value": None, "text_value": None}

#: Saved answers by item (or matrix cell) code: each a list of AnswerRow (or Answer objects).
AnswerMap = dict[str, list]


#: The fields of an item that only some types take, and which ones (for the loader's messages).
ONLY_FOR = {
    "scale": _l("scales and matrices"),
    "gap": _l("scale items (a matrix says it on each column)"),
    "options": _l("choices"),
    "other": _l("choices"),
    "min": _l("numbers"),
    "max": _l("numbers"),
    "rows": _l("a matrix"),
    "columns": _l("a matrix"),
    "max_length": _l("text items"),
    "story": _l("long_text items"),
}


@dataclass
class Line:
    """One question (or matrix cell) and its answer as the respondent would read it."""

    code: str
    question: str
    answer: str
    answered: bool


@dataclass
class Column:
    """One column of the wide export, and which answers fill it."""

    code: str
    item: Item | None = None
    cell: str | None = None       # matrix cell code
    option: str | None = None     # multiple choice: the option of a 0/1 column
    other: bool = False           # the "other, specify" text

    @property
    def answer_code(self) -> str:
        """The code of the answer rows this column reads."""
        return self.cell or self.item.code


@dataclass(frozen=True)
class Labelled:
    """One column of the wide file as a variable of SPSS and Stata (evalapp/reporting/stats_files.py).

    The file writes the wide file's codes (``values="codes"``): numbers as they are, the codes in
    ``numbers`` as their number; "don't know" and "not asked" become declared missing values there.
    """

    #: SPSS's measure: "nominal", "ordinal" or "scale"; "text" for a string variable.
    measure: str
    #: Value labels, in the export's language: the number written → what it means.
    labels: dict[int, str] = field(default_factory=dict)
    #: The wide file's codes that are not numbers (option codes) → the number written for each.
    numbers: dict[str, int] = field(default_factory=dict)
    #: Whether its answers may be "don't know" (a code of its own, declared missing).
    dont_know: bool = False
    #: The lowest value it takes: the codes of missing values are chosen below it.
    lowest: float = 0


@dataclass(frozen=True)
class DemoTexts:
    """Texts the demo and synthetic respondents write."""

    stories: tuple[str, ...]
    others: tuple[str, ...]
    short: tuple[str, ...]


class ItemType:
    """One kind of item. Subclasses set ``name`` and override what differs; one instance each, in the registry."""

    #: The ``type`` of the definition file.
    name: ClassVar[str]
    #: The type recorded for each answer code in ``questionnaire_items`` (a matrix stores its cells).
    stored_type: ClassVar[str | None] = None
    #: Its answers are 1–5 scores: with a scored theme, they make the theme's 0–100 index.
    scored: ClassVar[bool] = False
    #: The dashboards count its answers in the kept figures (evalapp/tallies.py).
    counted: ClassVar[bool] = False
    #: The dashboards count how many respondents chose at least one option (multiple choice).
    counts_respondents: ClassVar[bool] = False
    #: Which dashboard chart draws it: "distribution" (one bar per item), "heatmap", "choices" or None.
    chart: ClassVar[str | None] = None
    #: Respondents type its answers: the Texts page lists them; spreadsheet files neutralise them.
    free_text: ClassVar[bool] = False
    #: Its answers may be stories (the Stories page).
    narrative: ClassVar[bool] = False

    # --- The definition file -----------------------------------------------------------------

    #: The type-specific fields of the definition file this type takes (see :data:`ONLY_FOR`).
    accepts: ClassVar[frozenset[str]] = frozenset()

    def check(self, item: Item) -> None:
        """Raise ValueError, saying what to fix, if ``item`` does not fit this type.

        Here: no field meant for other types. Subclasses add what their own fields need.
        """
        for field_name, meant_for in ONLY_FOR.items():
            if field_name not in self.accepts and getattr(item, field_name) not in (None, False):
                raise ValueError(_("'%(field)s' is only for %(meant_for)s, not for a %(type)s item", field=field_name,
                                   meant_for=meant_for, type=self.name))

    def answer_codes(self, item: Item) -> list[str]:
        """The codes its answers are stored under."""
        return [item.code]

    def text_limit(self, item: Item) -> int | None:
        """The most characters an answer may have, for types the respondent types."""
        return None

    def field_names(self, item: Item) -> list[str]:
        """The names of the form fields that answer it."""
        return self.answer_codes(item)

    # --- Conditions on its answers (evalapp/questionnaires/conditions.py) ----------------------

    #: A condition may ask whether its answer is at least a number (``at_least``).
    ordered: ClassVar[bool] = False
    #: Its answer is several options: a condition asks whether it includes one (``includes``).
    includes: ClassVar[bool] = False

    def comparable(self, item: Item, value) -> bool:
        """Whether a condition may compare its answer with ``value`` (``equals``, ``in``)."""
        return isinstance(value, str)

    def has_option(self, item: Item, option: str) -> bool:
        """Whether a condition may ask if its answer includes ``option`` (``includes``)."""
        return False

    # --- Forms and answer rows ----------------------------------------------------------------

    def fields(self, item: Item, definition: Definition, side: str, lang: str) -> dict:
        """The WTForms fields that answer ``item``, by name."""
        raise NotImplementedError

    def form_data(self, item: Item, answers: AnswerMap) -> dict:
        """The saved answers to ``item``, as its fields' data."""
        raise NotImplementedError

    def rows(self, item: Item, data: dict) -> list[dict]:
        """The answer rows of its fields' values (shaped as :meth:`form_data` gives them)."""
        raise NotImplementedError

    def is_answered(self, item: Item, answers: AnswerMap) -> bool:
        """Answered when every one of its codes has a row (don't know included)."""
        return all(answers.get(code) for code in self.answer_codes(item))

    def html(self, item: Item, form, page: Page) -> Markup:
        """Its question(s) on a page, with the form's fields that answer it (see html.py)."""
        raise NotImplementedError

    # --- Reading -------------------------------------------------------------------------------

    def lines(self, item: Item, definition: Definition, side: str, answers: AnswerMap, lang: str) -> list[Line]:
        """Its question(s) and answer(s) as the respondent reads them after answering."""
        rows = answers.get(item.code) or []
        answer, answered = self.answer_text(item, definition, rows, lang) if rows else (str(NOT_ANSWERED), False)
        return [Line(item.code, item.text_for(side, lang), answer, answered)]

    def answer_text(self, item: Item, definition: Definition, rows: list, lang: str) -> tuple[str, bool]:
        """The answer of some rows (never empty) as text, and whether it counts as answered."""
        raise NotImplementedError

    # --- Exports -------------------------------------------------------------------------------

    def columns(self, item: Item) -> list[Column]:
        """Its columns in the wide export."""
        return [Column(item.code, item)]

    def column_header(self, column: Column, lang: str) -> str:
        """A column's header as question text."""
        return column.item.text.get(lang)

    def value(self, definition: Definition, column: Column, rows: list, options) -> Any:
        """A column's value from the answer rows of its code: a code, or a label with ``options.values == "labels"``.

        ``options`` is the export's ExportOptions; the caller has set the locale to ``options.lang``.
        """
        if not rows:
            return None
        code, label = self.long_value(definition, column.item, rows[0], options.lang)
        return label if options.values == "labels" and label is not None else code

    def long_value(self, definition: Definition, item: Item, row, lang: str) -> tuple[Any, str | None]:
        """One answer row in the long export: its value (a code, a number or a text), and its label in ``lang``."""
        raise NotImplementedError

    def api_values(self, definition: Definition, item: Item, answers: AnswerMap) -> dict[str, Any]:
        """Its answers in a response of the API (evalapp/api): {key: a code, a number or a text; None when not
        answered}, a key per answer code (the item's, or each matrix cell's)."""
        values = {}
        for code in self.answer_codes(item):
            rows = answers.get(code)
            values[code] = self.long_value(definition, item, rows[0], "en")[0] if rows else None
        return values

    def api_value_kind(self, item: Item) -> str:
        """What the API's value of one of its answer codes is, in words a program's author reads."""
        return "text"

    def codebook_type(self, column: Column) -> str:
        """The codebook's ``type`` of one of its columns."""
        return self.name

    def labelled(self, definition: Definition, column: Column, lang: str) -> Labelled:
        """One of its columns as a variable of SPSS and Stata: its measure and value labels in ``lang``.

        The caller has set the locale to ``lang``.
        """
        raise NotImplementedError

    def allowed_values(self, definition: Definition, column: Column) -> str:
        """The codebook's ``values`` of one of its columns."""
        raise NotImplementedError

    # --- Demo and tests ------------------------------------------------------------------------

    def demo_rows(self, item: Item, level: float, rng: random.Random, texts: DemoTexts) -> list[dict]:
        """Plausible answer rows from a respondent whose overall view is ``level`` (1–5)."""
        return []

    def sample_form_data(self, item: Item) -> dict:
        """Form values that answer ``item`` correctly, as a browser sends them."""
        raise NotImplementedError


def no_nul(form, field):
    """No keyboard types a NUL character and the database cannot store one: say so at the field."""
    if field.data and "\x00" in field.data:
        raise ValidationError(_l("This answer contains a character that cannot be stored (NUL): remove it."))


def strip(value):
    return value.strip() if isinstance(value, str) else value
