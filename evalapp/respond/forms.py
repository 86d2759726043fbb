"""WTForms built from a questionnaire definition: one form per section, fields named by item code.

Each item's fields come from its type (evalapp/questionnaires/types/).
"""
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

from evalapp.models import RESPONDENT_ROLES
from evalapp.questionnaires.definition import Definition, Item, Section
from evalapp.questionnaires.types import OTHER_MAX_LENGTH, number_text, other_field_name
from evalapp.respond.csrf import RespondentForm

__all__ = ["OTHER_MAX_LENGTH", "StartForm", "answer_field_names", "number_text",
           "other_field_name", "section_form_class"]


class StartForm(RespondentForm):
    """The welcome page's form: who answers, then start or continue."""

    respondent_role = RadioField(
        _l("You answer as"),
        choices=[SelectChoice(code, label) for code, label in RESPONDENT_ROLES.items()],
        validators=[InputRequired(_l("Please say in which capacity you answer."))],
    )


def answer_field_names(items: list[Item]) -> list[str]:
    """The names of the fields that answer ``items``: item or matrix cell codes, and "other" texts."""
    return [name for item in items for name in item.kind.field_names(item)]


#: Form classes already built, by (definition, section, side, language): definitions never change.
#: Each entry keeps its definition alive, so that its id() cannot be reused by another one.
_form_classes: dict[tuple, tuple[Definition, type]] = {}


def section_form_class(definition: Definition, section: Section, side: str, lang: str):
    """The form class of one section, in the given language (built once per process)."""
    key = (id(definition), section.code, side, lang)
    if key not in _form_classes:
        attrs = {}
        for item in section.items_for(side):
            attrs.update(item.kind.fields(item, definition, side, lang))
        _form_classes[key] = (definition, type("SectionForm", (RespondentForm,), attrs))
    return _form_classes[key][1]
