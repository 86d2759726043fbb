"""Numbers, typed as people write them in the language of the page, between the item's bounds."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from babel.numbers import format_decimal
from flask import g
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms import FloatField
from wtforms.validators import NumberRange, Optional

from evalapp.questionnaires.types.base import AnswerMap, Column, ItemType, Labelled
from evalapp.questionnaires.types.html import Page, text_input, typed_question

if TYPE_CHECKING:
    from markupsafe import Markup

    from evalapp.questionnaires.definition import Definition, Item


#: A number as typed once spaces and thousands separators are gone: Latin digits, one decimal mark.
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
#: A double keeps 15 significant digits: more would be stored as another number than the one typed.
MAX_DIGITS = 15
SPACES = (" ", "\u00a0", "\u202f", "\u2009")


class NumberError(ValueError):
    """A text that is not a number we can store exactly; ``message``, if any, says why."""

    def __init__(self, message: str | None = None):
        super().__init__(message)
        self.message = message


def parse_number(text: str, lang: str, integer: bool = False) -> float:
    """Read a number as people type it in ``lang``: "12 500", "2,5" in French; "12,500", "2.5" in English.

    Raise NumberError for anything else: letters, exponents, "NaN", digits of other scripts, more
    significant digits than can be stored as typed, a decimal mark in a whole number, or a French
    "250.000" (250 thousand, or 250?).
    """
    compact = text.strip()
    for space in SPACES:
        compact = compact.replace(space, "")
    if lang == "en" and re.fullmatch(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", compact):
        compact = compact.replace(",", "")
    elif lang != "en":
        if re.fullmatch(r"-?[0-9]{1,3}(\.[0-9]{3})+", compact):
            raise NumberError(_("Write thousands with a space (250 000) and decimals with a comma (2,5)."))
        compact = compact.replace(",", ".")
    if not NUMBER.fullmatch(compact):
        raise NumberError()
    if integer and "." in compact:
        # "250.000" or "12.0" in a whole number: a decimal mark, or a thousands separator? Not guessed.
        raise NumberError(_("Enter a whole number, without a decimal mark: for example 12500."))
    if len(re.sub(r"[^0-9]", "", compact).lstrip("0")) > MAX_DIGITS:
        raise NumberError(_("Enter a number of at most %(count)s digits.", count=MAX_DIGITS))
    return float(compact) + 0.0  # -0 is 0


class NumberAnswerField(FloatField):
    """A number answer typed as people write numbers in the language of the page it was typed on."""

    def __init__(self, *args, integer: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.integer = integer

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        example = (_("Enter a whole number, for example 12500.") if self.integer
                   else _("Enter a number, for example 2.5."))
        try:
            value = parse_number(valuelist[0], g.get("input_lang") or str(get_locale().language), self.integer)
        except NumberError as error:
            raise ValueError(error.message or example) from None
        self.data = int(value) if self.integer else value


def number_text(item: Item, value: float) -> str:
    """A number answer or bound as the interface's language writes it (1 234,5 / 1,234.5), every digit kept."""
    if item.integer:
        value = int(value)
        if 1000 <= item.min and item.max <= 9999:
            # A year: 1967, not 1 967.
            return str(value)
    # Babel rounds to three decimals by default: a value shown rounded would be saved rounded.
    return format_decimal(value, locale=get_locale(), decimal_quantization=False)


class Number(ItemType):
    name = "number"
    stored_type = "number"
    accepts = frozenset({"min", "max"})
    ordered = True

    def api_value_kind(self, item: Item) -> str:
        return "a whole number" if item.integer else "a number"

    def comparable(self, item: Item, value) -> bool:
        return isinstance(value, (int, float)) and item.min <= value <= item.max

    def check(self, item: Item) -> None:
        super().check(item)
        if item.min is None or item.max is None:
            raise ValueError(_("a number item needs both 'min' and 'max'"))
        if item.min > item.max:
            raise ValueError(_("'min' is greater than 'max'"))

    def fields(self, item: Item, definition: Definition, side: str, lang: str) -> dict:
        bounds = NumberRange(min=item.min, max=item.max, message=_(
            "Enter a number between %(min)s and %(max)s.",
            min=number_text(item, item.min), max=number_text(item, item.max)))
        return {item.code: NumberAnswerField(item.text_for(side, lang), integer=item.integer,
                                             validators=[Optional(), bounds],
                                             description=item.help.get(lang) if item.help else "")}

    def html(self, item: Item, form, page: Page) -> Markup:
        # Typed as the page's language writes numbers, with its range (and unit) said beside it.
        field = form[item.code]
        note = _("Between %(min)s and %(max)s.", min=number_text(item, item.min), max=number_text(item, item.max))
        if item.unit:
            note += " " + _("Unit: %(unit)s.", unit=item.unit.get(page.lang))
        # A number comes back as typed, unless the page changed language since: then one read without
        # error is written the new language's way, so that the next save reads the same number.
        if field.raw_data and (field.errors or page.input_lang == page.lang):
            value = field.raw_data[0]
        else:
            value = page.shown(field, lambda data: number_text(item, data) if data is not None else "")
        inputmode = "numeric" if item.integer else "decimal"
        control = text_input(field, page, value, f"{field.name}-range",
                             attributes=f' inputmode="{inputmode}" class="form-control input-number"')
        return typed_question(item, field, page, f"{field.name}-range", note, control)

    def form_data(self, item: Item, answers: AnswerMap) -> dict:
        rows = answers.get(item.code)
        if not rows:
            return {}
        value = rows[0].number_value
        return {item.code: int(value) if item.integer and value is not None else value}

    def rows(self, item: Item, data: dict) -> list[dict]:
        if data.get(item.code) is None:
            return []
        return [{"item_code": item.code, "number_value": data[item.code]}]

    def answer_text(self, item: Item, definition: Definition, rows: list, lang: str) -> tuple[str, bool]:
        unit = item.unit.get(lang) if item.unit else ""
        return f"{number_text(item, rows[0].number_value)} {unit}".strip(), True

    def long_value(self, definition: Definition, item: Item, row, lang: str):
        value = row.number_value
        # 12500, not 12500.0, for whole-number items.
        return (int(value) if item.integer and value is not None and value == int(value) else value), None

    def allowed_values(self, definition: Definition, column: Column) -> str:
        item = column.item
        return f"{item.min:.15g} – {item.max:.15g}" + ("" if item.integer else " (decimal)")

    def labelled(self, definition: Definition, column: Column, lang: str) -> Labelled:
        return Labelled("scale", lowest=column.item.min)

    def demo_rows(self, item: Item, level: float, rng, texts) -> list[dict]:
        low, high = item.min, item.max
        value = rng.uniform(low, low + (high - low) / 20) if high - low > 1000 else rng.uniform(low, high)
        return [{"item_code": item.code, "number_value": round(value) if item.integer else round(value, 1)}]

    def sample_form_data(self, item: Item) -> dict:
        return {item.code: str(int(item.min))}
