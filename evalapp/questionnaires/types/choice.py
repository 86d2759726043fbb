"""Choices among options: one (single) or several (multiple), each with an optional "other, specify" text."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from wtforms import RadioField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from evalapp.questionnaires.types.base import DONT_KNOW, OTHER, AnswerMap, Column, ItemType, Labelled, no_nul, strip
from evalapp.questionnaires.types.html import (
    Page,
    choice_question,
    conflict_of,
    errors_of,
    options,
    or_empty,
    text_input,
)

if TYPE_CHECKING:
    from markupsafe import Markup

    from evalapp.questionnaires.definition import Definition, Item

OTHER_SUFFIX = "__other"
OTHER_MAX_LENGTH = 200


def other_field_name(item: Item) -> str:
    """The name of the field of an item's "other, specify" text."""
    return item.code + OTHER_SUFFIX


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _Choice(ItemType):
    """What single and multiple choices share: options, "other, specify", a row per option chosen."""

    counted = True
    accepts = frozenset({"options", "other"})

    #: The WTForms field of the choice.
    field_class: type

    def check(self, item: Item) -> None:
        super().check(item)
        if not item.options or len(item.options) < 2:
            raise ValueError(_("a %(type)s choice needs at least 2 'options'", type=self.name))
        codes = [o.code for o in item.options]
        if len(set(codes)) != len(codes):
            raise ValueError(_("option codes must be unique"))
        if item.other and OTHER in codes:
            raise ValueError(_("'other: true' adds the option '%(other)s' itself; remove it from 'options'", other=OTHER))

    def field_names(self, item: Item) -> list[str]:
        return [item.code, *([other_field_name(item)] if item.other else [])]

    def choices(self, item: Item, lang: str) -> list[SelectChoice]:
        choices = [SelectChoice(o.code, o.label.get(lang)) for o in item.options]
        if item.other:
            choices.append(SelectChoice(OTHER, str(_l("Other"))))
        return choices

    def validators(self, item: Item, lang: str) -> list:
        return [Optional()]

    def other_validators(self, item: Item) -> list:
        return [Optional(), Length(max=OTHER_MAX_LENGTH), no_nul]

    def fields(self, item: Item, definition: Definition, side: str, lang: str) -> dict:
        fields = {item.code: self.field_class(item.text_for(side, lang), choices=self.choices(item, lang),
                                              validators=self.validators(item, lang),
                                              description=item.help.get(lang) if item.help else "")}
        if item.other:
            fields[other_field_name(item)] = StringField(_l("Other, please specify"),
                                                         validators=self.other_validators(item), filters=[strip])
        return fields

    def form_data(self, item: Item, answers: AnswerMap) -> dict:
        rows = answers.get(item.code)
        if not rows:
            return {}
        data = {item.code: self.chosen(rows)}
        if item.other:
            other = next((row for row in rows if row.choice == OTHER), None)
            data[other_field_name(item)] = other.text_value if other else None
        return data

    def option_codes(self, item: Item) -> list[str]:
        """The codes a respondent may choose, "other" included when the item offers it."""
        return [o.code for o in item.options] + ([OTHER] if item.other else [])

    def chosen(self, rows: list):
        """The field's data from the rows of the options chosen."""
        raise NotImplementedError

    #: The input of each option: "radio" or "checkbox".
    input_type: str

    def html(self, item: Item, form, page: Page) -> Markup:
        field = form[item.code]
        inner = [options(field, page, self.input_type, dont_know=DONT_KNOW if self.input_type == "radio" else None)]
        if item.other:
            other = form[other_field_name(item)]
            control = text_input(other, page, page.shown(other, or_empty), attributes=' class="form-control"', focus=False)
            inner.append(
                f'<div class="other{" has-error" if other.errors else ""}"><label for="{other.id}">{escape(other.label.text)}</label>'
                f"{errors_of(other)}{conflict_of(other, page)}{control}</div>"
            )
        return choice_question(item, field, page, inner)

    def rows(self, item: Item, data: dict) -> list[dict]:
        chosen = data.get(item.code)
        chosen = [c for c in (chosen if isinstance(chosen, list) else [chosen]) if c]
        other_text = data.get(other_field_name(item)) if item.other else None
        if other_text and OTHER not in chosen:
            # Writing in "other" is choosing it.
            chosen.append(OTHER)
        return [
            # "Other" ticked and left unspecified is stored without a text, not with an empty one.
            {"item_code": item.code, "choice": c, "text_value": (other_text or None) if c == OTHER else None}
            for c in chosen
        ]

    def answer_text(self, item: Item, definition: Definition, rows: list, lang: str) -> tuple[str, bool]:
        labels = []
        order = {o.code: n for n, o in enumerate(item.options or ())}
        for row in sorted(rows, key=lambda r: order.get(r.choice, len(order))):
            if row.choice == OTHER:
                labels.append(_("Other: %(text)s", text=row.text_value) if row.text_value else _("Other"))
            else:
                labels.append(item.option_label(row.choice, lang) or row.choice)
        return "; ".join(labels), True

    def columns(self, item: Item) -> list[Column]:
        columns = self.choice_columns(item)
        if item.other:
            columns.append(Column(f"{item.code}__{OTHER}_text", item, other=True))
        return columns

    def choice_columns(self, item: Item) -> list[Column]:
        return [Column(item.code, item)]

    def column_header(self, column: Column, lang: str) -> str:
        text = column.item.text.get(lang)
        if column.other:
            specify = _("Other, please specify")
            return f"{text} — {specify}"
        if column.option:
            label = column.item.option_label(column.option, lang) or _("Other")
            return f"{text} — {label}"
        return text

    def value(self, definition: Definition, column: Column, rows: list, options):
        if column.other:
            return next((r.text_value for r in rows if r.choice == OTHER), None)
        if not rows:
            return None
        if options.values == "labels":
            return column.item.option_label(rows[0].choice, options.lang) or _("Other")
        return rows[0].choice

    def long_value(self, definition: Definition, item: Item, row, lang: str):
        if row.choice == OTHER:
            return OTHER, row.text_value or _("Other")
        return row.choice, item.option_label(row.choice, lang)

    def api_values(self, definition: Definition, item: Item, answers: AnswerMap) -> dict:
        """The option chosen (a single choice) or the list of those chosen, in the options' order (a multiple
        one); and, for an item with "other", its text under ``CODE__other_text``, as in the wide export."""
        rows = answers.get(item.code) or []
        order = {code: n for n, code in enumerate(self.option_codes(item))}
        chosen = sorted((row.choice for row in rows), key=lambda c: order.get(c, len(order)))
        values = {item.code: self.api_choice(chosen)}
        if item.other:
            values[f"{item.code}__{OTHER}_text"] = next((r.text_value for r in rows if r.choice == OTHER), None)
        return values

    def api_choice(self, chosen: list[str]):
        """The API's value of the options chosen (none: None)."""
        raise NotImplementedError

    def codebook_type(self, column: Column) -> str:
        return "other_text" if column.other else self.name

    def allowed_values(self, definition: Definition, column: Column) -> str:
        if column.other:
            return "text"
        # With the number each option is in the SPSS and Stata files: its place in option_codes, as in labelled().
        labels = {o.code: f"{o.label.fr} / {o.label.en}" for o in column.item.options} | {OTHER: "autre / other"}
        return "; ".join(f"{code} = {labels[code]} ({n} in .sav/.dta)"
                         for n, code in enumerate(self.option_codes(column.item), start=1))

    def labelled(self, definition: Definition, column: Column, lang: str) -> Labelled:
        # Options numbered 1, 2... in the questionnaire's order ("other" last), each labelled.
        if column.other:
            return Labelled("text")
        codes = self.option_codes(column.item)
        return Labelled("nominal", {n: column.item.option_label(code, lang) or _("Other")
                                    for n, code in enumerate(codes, start=1)},
                        numbers={code: n for n, code in enumerate(codes, start=1)}, lowest=1)


class Single(_Choice):
    name = "single"
    stored_type = "single"
    field_class = RadioField
    input_type = "radio"

    def check(self, item: Item) -> None:
        super().check(item)
        if any(o.exclusive for o in item.options):
            raise ValueError(_("'exclusive' is only for the options of a multiple choice"))

    def comparable(self, item: Item, value) -> bool:
        return value in self.option_codes(item)

    def other_validators(self, item: Item) -> list:
        def other_needs_choice(form, field):
            """An "other" text goes with the "other" choice, not with another option."""
            if field.data and form[item.code].data not in (None, "", OTHER):
                raise ValidationError(_l('Choose "Other" to give this answer, or leave it empty.'))

        return [*super().other_validators(item), other_needs_choice]

    def chosen(self, rows: list):
        return rows[0].choice

    def api_choice(self, chosen: list[str]):
        return chosen[0] if chosen else None

    def api_value_kind(self, item: Item) -> str:
        return "an option code" + (f", or '{OTHER}'" if item.other else "")

    def demo_rows(self, item: Item, level: float, rng, texts) -> list[dict]:
        return [{"item_code": item.code, "choice": rng.choice([o.code for o in item.options])}]

    def sample_form_data(self, item: Item) -> dict:
        return {item.code: item.options[0].code}


class Multiple(_Choice):
    name = "multiple"
    stored_type = "multiple"
    field_class = CheckboxesField
    input_type = "checkbox"
    counts_respondents = True
    chart = "choices"
    includes = True

    def validators(self, item: Item, lang: str) -> list:
        exclusive = {o.code: o.label.get(lang) for o in item.options if o.exclusive}

        def exclusive_alone(form, field):
            """An answer such as "none" or "don't know" cannot be ticked with others."""
            chosen = set(field.data or ())
            for code, label in exclusive.items():
                if code in chosen and len(chosen) > 1:
                    raise ValidationError(_("“%(answer)s” cannot be ticked with other answers.", answer=label))

        return [*super().validators(item, lang), exclusive_alone]

    def chosen(self, rows: list):
        return [row.choice for row in rows]

    def api_choice(self, chosen: list[str]):
        return chosen or None

    def api_value_kind(self, item: Item) -> str:
        return "a list of option codes" + (f", '{OTHER}' among them" if item.other else "")

    def has_option(self, item: Item, option: str) -> bool:
        return option in self.option_codes(item)

    def choice_columns(self, item: Item) -> list[Column]:
        options = [o.code for o in item.options] + ([OTHER] if item.other else [])
        return [Column(f"{item.code}__{code}", item, option=code) for code in options]

    def value(self, definition: Definition, column: Column, rows: list, options):
        if column.option:
            return int(any(r.choice == column.option for r in rows))
        return super().value(definition, column, rows, options)

    def codebook_type(self, column: Column) -> str:
        return "choice_0_1" if column.option else super().codebook_type(column)

    def allowed_values(self, definition: Definition, column: Column) -> str:
        return "0 = no; 1 = yes" if column.option else super().allowed_values(definition, column)

    def labelled(self, definition: Definition, column: Column, lang: str) -> Labelled:
        if column.option:
            return Labelled("nominal", {0: _("No"), 1: _("Yes")})
        return super().labelled(definition, column, lang)

    def demo_rows(self, item: Item, level: float, rng, texts) -> list[dict]:
        options = [o.code for o in item.options if not o.exclusive]
        chosen = rng.sample(options, rng.randint(1, min(3, len(options))))
        rows = [{"item_code": item.code, "choice": c} for c in chosen]
        if item.other and rng.random() < 0.15:
            rows.append({"item_code": item.code, "choice": OTHER, "text_value": rng.choice(texts.others)})
        return rows

    def sample_form_data(self, item: Item) -> dict:
        return {item.code: [o.code for o in item.options[:2]]}
