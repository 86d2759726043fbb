"""WTForms built from a questionnaire definition: one form per section, fields named by item code."""
import re

from babel.numbers import format_decimal
from flask import g
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    FloatField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from evalapp.questionnaires.definition import DONT_KNOW, OTHER, Definition, Item, Section
from evalapp.respond.csrf import RespondentForm

OTHER_SUFFIX = "__other"
OTHER_MAX_LENGTH = 200

#: Who answers for the authority.
RESPONDENT_ROLES = {
    "elected": _l("Elected official"),
    "international_staff": _l("Staff in charge of international action"),
    "other_staff": _l("Other staff of the authority"),
    "other": _l("Other"),
}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StartForm(RespondentForm):
    """The welcome page's form: who answers, then start or continue."""

    respondent_role = RadioField(
        _l("You answer as"),
        choices=[SelectChoice(code, label) for code, label in RESPONDENT_ROLES.items()],
        validators=[InputRequired(_l("Please say in which capacity you answer."))],
    )


def other_field_name(item: Item) -> str:
    return item.code + OTHER_SUFFIX


def answer_field_names(items: list[Item]) -> list[str]:
    """The names of the fields that answer ``items``: item or matrix cell codes, and "other" texts."""
    return [name for item in items
            for name in [*item.answer_codes, *([other_field_name(item)] if item.other else [])]]


def _choices(item: Item, lang: str) -> list[SelectChoice]:
    choices = [SelectChoice(o.code, o.label.get(lang)) for o in item.options]
    if item.other:
        choices.append(SelectChoice(OTHER, str(_l("Other"))))
    return choices


def _scale_choices(definition: Definition, scale: str, lang: str) -> list[SelectChoice]:
    choices = [SelectChoice(str(value), label) for value, label in definition.scale_labels(scale, lang)]
    choices.append(SelectChoice(DONT_KNOW, str(_l("Don't know / not applicable"))))
    return choices


def _other_needs_choice(item: Item):
    """An "other" text goes with the "other" choice, not with another option."""

    def check(form, field):
        chosen = form[item.code].data
        if not field.data:
            return
        if item.type == "single" and chosen not in (None, "", OTHER):
            raise ValidationError(_l('Choose "Other" to give this answer, or leave it empty.'))

    return check


def _exclusive_alone(item: Item, lang: str):
    """An answer such as "none" or "don't know" cannot be ticked with others."""
    exclusive = {o.code: o.label.get(lang) for o in item.options if o.exclusive}

    def check(form, field):
        chosen = set(field.data or ())
        for code, label in exclusive.items():
            if code in chosen and len(chosen) > 1:
                raise ValidationError(_("“%(answer)s” cannot be ticked with other answers.", answer=label))

    return check


def fields_for(item: Item, definition: Definition, side: str, lang: str) -> dict:
    """Return the WTForms fields (by name) that answer ``item``."""
    label = item.text_for(side, lang)
    description = item.help.get(lang) if item.help else ""
    optional = [Optional()]
    if item.type == "scale":
        return {item.code: RadioField(label, choices=_scale_choices(definition, item.scale, lang),
                                      validators=optional, description=description)}
    if item.type == "matrix":
        choices = _scale_choices(definition, item.scale, lang)
        return {
            cell.code: RadioField(f"{cell.row.label.get(lang)} — {cell.column.label.get(lang)}",
                                  choices=choices, validators=optional)
            for cell in item.cells
        }
    if item.type in ("single", "multiple"):
        field_class = RadioField if item.type == "single" else CheckboxesField
        validators = optional + ([_exclusive_alone(item, lang)] if item.type == "multiple" else [])
        fields = {item.code: field_class(label, choices=_choices(item, lang), validators=validators,
                                         description=description)}
        if item.other:
            fields[other_field_name(item)] = StringField(
                _l("Other, please specify"),
                validators=[Optional(), Length(max=OTHER_MAX_LENGTH), _no_nul, _other_needs_choice(item)],
                filters=[_strip],
            )
        return fields
    if item.type == "number":
        bounds = NumberRange(min=item.min, max=item.max, message=_(
            "Enter a number between %(min)s and %(max)s.",
            min=number_text(item, item.min), max=number_text(item, item.max)))
        return {item.code: NumberAnswerField(label, integer=item.integer, validators=[Optional(), bounds],
                                             description=description)}
    field_class = StringField if item.type == "short_text" else TextAreaField
    return {item.code: field_class(label, validators=[Optional(), Length(max=item.text_limit), _no_nul],
                                   filters=[_strip], description=description)}


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


def _no_nul(form, field):
    """No keyboard types a NUL character and the database cannot store one: say so at the field."""
    if field.data and "\x00" in field.data:
        raise ValidationError(_l("This answer contains a character that cannot be stored (NUL): remove it."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


#: Form classes already built, by (definition, section, side, language): definitions never change.
#: Each entry keeps its definition alive, so that its id() cannot be reused by another one.
_form_classes: dict[tuple, tuple[Definition, type]] = {}


def section_form_class(definition: Definition, section: Section, side: str, lang: str):
    """The form class of one section, in the given language (built once per process)."""
    key = (id(definition), section.code, side, lang)
    if key not in _form_classes:
        attrs = {}
        for item in section.items_for(side):
            attrs.update(fields_for(item, definition, side, lang))
        _form_classes[key] = (definition, type("SectionForm", (RespondentForm,), attrs))
    return _form_classes[key][1]
