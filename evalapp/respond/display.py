"""Answers as text, for the review page and the read-only view after submitting."""
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from evalapp.questionnaires.definition import OTHER, Definition, Item
from evalapp.respond.answers import AnswerMap
from evalapp.respond.forms import number_text

NOT_ANSWERED = _l("Not answered")
DONT_KNOW_LABEL = _l("Don't know / not applicable")


@dataclass
class Line:
    """One question (or matrix cell) and its answer as the respondent would read it."""

    code: str
    question: str
    answer: str
    answered: bool


def answer_lines(definition: Definition, item: Item, side: str, answers: AnswerMap, lang: str) -> list[Line]:
    if item.type == "matrix":
        question = item.text_for(side, lang)
        return [
            Line(cell.code, f"{question} — {cell.row.label.get(lang)} / {cell.column.label.get(lang)}",
                 *_scale_text(definition, item.scale, answers.get(cell.code), lang))
            for cell in item.cells
        ]
    rows = answers.get(item.code) or []
    return [Line(item.code, item.text_for(side, lang), *_text(definition, item, rows, lang))]


def _text(definition: Definition, item: Item, rows, lang: str) -> tuple[str, bool]:
    if not rows:
        return str(NOT_ANSWERED), False
    if item.type == "scale":
        return _scale_text(definition, item.scale, rows, lang)
    if item.type in ("single", "multiple"):
        labels = []
        order = {o.code: n for n, o in enumerate(item.options or ())}
        for row in sorted(rows, key=lambda r: order.get(r.choice, len(order))):
            if row.choice == OTHER:
                labels.append(_("Other: %(text)s", text=row.text_value) if row.text_value else _("Other"))
            else:
                labels.append(item.option_label(row.choice, lang) or row.choice)
        return "; ".join(labels), True
    if item.type == "number":
        value = number_text(item, rows[0].number_value)
        unit = item.unit.get(lang) if item.unit else ""
        return f"{value} {unit}".strip(), True
    return rows[0].text_value or "", True


def _scale_text(definition: Definition, scale: str, rows, lang: str) -> tuple[str, bool]:
    if not rows:
        return str(NOT_ANSWERED), False
    if rows[0].dont_know:
        return str(DONT_KNOW_LABEL), True
    labels = dict(definition.scale_labels(scale, lang))
    value = rows[0].scale_value
    return f"{value} – {labels[value]}", True
