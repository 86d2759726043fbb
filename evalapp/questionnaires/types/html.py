"""The HTML of questions, written by the item types in Python.

A questionnaire page holds up to about a hundred inputs: drawn by Jinja macros (one call per
option for its attributes), they took most of the page's time. These functions write the same
markup directly, escaping every value with markupsafe as Jinja would. Every field has a label or
a legend; errors, help and conflicts are tied to their field with aria-describedby.

``page`` (:class:`Page`) is what the markup depends on beside the item and its fields.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup, escape


@dataclass(frozen=True)
class Page:
    """The page a question is drawn on."""

    side: str
    lang: str
    #: Answers another copy of the page saved meanwhile, by field name (their text).
    conflicts: dict = field(default_factory=dict)
    #: The field a link of the review page leads to: it gets the focus.
    focus: str | None = None
    #: The language the submitted values were typed in (numbers are read as it writes them).
    input_lang: str | None = None
    #: Drawing the page's shape (evalapp/respond/shapes.py): the answers are slots, filled in per response.
    slots: object | None = None

    def checked(self, field, choice) -> str:
        """' checked' on an option the answer chose."""
        if self.slots is None:
            return " checked" if choice.selected else ""
        return self.slots.checked(field, choice.value)

    def shown(self, field, show) -> str:
        """The text of an input showing the answer: ``show(field.data)``."""
        if self.slots is None:
            return show(field.data)
        return self.slots.shown(field, show)


def or_empty(data) -> str:
    """A text answer as its input shows it."""
    return data or ""


def errors_of(field) -> str:
    if not field.errors:
        return ""
    spans = "".join(f"<span>{escape(error)}</span> " for error in field.errors)
    return f'<p class="field-error" id="{field.name}-error">{spans}</p>'


def conflict_of(field, page: Page) -> str:
    """Another copy of the page saved this answer since this copy was drawn: show it, and let the respondent choose."""
    if field.name not in page.conflicts:
        return ""
    name = field.name
    # Each text is translated outside the f-string: Babel's extractor does not look into f-strings.
    changed = escape(_("This answer was changed in another window, or by someone else with the same link, "
                       "after you opened this page. The answer saved meanwhile:"))
    which = escape(_("Which answer do you keep?"))
    mine = escape(_("Keep my answer, as shown here"))
    saved = escape(_("Keep the answer saved meanwhile"))
    return (
        f'<div class="conflict" id="{name}-conflict">'
        f"<p>{changed} <strong>{escape(page.conflicts[name])}</strong></p>"
        f'<fieldset><legend class="visually-hidden">{which}</legend>'
        f'<label><input type="radio" name="resolve-{name}" value="mine" checked> {mine}</label>'
        f'<label><input type="radio" name="resolve-{name}" value="saved"> {saved}</label>'
        f"</fieldset></div>"
    )


def described(field, page: Page, extra: str | None = None) -> str:
    """The aria-describedby (and aria-invalid) attributes of an input."""
    ids = []
    if field.description:
        ids.append(f"{field.name}-help")
    if field.errors:
        ids.append(f"{field.name}-error")
    if extra:
        ids.append(extra)
    if field.name in page.conflicts:
        ids.append(f"{field.name}-conflict")
    described_by = f' aria-describedby="{" ".join(ids)}"' if ids else ""
    return described_by + (' aria-invalid="true"' if field.errors else "")


def focused(field, page: Page) -> str:
    return " autofocus" if page.focus and page.focus == field.name else ""


def help_of(field) -> str:
    if not field.description:
        return ""
    return f'<p class="help" id="{field.name}-help">{escape(field.description)}</p>'


def required_mark(item) -> str:
    if not item.required:
        return ""
    required = escape(_("required"))
    return f' <span class="required">({required})</span>'


def options(field, page: Page, input_type: str, inline: bool = False, dont_know: str | None = None) -> str:
    """A field's choices as radio buttons or check boxes, in order; the first takes the focus if asked."""
    attributes = described(field, page)
    focus = focused(field, page)
    boxes = []
    for n, choice in enumerate(field.iter_choices()):
        value = escape(choice.value)
        extra = " choice-dk" if dont_know is not None and choice.value == dont_know else ""
        boxes.append(
            f'<label class="choice{extra}" for="{field.id}-{n}">'
            f'<input type="{input_type}" id="{field.id}-{n}" name="{field.name}" value="{value}"'
            f'{page.checked(field, choice)}{attributes}{focus if n == 0 else ""}>'
            f"<span>{escape(choice.label or choice.value)}</span></label>"
        )
    return f'<div class="choices{" choices-inline" if inline else ""}">{"".join(boxes)}</div>'


def choice_question(item, field, page: Page, inner: Iterable[str]) -> Markup:
    """A question answered by choosing: its fieldset, legend, help, error and conflict, then ``inner``."""
    return Markup(
        f'<fieldset class="question{" has-error" if field.errors else ""}" id="q-{item.code}">'
        f'<legend><span class="code">{item.code}</span> {escape(field.label.text)}{required_mark(item)}</legend>'
        f'{help_of(field)}{errors_of(field)}{conflict_of(field, page)}{"".join(inner)}</fieldset>'
    )


def typed_question(item, field, page: Page, note_id: str, note: str, control: str) -> Markup:
    """A question answered by typing: its label, help, a note (range, length), error and conflict, then ``control``."""
    return Markup(
        f'<div class="question{" has-error" if field.errors else ""}" id="q-{item.code}">'
        f'<label for="{field.id}"><span class="code">{item.code}</span> {escape(field.label.text)}{required_mark(item)}</label>'
        f'{help_of(field)}<p class="help" id="{note_id}">{escape(note)}</p>'
        f"{errors_of(field)}{conflict_of(field, page)}{control}</div>"
    )


def text_input(field, page: Page, value, extra_described: str | None = None, attributes: str = "",
               focus: bool = True) -> str:
    """A text input of ``field`` showing ``value``; ``attributes`` (class, inputmode) as written."""
    return (f'<input type="text"{attributes} id="{field.id}" name="{field.name}" value="{escape(value)}"'
            f'{described(field, page, extra_described)}{focused(field, page) if focus else ""}>')
