"""Agreement (or frequency) scales of 1 to 5 with "don't know": one item, or a matrix of them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import RadioField, SelectChoice
from wtforms.validators import Optional

from evalapp.questionnaires.types.base import (
    DONT_KNOW,
    DONT_KNOW_LABEL,
    NOT_ANSWERED,
    AnswerMap,
    Column,
    ItemType,
    Labelled,
    Line,
)
from evalapp.questionnaires.types.html import Page, choice_question, conflict_of, errors_of, options, required_mark

if TYPE_CHECKING:
    from evalapp.questionnaires.definition import Definition, Item


def scale_choices(definition: Definition, scale: str, lang: str) -> list[SelectChoice]:
    choices = [SelectChoice(str(value), label) for value, label in definition.scale_labels(scale, lang)]
    choices.append(SelectChoice(DONT_KNOW, str(_l("Don't know / not applicable"))))
    return choices


def field_value(rows: list | None) -> str | None:
    """A scale's saved answer as its radio field's data: "1" to "5", "dk", or None."""
    if not rows:
        return None
    return DONT_KNOW if rows[0].dont_know else str(rows[0].scale_value)


def answer_rows(code: str, value: str | None) -> list[dict]:
    if not value:
        return []
    if value == DONT_KNOW:
        return [{"item_code": code, "dont_know": True}]
    return [{"item_code": code, "scale_value": int(value)}]


def answer_text(definition: Definition, scale: str, rows: list | None, lang: str) -> tuple[str, bool]:
    if not rows:
        return str(NOT_ANSWERED), False
    if rows[0].dont_know:
        return str(DONT_KNOW_LABEL), True
    value = rows[0].scale_value
    return f"{value} – {definition.scale_label_map(scale, lang)[value]}", True


class _Scales(ItemType):
    """What a scale item and a matrix's cells share: one 1–5 answer (or "don't know") per code."""

    scored = True
    counted = True
    ordered = True
    accepts = frozenset({"scale"})

    def comparable(self, item: Item, value) -> bool:
        return value == DONT_KNOW or (isinstance(value, int) and 1 <= value <= 5)

    def check(self, item: Item) -> None:
        super().check(item)
        if not item.scale:
            raise ValueError(_("a %(type)s item needs a 'scale'", type=self.name))

    def form_data(self, item: Item, answers: AnswerMap) -> dict:
        return {code: field_value(answers.get(code)) for code in self.answer_codes(item) if answers.get(code)}

    def rows(self, item: Item, data: dict) -> list[dict]:
        return [row for code in self.answer_codes(item) for row in answer_rows(code, data.get(code))]

    def answer_text(self, item: Item, definition: Definition, rows: list, lang: str) -> tuple[str, bool]:
        return answer_text(definition, item.scale, rows, lang)

    def long_value(self, definition: Definition, item: Item, row, lang: str):
        if row.dont_know:
            return DONT_KNOW, _("Don't know / not applicable")
        return row.scale_value, definition.scale_label_map(item.scale, lang)[row.scale_value]

    def api_value_kind(self, item: Item) -> str:
        return f"1–5 on the scale '{item.scale}', or '{DONT_KNOW}' (don't know / not applicable)"

    def allowed_values(self, definition: Definition, column: Column) -> str:
        scale = column.item.scale
        english = dict(definition.scale_labels(scale, "en"))
        parts = [f"{v} = {fr} / {english[v]}" for v, fr in definition.scale_labels(scale, "fr")]
        return "; ".join(parts + [f"{DONT_KNOW} = ne sait pas / don't know"])

    def labelled(self, definition: Definition, column: Column, lang: str) -> Labelled:
        return Labelled("ordinal", dict(definition.scale_labels(column.item.scale, lang)), dont_know=True, lowest=1)

    def demo_rows(self, item: Item, level: float, rng, texts) -> list[dict]:
        rows = []
        for code in self.answer_codes(item):
            if rng.random() < 0.07:
                rows.append({"item_code": code, "dont_know": True})
            else:
                rows.append({"item_code": code, "scale_value": min(5, max(1, round(rng.gauss(level, 0.8))))})
        return rows


class Scale(_Scales):
    name = "scale"
    stored_type = "scale"
    chart = "distribution"

    accepts = frozenset({"scale", "gap"})

    def fields(self, item: Item, definition: Definition, side: str, lang: str) -> dict:
        return {item.code: RadioField(item.text_for(side, lang), choices=scale_choices(definition, item.scale, lang),
                                      validators=[Optional()], description=item.help.get(lang) if item.help else "")}

    def html(self, item: Item, form, page: Page) -> Markup:
        # Its values in order, then "don't know", in one line where it fits.
        field = form[item.code]
        return choice_question(item, field, page, [options(field, page, "radio", inline=True, dont_know=DONT_KNOW)])

    def sample_form_data(self, item: Item) -> dict:
        return {item.code: "4"}


class Matrix(_Scales):
    """Rows × columns of scale answers (the impact matrix: dynamics × levels), one answer code per cell."""

    name = "matrix"
    stored_type = "matrix_cell"
    chart = "heatmap"

    accepts = frozenset({"scale", "rows", "columns"})

    def check(self, item: Item) -> None:
        super().check(item)
        for axis in ("rows", "columns"):
            values = getattr(item, axis)
            if not values:
                raise ValueError(_("a matrix needs '%(axis)s'", axis=axis))
            if len({v.code for v in values}) != len(values):
                raise ValueError(_("matrix %(axis)s codes must be unique", axis=axis))

    def answer_codes(self, item: Item) -> list[str]:
        return [cell.code for cell in item.cells]

    def fields(self, item: Item, definition: Definition, side: str, lang: str) -> dict:
        choices = scale_choices(definition, item.scale, lang)
        return {
            cell.code: RadioField(f"{cell.row.label.get(lang)} — {cell.column.label.get(lang)}",
                                  choices=choices, validators=[Optional()])
            for cell in item.cells
        }

    def html(self, item: Item, form, page: Page) -> Markup:
        # A grid on wide screens: one row per cell (dynamic — level), the scale's labels heading the
        # columns; on a phone each row keeps its name above its labelled choices (static/css/app.css).
        # The column heads and the group names are for the eye only: each row's legend and each
        # choice's label already say them.
        lang = page.lang
        heads = []
        for choice in form[item.cells[0].code].iter_choices():
            marked = ' class="choice-dk"' if choice.value == DONT_KNOW else ""
            heads.append(f"<span{marked}>{escape(choice.label)}</span>")
        parts = [
            f'<fieldset class="question matrix" id="q-{item.code}">'
            f'<legend><span class="code">{item.code}</span> {escape(item.text_for(page.side, lang))}{required_mark(item)}</legend>',
            f'<p class="help">{escape(item.help.get(lang))}</p>' if item.help else "",
            f'<div class="matrix-scale" aria-hidden="true">{"".join(heads)}</div>',
        ]
        for row in item.rows:
            row_name = escape(row.label.get(lang))
            parts.append(f'<div class="matrix-group"><p class="matrix-group-name" aria-hidden="true">{row_name}</p>')
            for column in item.columns:
                field = form[f"{item.code}_{row.code}_{column.code}"]
                parts.append(
                    f'<fieldset class="matrix-row{" has-error" if field.errors else ""}" id="q-{field.name}">'
                    f'<legend><span class="matrix-row-of">{row_name}<span class="visually-hidden"> — </span></span>'
                    f'<span class="matrix-row-level">{escape(column.label.get(lang))}</span></legend>'
                    f"{errors_of(field)}{conflict_of(field, page)}"
                    f'{options(field, page, "radio", inline=True, dont_know=DONT_KNOW)}</fieldset>'
                )
            parts.append("</div>")
        parts.append("</fieldset>")
        return Markup("".join(parts))

    def lines(self, item: Item, definition: Definition, side: str, answers: AnswerMap, lang: str) -> list[Line]:
        question = item.text_for(side, lang)
        return [
            Line(cell.code, f"{question} — {cell.row.label.get(lang)} / {cell.column.label.get(lang)}",
                 *answer_text(definition, item.scale, answers.get(cell.code), lang))
            for cell in item.cells
        ]

    def columns(self, item: Item) -> list[Column]:
        return [Column(cell.code, item, cell=cell.code) for cell in item.cells]

    def column_header(self, column: Column, lang: str) -> str:
        item = column.item
        cell = next(c for c in item.cells if c.code == column.cell)
        return f"{item.text.get(lang)} — {cell.row.label.get(lang)} — {cell.column.label.get(lang)}"

    def codebook_type(self, column: Column) -> str:
        return "matrix_cell"

    def sample_form_data(self, item: Item) -> dict:
        return {cell.code: "3" for cell in item.cells}
