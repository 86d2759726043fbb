"""Each section of the answers as the respondent reviews them: its lines, its count of answered items,
and whether a required item is still unanswered."""
from dataclasses import dataclass

from evalapp.questionnaires.conditions import Asked
from evalapp.questionnaires.definition import Definition, Section
from evalapp.questionnaires.types import AnswerMap, Line
from evalapp.respond.answers import is_answered


@dataclass(frozen=True)
class ReviewedSection:
    section: Section
    #: Its questions (a matrix: one per cell) and their answers as text.
    lines: list[Line]
    #: Items answered, a matrix counting once all its cells are (as for a required item).
    answered: int
    #: Items the respondent's side is asked on this page.
    items: int
    #: Required items not answered: the review page shows this section open, and says so.
    missing_required: int


def reviewed_sections(definition: Definition, sections: list[Section], side: str, answers: AnswerMap,
                      lang: str, asked: Asked) -> list[ReviewedSection]:
    """The ``sections`` asked, each with the items asked (``asked``) and their answers."""
    reviewed = []
    for section in sections:
        items = asked.items_of(section, side)
        done = [is_answered(item, answers) for item in items]
        reviewed.append(ReviewedSection(
            section=section,
            lines=[line for item in items for line in item.kind.lines(item, definition, side, answers, lang)],
            answered=sum(done),
            items=len(items),
            missing_required=sum(item.required and not answered for item, answered in zip(items, done, strict=True)),
        ))
    return reviewed
