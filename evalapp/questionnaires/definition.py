"""The shape of a questionnaire definition, validated with pydantic.

These classes are also what the rest of the application works with: a round's
definition is read back from the database into a :class:`Definition`.
"""
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Annotated, ClassVar, Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_serializer, model_validator

from evalapp.models import rounds
from evalapp.questionnaires.conditions import AtLeast, Condition, Equals, Includes, OneOf, answers_can_hold, walk
from evalapp.questionnaires.types import DONT_KNOW, OTHER, TYPES, ItemType

ItemCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=40)]
LowerCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
#: The sides of the invitations (evalapp.models.rounds), as the definition files name them.
Side = Literal[rounds.SIDES]
ItemTypeName = Literal[tuple(TYPES)]
#: What a gap between the home and the partner side's answers to a mirrored item means:
#: "relationship" — both describe one shared relationship, so a gap is a disagreement;
#: "territory" — each describes its own territory, so a gap is an unequal benefit.
GAPS = ("relationship", "territory")
Gap = Literal[GAPS]

#: Themes whose scale items make the 0–100 theme indices.
SCORED_THEMES = ("reciprocity", "impact", "human", "organisation")
#: Section codes that would clash with the respondent's URLs.
RESERVED_SECTIONS = ("review", "submit", "start", "saved")
__all__ = ["DONT_KNOW", "OTHER"]  # defined with the types; imported from here too


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Optional keys added to the format after versions were stored: left out of the stored
    #: content when absent, so that those versions keep the content (and checksum) they were stored with.
    omitted_when_absent: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _without_absent_keys(self, handler):
        data = handler(self)
        for key in self.omitted_when_absent:
            if data.get(key) is None:
                data.pop(key, None)
        return data


class Conditional(Strict):
    """An item or a section: asked only when its condition ``when`` holds, if it has one."""

    omitted_when_absent = ("when",)

    when: Condition | None = None


class Text(Strict):
    """A text in both languages."""

    fr: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    en: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


class Option(Strict):
    code: LowerCode
    label: Text
    #: In a multiple choice, an answer that excludes the others ("none", "don't know").
    exclusive: bool = False


class MatrixAxis(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]*$", max_length=8)]
    label: Text


class MatrixColumn(MatrixAxis):
    """A matrix column, which may say what a gap between the two sides means in its cells (GAPS)."""

    omitted_when_absent = ("gap",)

    gap: Gap | None = None


class MatrixCell(Strict):
    code: str
    row: MatrixAxis
    column: MatrixColumn


class Item(Conditional):
    omitted_when_absent = ("when", "gap")

    code: ItemCode
    theme: LowerCode
    type: ItemTypeName
    required: bool = False
    sides: list[Side] = Field(default=list(rounds.SIDES), min_length=1)
    text: Text
    partner_text: Text | None = None
    help: Text | None = None
    scale: str | None = None
    #: A scale item: what a gap between the two sides' answers means (GAPS); None when the file does not say.
    gap: Gap | None = None
    options: list[Option] | None = None
    other: bool = False
    min: float | None = None
    max: float | None = None
    integer: bool = True
    unit: Text | None = None
    max_length: int | None = Field(default=None, gt=0, le=100_000)
    story: bool = False
    rows: list[MatrixAxis] | None = None
    columns: list[MatrixColumn] | None = None

    @model_validator(mode="after")
    def _fits_its_type(self):
        self.kind.check(self)
        return self

    @property
    def kind(self) -> ItemType:
        """The item's type, which knows its fields, answers, display and exports."""
        return TYPES[self.type]

    def text_for(self, side: str, lang: str) -> str:
        """Return the question as worded for ``side`` in ``lang``."""
        text = self.partner_text if side == rounds.Side.PARTNER and self.partner_text else self.text
        return text.get(lang)

    @property
    def text_limit(self) -> int | None:
        """The most characters a typed answer may have (None for other types)."""
        return self.kind.text_limit(self)

    @property
    def cells(self) -> list[MatrixCell]:
        """The matrix cells, row by row, each with its own code."""
        return [
            MatrixCell(code=f"{self.code}_{row.code}_{col.code}", row=row, column=col)
            for row in self.rows or ()
            for col in self.columns or ()
        ]

    @property
    def answer_codes(self) -> list[str]:
        """The codes answers are stored under: the item's own, or each matrix cell's."""
        return self.kind.answer_codes(self)

    def gap_of(self, code: str) -> str | None:
        """What a gap between the sides means for the answers stored under ``code`` (the item's own
        code, or one of its matrix cells', which takes its column's), or None when the file does not say."""
        if code == self.code:
            return self.gap
        return next((cell.column.gap for cell in self.cells if cell.code == code), None)

    def option_label(self, code: str, lang: str) -> str | None:
        for option in self.options or ():
            if option.code == code:
                return option.label.get(lang)
        return None


class Section(Conditional):
    code: LowerCode
    title: Text
    intro: Text | None = None
    sides: list[Side] = Field(default=list(rounds.SIDES), min_length=1)
    items: list[Item] = Field(min_length=1)

    def items_for(self, side: str) -> list[Item]:
        return list(self.items_by_side.get(side, ()))

    @cached_property
    def items_by_side(self) -> dict[str, tuple[Item, ...]]:
        """The items of each side, kept: pages ask for them tens of times each time they are drawn."""
        return {side: tuple(item for item in self.items if side in item.sides) for side in rounds.SIDES}

    def answer_codes(self, side: str) -> list[str]:
        """The codes of the answers to the page of ``side``: its items' and its matrix cells'."""
        return [code for item in self.items_for(side) for code in item.answer_codes]


class Theme(Strict):
    code: LowerCode
    label: Text


class Definition(Strict):
    omitted_when_absent = ("intro_without_partnership",)

    code: LowerCode
    version: int = Field(ge=1)
    title: Text
    #: The welcome page's text.
    intro: Text | None = None
    #: The welcome page's text for an invitation that belongs to no partnership (an authority invited on
    #: its own), in place of ``intro``, which may then speak of the partner.
    intro_without_partnership: Text | None = None
    estimated_minutes: int = Field(ge=1, le=600)
    themes: list[Theme] = Field(min_length=1)
    scales: dict[str, dict[int, Text]]
    sections: list[Section] = Field(min_length=1)

    def intro_for(self, partnership: bool) -> Text | None:
        """The welcome text of an invitation in a partnership, or else of an authority invited on its own."""
        if not partnership and self.intro_without_partnership:
            return self.intro_without_partnership
        return self.intro

    def sections_for(self, side: str) -> list[Section]:
        """The pages shown to ``side``, leaving out those with no item for it."""
        return list(self.sections_by_side.get(side, ()))

    @cached_property
    def sections_by_side(self) -> dict[str, tuple[Section, ...]]:
        return {side: tuple(s for s in self.sections if side in s.sides and s.items_for(side))
                for side in rounds.SIDES}

    def section(self, side: str, code: str) -> Section | None:
        return next((s for s in self.sections_for(side) if s.code == code), None)

    @cached_property
    def items_by_code(self) -> dict[str, Item]:
        return {item.code: item for section in self.sections for item in section.items}

    @cached_property
    def owners(self) -> dict[str, Item]:
        """The item of every code an answer or a condition names: an item's own, and each of its matrix cells'."""
        return {code: item for section in self.sections for item in section.items
                for code in [item.code, *item.answer_codes]}

    @cached_property
    def conditional(self) -> bool:
        """Whether some item or section is asked only under a condition."""
        return any(s.when or any(item.when for item in s.items) for s in self.sections)

    def scale_labels(self, name: str, lang: str) -> list[tuple[int, str]]:
        return list(self.scale_label_map(name, lang).items())

    def scale_label_map(self, name: str, lang: str) -> Mapping[int, str]:
        """A scale's labels in ``lang`` by value, in order; made once per definition and language, since
        exports read one for every answer."""
        made = self._scale_label_maps.get((name, lang))
        if made is None:
            made = self._scale_label_maps[name, lang] = MappingProxyType(
                {value: text.get(lang) for value, text in sorted(self.scales[name].items())})
        return made

    @cached_property
    def _scale_label_maps(self) -> dict[tuple[str, str], Mapping[int, str]]:
        return {}

    @cached_property
    def scored_themes(self) -> list[str]:
        """The scored themes (SCORED_THEMES) this questionnaire has, in their order: the ones its indices chart."""
        own = {theme.code for theme in self.themes}
        return [theme for theme in SCORED_THEMES if theme in own]

    def theme_label(self, code: str, lang: str) -> str:
        return next(t.label.get(lang) for t in self.themes if t.code == code)


def cross_check(definition: Definition, set_aside: set[str] = frozenset()) -> list[tuple[str | None, str]]:
    """Return the problems a field-by-field validation cannot see, as (item code, message) in the current language.

    ``set_aside``: codes of questions left out because their fields have problems; a condition on one of
    them is not a problem of its own.
    """
    problems = []
    if definition.intro_without_partnership and not definition.intro:
        problems.append((None, _("intro_without_partnership: give an 'intro' too, the welcome text of the "
                                 "invitations that belong to a partnership")))
    themes = {t.code for t in definition.themes}
    seen_codes: set[str] = set()
    seen_sections: set[str] = set()
    for section in definition.sections:
        if section.code in seen_sections:
            problems.append((None, _("section code '%(code)s' is used twice", code=section.code)))
        if section.code in RESERVED_SECTIONS:
            problems.append((None, _("section code '%(code)s' is reserved", code=section.code)))
        seen_sections.add(section.code)
        for item in section.items:
            for code in [item.code, *(c.code for c in item.cells)]:
                if code in seen_codes:
                    problems.append((item.code, _("code '%(code)s' is used twice", code=code)))
                seen_codes.add(code)
            if item.theme not in themes:
                problems.append((item.code, _("theme '%(theme)s' is not among the file's themes", theme=item.theme)))
            if item.scale and item.scale not in definition.scales:
                problems.append((item.code, _("scale '%(scale)s' is not among the file's scales", scale=item.scale)))
    for name, labels in definition.scales.items():
        if sorted(labels) != [1, 2, 3, 4, 5]:
            problems.append((None, _("scale '%(scale)s' must label exactly the values 1 to 5", scale=name)))
    return problems + condition_problems(definition, set_aside)


def condition_problems(definition: Definition, set_aside: set[str] = frozenset()) -> list[tuple[str | None, str]]:
    """The conditions that look at a later (or unknown) answer, or ask what the answer cannot be.

    A condition may only read answers given before it: a section's, those of earlier sections; an
    item's, those of earlier items. That also rules out loops, and lets one pass in questionnaire
    order decide what is asked (conditions.asked).
    """
    owners = definition.owners
    answerable = {side: frozenset(code for s in definition.sections_for(side) for item in s.items_for(side)
                                  for code in (item.code, *item.answer_codes)) for side in rounds.SIDES}
    problems, earlier = [], set()
    for section in definition.sections:
        if section.when:
            where = _("section '%(code)s'", code=section.code)
            messages = check_condition(section.when, owners, earlier, where, set_aside) or \
                never_asked(section.when, [side for side in section.sides if section.items_for(side)], answerable)
            problems += [(None, _("%(where)s: %(what)s", where=where, what=message)) for message in messages]
        for item in section.items:
            if item.when:
                sides = [side for side in item.sides if side in section.sides]
                problems += [(item.code, message) for message in
                             check_condition(item.when, owners, earlier, item.code, set_aside)
                             or never_asked(item.when, sides, answerable)]
            earlier.update([item.code, *item.answer_codes])
    return problems


def never_asked(condition, sides: list[str], answerable: dict[str, frozenset[str]]) -> list[str]:
    """Why a question or a page would never be asked of a side it is meant for: its ``condition`` needs an
    answer that side is never asked (a question of the other side only)."""
    return [_("its condition needs an answer the %(side)s side is never asked, so it would never be asked of that "
              "side: take that side off, or change the condition", side=rounds.SIDE_LABELS[rounds.Side(side)])
            for side in sides if not answers_can_hold(condition, answerable[side])]


def check_condition(condition, owners: dict[str, Item], earlier: set[str], where: str,
                    set_aside=frozenset()) -> list[str]:
    """What is wrong in ``condition`` of ``where``: codes no item (``owners``, by answer code) has, answers not
    among those asked before it (``earlier``), values the answer cannot have. Codes in ``set_aside`` are said
    nothing of."""
    problems = []
    for part in walk(condition):
        for code in part.item_codes():
            item = owners.get(code)
            if item is None:
                if code not in set_aside:
                    problems.append(_("condition on '%(code)s': no item has this code", code=code))
                continue
            if code not in earlier:
                problems.append(_("condition on '%(code)s', which is not asked before %(where)s: a condition can only "
                                  "depend on earlier questions (so that no condition loops back on itself)",
                                  code=code, where=where))
                continue
            if code == item.code and item.answer_codes != [item.code]:
                problems.append(_("condition on '%(code)s', a matrix: name one of its cells, such as '%(cell)s'",
                                  code=code, cell=item.answer_codes[0]))
                continue
            problems += _check_value(part, item)
    return problems


def _check_value(part, item: Item) -> list[str]:
    kind = item.kind
    if isinstance(part, Equals | OneOf):
        expected = [part.equals] if isinstance(part, Equals) else part.in_
        if kind.includes:
            return [_("condition on '%(code)s', a multiple choice: ask whether it 'includes' an option",
                      code=part.item)]
        wrong = [value for value in expected if not kind.comparable(item, value)]
        if wrong:
            return [_("condition on '%(code)s': %(value)s is not an answer this %(type)s item can have",
                      code=part.item, value=repr(wrong[0]), type=kind.name)]
    if isinstance(part, Includes):
        if not kind.includes:
            return [_("condition on '%(code)s': 'includes' is for a multiple choice, not a %(type)s item",
                      code=part.item, type=kind.name)]
        if not kind.has_option(item, part.includes):
            return [_("condition on '%(code)s': it has no option '%(option)s'", code=part.item, option=part.includes)]
    if isinstance(part, AtLeast):
        if not kind.ordered:
            return [_("condition on '%(code)s': 'at_least' is for a scale or a number, not a %(type)s item",
                      code=part.item, type=kind.name)]
        if not kind.comparable(item, part.at_least):
            return [_("condition on '%(code)s': %(value)s is not an answer this %(type)s item can have",
                      code=part.item, value=repr(part.at_least), type=kind.name)]
    return []
