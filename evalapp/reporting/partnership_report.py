"""The report of one partnership whose two sides answered: what each side said, side by side, for both.

Meant to be shared with both partners ("know one's partners better"): both sides' theme indices,
the items where they agree and where they differ most, each with what its gap means (a disagreement
about the shared relationship, or unequal benefits), both sides' stories, and each side's free-text
answers when the round shares them. Read from the same aggregates as the partnership's dashboard.
"""
from dataclasses import dataclass, field

from evalapp.models import Round
from evalapp.questionnaires.definition import Definition
from evalapp.reporting import aggregate, gaps, pages

#: How many items the report lists among those the two sides differ on most.
DIFFERENCES_SHOWN = 10
#: The smallest gap (points on a 1–5 scale) the report counts as a difference.
DIFFERENCE_FROM = 2


@dataclass
class ItemLine:
    code: str
    question: str
    home: str
    partner: str
    gap: int | None
    #: What a gap means on this item, in a word (disagreement, unequal benefits).
    meaning: str


@dataclass
class SideTexts:
    """One side's stories and free-text answers: (question, text)."""

    name: str
    stories: list[tuple[str, str]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class PartnershipReport:
    comparison: aggregate.PartnershipComparison
    chart: pages.Chart
    agreements: list[ItemLine]
    differences: list[ItemLine]
    legend: dict
    home: SideTexts
    partner: SideTexts
    texts_shared: bool


def find(round_: Round, partnership_id: int) -> aggregate.PartnershipComparison | None:
    """The partnership's comparison when both its sides submitted in ``round_``, else None."""
    return next(iter(aggregate.partnership_comparisons(round_, partnership_id=partnership_id)), None)


def build(round_: Round, comparison: aggregate.PartnershipComparison, definition: Definition, lang: str,
          dont_know: str) -> PartnershipReport:
    """The report of ``comparison``'s partnership; ``dont_know`` is how a "don't know" answer reads."""
    rows = aggregate.item_comparison(round_, comparison.home_response_id, comparison.partner_response_id)
    meanings, words = gaps.gap_meanings(definition), gaps.GAP_LABELS

    def line(row):
        def score(value, unknown):
            return dont_know if unknown else ("—" if value is None else str(value))
        return ItemLine(row.code, pages.question_text(definition, row.code, lang) or row.code,
                        score(row.home, row.home_dont_know), score(row.partner, row.partner_dont_know), row.gap,
                        str(words[meanings.get(row.code)]))

    both = [row for row in rows if row.gap is not None]
    agreements = [line(row) for row in both if row.gap == 0]
    differing = sorted((row for row in both if row.gap >= DIFFERENCE_FROM), key=lambda row: -row.gap)
    texts = _texts(round_, definition, comparison, lang, round_.texts_shared)
    return PartnershipReport(
        comparison=comparison, chart=pages.partnership_chart(comparison, definition, lang),
        agreements=agreements, differences=[line(row) for row in differing[:DIFFERENCES_SHOWN]],
        legend=gaps.legend(definition), home=texts[comparison.home_response_id],
        partner=texts[comparison.partner_response_id], texts_shared=round_.texts_shared,
    )


def _texts(round_, definition, comparison, lang, with_texts: bool) -> dict[int, SideTexts]:
    items = [i for s in definition.sections for i in s.items if i.kind.free_text]
    # The most-significant-change stories (``story: true``) are shared; the other texts only when the round says so.
    stories = {i.code for i in items if i.story}
    codes = [i.code for i in items if with_texts or i.code in stories]
    questions = {i.code: i.text.get(lang) for i in items}
    result = {comparison.home_response_id: SideTexts(comparison.home_name),
              comparison.partner_response_id: SideTexts(comparison.partner_name)}
    for response_id, side in result.items():
        for answer in aggregate.text_answers(round_, codes, response_id=response_id):
            pair = (questions[answer.item_code], answer.text)
            (side.stories if answer.item_code in stories else side.texts).append(pair)
    return result
