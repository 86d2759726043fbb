"""What a gap between the two sides' answers means, item by item and theme by theme.

Where both sides describe one shared relationship ("relationship"), a gap is a disagreement about it;
where each describes its own territory ("territory"), a gap is an unequal benefit, not a disagreement.
A definition says which with ``gap:`` on its scale items and matrix columns (FORMAT.md); aict v1,
written before the key and never to change, is read by :func:`aict_v1_gap`. Then what the reciprocity
pages say of it, in the page's language. No database.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from evalapp.questionnaires.definition import GAPS, SCORED_THEMES, Definition, Item

RELATIONSHIP, TERRITORY = GAPS

#: The meaning of a gap, in a word (table cells, group headings); None: the questionnaire does not say.
GAP_LABELS = {RELATIONSHIP: _l("disagreement"), TERRITORY: _l("unequal benefits"), None: _l("not said")}
#: ... and in a sentence.
GAP_EXPLANATIONS = {
    RELATIONSHIP: _l("Both sides describe one shared relationship: a gap means they see it differently."),
    TERRITORY: _l("Each side describes its own territory (its inhabitants, its services, its organisation): "
                  "a gap means the partnership benefits them unequally, not that they disagree."),
    None: _l("The questionnaire does not say what a gap means for these items."),
}

#: What the pages say of the questionnaire whose gaps :func:`aict_v1_gap` reads.
AICT_V1_NOTE = _l("Version 1 of this questionnaire does not say what its gaps mean; evalapp reads as the shared "
                  "relationship the reciprocity items (except REC_10 and REC_11, on what each side gains), IMP_05, "
                  "IMP_06 and the “between our two territories” cells, and every other item as each side's own "
                  "territory.")


def aict_v1_gap(item: Item, code: str) -> str:
    """What a gap means in aict v1, whose file cannot say it (rounds have answered it as it is).

    Read from its wording, as ../shared/QUESTIONNAIRE-REVIEW.md does: the reciprocity items describe
    the relationship both sides share ("decisions are taken jointly"), except REC_10 and REC_11, which
    ask what *our own* authority gains; so do IMP_01's "between our two territories" column (BTW),
    IMP_05 (whether what the partnership achieved would last) and IMP_06 ("the link between our two
    territories"), as aict v2 says of the same codes. Every other item asks each side about its own
    territory, inhabitants or organisation. AICT_V1_NOTE says the same on the pages: change both together.
    """
    if item.code in ("REC_10", "REC_11"):
        return TERRITORY
    if item.theme == "reciprocity" or item.code in ("IMP_05", "IMP_06") or code.endswith("_BTW"):
        return RELATIONSHIP
    return TERRITORY


def reads_aict_v1(definition: Definition) -> bool:
    """Whether the gaps of ``definition`` are read by :func:`aict_v1_gap` rather than said by its file."""
    return (definition.code, definition.version) == ("aict", 1)


def gap_meanings(definition: Definition) -> dict[str, str | None]:
    """What a gap means for each scored answer code both sides are asked (None when it is not said)."""
    fallback = reads_aict_v1(definition)
    return {
        code: item.gap_of(code) or (aict_v1_gap(item, code) if fallback else None)
        for section in definition.sections for item in section.items
        if item.kind.scored and item.theme in SCORED_THEMES and len(set(item.sides)) > 1
        for code in item.answer_codes
    }


@dataclass
class ThemeGaps:
    """How many of a theme's items describe the shared relationship, each side's territory, or do not say."""

    relationship: int
    territory: int
    unsaid: int

    @property
    def meaning(self) -> str | None:
        """RELATIONSHIP or TERRITORY when every item of the theme that says agrees; None when mixed or unsaid."""
        if self.relationship and not self.territory:
            return RELATIONSHIP
        if self.territory and not self.relationship:
            return TERRITORY
        return None

    @property
    def mixed(self) -> bool:
        return bool(self.relationship and self.territory)


def theme_gaps(definition: Definition) -> dict[str, ThemeGaps]:
    """For each scored theme of the definition, what its items' gaps mean."""
    meanings = gap_meanings(definition)
    owners = definition.owners
    result = {}
    for theme in definition.scored_themes:
        said = [meaning for code, meaning in meanings.items() if owners[code].theme == theme]
        result[theme] = ThemeGaps(said.count(RELATIONSHIP), said.count(TERRITORY), said.count(None))
    return result


# --- What the pages say -------------------------------------------------------------------


def theme_labels(definition: Definition) -> dict[str, str]:
    """What a gap means in each theme, in a word: disagreement, unequal benefits, mixed or not said."""
    return {theme: _("mixed") if counts.mixed else str(GAP_LABELS[counts.meaning])
            for theme, counts in theme_gaps(definition).items()}


def theme_readings(definition: Definition, labels: dict[str, str]) -> dict[str, str]:
    """What a gap means in each theme, as a sentence: {theme: "Reciprocity: ..."} (``labels``: the themes')."""
    readings = {}
    for theme, counts in theme_gaps(definition).items():
        if counts.meaning == RELATIONSHIP:
            reading = _("its items describe the relationship both sides share, so a gap means disagreement")
        elif counts.meaning == TERRITORY:
            reading = _("its items describe each side's own territory, so a gap means unequal benefits")
        elif counts.mixed:
            reading = _("%(relationship)s of its %(total)s items describe the shared relationship (a gap there means "
                        "disagreement), %(territory)s each side's own territory (unequal benefits)",
                        relationship=counts.relationship, territory=counts.territory,
                        total=counts.relationship + counts.territory + counts.unsaid)
        else:
            reading = _("the questionnaire does not say what its gaps mean")
        readings[theme] = _("%(theme)s: %(reading)s.", theme=labels[theme], reading=reading)
    return readings


def legend(definition: Definition) -> dict:
    """What the two meanings of a gap are, and how the pages know which an item has, for a page's legend."""
    return {"meanings": [(str(GAP_LABELS[m]).capitalize(), str(GAP_EXPLANATIONS[m])) for m in GAPS],
            "notes": notes(definition)}


def notes(definition: Definition) -> list[str]:
    """How the pages know what the gaps mean, when the questionnaire's file does not say it."""
    return [str(AICT_V1_NOTE)] if reads_aict_v1(definition) else []


@dataclass
class GapGroup:
    """Items of a partnership compared, whose gaps mean the same thing."""

    label: str
    explanation: str
    rows: list


def item_groups(definition: Definition, rows: list) -> list[GapGroup]:
    """The items of a partnership compared (aggregate.item_comparison), grouped by what their gap means."""
    meanings = gap_meanings(definition)
    groups = []
    for meaning in (*GAPS, None):
        chosen = [row for row in rows if meanings.get(row.code) == meaning]
        if chosen:
            groups.append(GapGroup(str(GAP_LABELS[meaning]).capitalize(), str(GAP_EXPLANATIONS[meaning]), chosen))
    return groups
