"""Texts the respondent types: a line, or paragraphs (which may be a story)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import escape
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from evalapp.questionnaires.types.base import AnswerMap, Column, ItemType, Labelled, no_nul, strip
from evalapp.questionnaires.types.html import Page, described, focused, or_empty, text_input, typed_question

if TYPE_CHECKING:
    from markupsafe import Markup

    from evalapp.questionnaires.definition import Definition, Item


class _Text(ItemType):
    free_text = True
    accepts = frozenset({"max_length"})
    #: Its length limit when the definition sets none.
    default_max_length: int
    field_class: type

    def text_limit(self, item: Item) -> int:
        return item.max_length or self.default_max_length

    def fields(self, item: Item, definition: Definition, side: str, lang: str) -> dict:
        return {item.code: self.field_class(item.text_for(side, lang),
                                            validators=[Optional(), Length(max=self.text_limit(item)), no_nul],
                                            filters=[strip], description=item.help.get(lang) if item.help else "")}

    def html(self, item: Item, form, page: Page) -> Markup:
        # With its length limit said beside it.
        field = form[item.code]
        note = _("At most %(count)s characters.", count=format_decimal(self.text_limit(item)))
        return typed_question(item, field, page, f"{field.name}-limit", note, self.control(item, field, page))

    def control(self, item: Item, field, page: Page) -> str:
        """The input of the answer."""
        raise NotImplementedError

    def form_data(self, item: Item, answers: AnswerMap) -> dict:
        rows = answers.get(item.code)
        return {item.code: rows[0].text_value} if rows else {}

    def rows(self, item: Item, data: dict) -> list[dict]:
        return [{"item_code": item.code, "text_value": data[item.code]}] if data.get(item.code) else []

    def answer_text(self, item: Item, definition: Definition, rows: list, lang: str) -> tuple[str, bool]:
        return rows[0].text_value or "", True

    def long_value(self, definition: Definition, item: Item, row, lang: str):
        return row.text_value, None

    def allowed_values(self, definition: Definition, column: Column) -> str:
        return f"text, at most {self.text_limit(column.item)} characters"

    def labelled(self, definition: Definition, column: Column, lang: str) -> Labelled:
        return Labelled("text")


class ShortText(_Text):
    name = "short_text"
    stored_type = "short_text"
    default_max_length = 200
    field_class = StringField

    def control(self, item: Item, field, page: Page) -> str:
        return text_input(field, page, page.shown(field, or_empty), f"{field.name}-limit", attributes=' class="form-control"')

    def demo_rows(self, item: Item, level: float, rng, texts) -> list[dict]:
        if rng.random() < 0.5:
            return [{"item_code": item.code, "text_value": rng.choice(texts.short)}]
        return []

    def sample_form_data(self, item: Item) -> dict:
        return {item.code: "Eau et assainissement"}


class LongText(_Text):
    name = "long_text"
    stored_type = "long_text"
    narrative = True
    accepts = frozenset({"max_length", "story"})
    default_max_length = 5000
    field_class = TextAreaField

    def control(self, item: Item, field, page: Page) -> str:
        # A story gets a taller box.
        return (f'<textarea class="form-control" id="{field.id}" name="{field.name}" rows="{8 if item.story else 4}"'
                f'{described(field, page, f"{field.name}-limit")}{focused(field, page)}>{escape(page.shown(field, or_empty))}</textarea>')

    def demo_rows(self, item: Item, level: float, rng, texts) -> list[dict]:
        if item.story or item.required:
            return [{"item_code": item.code, "text_value": rng.choice(texts.stories)}]
        return []

    def sample_form_data(self, item: Item) -> dict:
        return {item.code: "Un récit « avec » des accents, des ; et des\nretours à la ligne."}
