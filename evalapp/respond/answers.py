"""Answers between forms and rows: read them into a form, write a page of them, check and submit.

The functions here only flush; the view that calls them commits.
"""
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, select, update

from evalapp import tallies
from evalapp.extensions import db
from evalapp.models import Answer, QuestionnaireItem, Response, ResponseStatus
from evalapp.models.base import utcnow
from evalapp.questionnaires import conditions
from evalapp.questionnaires.conditions import Asked
from evalapp.questionnaires.definition import Definition, Item, Section
from evalapp.questionnaires.types import AnswerMap, AnswerRow

_columns = Answer.__table__.c
# What is read of an answer: its item's code, then an AnswerRow's values.
ANSWER_COLUMNS = ("item_code", "choice", "scale_value", "dont_know", "number_value", "text_value")
# Built once: building a statement and its cache key cost more than the database takes to run it.
_ANSWERS = (select(*(_columns[name] for name in ANSWER_COLUMNS))
            .where(_columns.response_id == bindparam("response_id")).order_by(_columns.id))
_ANSWERS_TO = _ANSWERS.where(_columns.item_code.in_(bindparam("codes", expanding=True)))
_items = QuestionnaireItem.__table__.c
# A page's answers by a statement of fixed shape: an IN list of the page's codes cost more to expand
# at every execution than the query took to run.
_ANSWERS_ON_PAGE = (
    _ANSWERS.join_from(Answer.__table__, QuestionnaireItem.__table__,
                       (_items.code == _columns.item_code)
                       & (_items.questionnaire_version_id == bindparam("version_id")))
    .where(_items.section == bindparam("section"))
)


def answers_by_code(response: Response, codes: list[str] | None = None) -> AnswerMap:
    """The response's answers (to ``codes`` only, if given) grouped by item (or matrix cell) code.

    Plain rows, not ORM objects: a page reads up to a few hundred of them each time it is drawn.
    """
    if codes is None:
        return grouped(db.session.execute(_ANSWERS, {"response_id": response.id}))
    return grouped(db.session.execute(_ANSWERS_TO, {"response_id": response.id, "codes": codes}))


def grouped(rows) -> AnswerMap:
    """Rows of :data:`ANSWER_COLUMNS`' values grouped by item (or matrix cell) code."""
    by_code: AnswerMap = defaultdict(list)
    make = AnswerRow._make
    for row in rows:
        by_code[row[0]].append(make(row[1:]))
    return dict(by_code)


def answers_on_page(response: Response, version_id: int, section_code: str) -> AnswerMap:
    """The response's answers to the items of one section, both sides' (as :func:`answers_by_code`)."""
    return grouped(db.session.execute(_ANSWERS_ON_PAGE, {"response_id": response.id, "version_id": version_id,
                                                          "section": section_code}))


def form_data(items: list[Item], answers: AnswerMap) -> dict:
    """The saved answers to ``items``, shaped as the section form's data."""
    return {name: value for item in items for name, value in item.kind.form_data(item, answers).items()}


def asked_of(definition: Definition, invitation, answers: AnswerMap) -> Asked:
    """What a response is asked, given its saved ``answers``."""
    return conditions.asked_by_answers(definition, invitation.side, invitation.partnership_id is not None, answers)


def page_items(definition: Definition, section, invitation, answers: AnswerMap) -> list[tuple[Item, object]]:
    """The items drawn on a section's page, each with what its being asked still depends on (see conditions.on_page)."""
    if not definition.conditional:
        return [(item, True) for item in section.items_for(invitation.side)]
    values = conditions.values_of(definition, invitation.side, answers)
    return conditions.page_items(definition, section, invitation.side, invitation.partnership_id is not None, values)


def set_aside_not_asked(definition: Definition, invitation) -> None:
    """Set aside the response's answers to the items it is not asked now, and bring the others back.

    Run at every save and submit, under the response's lock: an answer is set aside exactly when its
    item is not asked given the answers saved.
    """
    if not definition.conditional:
        return
    response = invitation.response
    hidden = asked_of(definition, invitation, answers_by_code(response)).not_asked_codes
    db.session.execute(
        update(Answer).where(Answer.response_id == response.id)
        .values(set_aside=Answer.item_code.in_(sorted(hidden)))
        .execution_options(synchronize_session=False)
    )


def rows_from_data(items: list[Item], data: dict) -> list[dict]:
    """Turn a page's values (shaped as :func:`form_data` gives them) into answer rows (as column mappings)."""
    return [row for item in items for row in item.kind.rows(item, data)]


def page_values(form) -> dict:
    """The values of a validated section form, by field name, shaped as :func:`form_data` gives them."""
    return {field.name: field.data for field in form if field.type != "CSRFTokenField"}


# --- Two copies of one page -------------------------------------------------------------------
# A page carries a fingerprint of each of its values as they were when it was drawn. When it is
# saved, a value equal to its fingerprint was not changed on this copy: the answer saved since by
# another copy (another tab, a colleague with the same link) stays. A value changed both here and
# there is a conflict: the respondent is shown both and chooses.


def _digest(value) -> str:
    canonical = json.dumps(value, ensure_ascii=False)
    return hashlib.blake2b(canonical.encode(), digest_size=8).hexdigest()


_EMPTY = _digest(None)


def fingerprint(value) -> str:
    """A short digest of one field's value; equal values (None, "" and [] alike) give equal digests."""
    if value in (None, "", []):
        return _EMPTY
    if isinstance(value, list):
        value = sorted(value)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    return _digest(value)


def fingerprints(names, values: dict) -> str:
    """The fingerprints of a page's values, as the page carries them (a hidden field)."""
    return json.dumps({name: fingerprint(values.get(name)) for name in names}, separators=(",", ":"))


def read_fingerprints(sent: str | None) -> dict[str, str] | None:
    """The fingerprints a page came back with; None for a page that carries none (or a broken one)."""
    try:
        loaded = json.loads(sent or "")
    except ValueError:
        return None
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        return None
    return loaded


@dataclass
class Merge:
    #: What the page's answers become: this copy's changes over what is saved now.
    values: dict
    #: The fields this copy and another save both changed, differently: the saved answer stays for now.
    conflicts: list[str]


def merge(mine: dict, saved: dict, loaded: dict[str, str] | None, keep_saved=frozenset()) -> Merge:
    """Combine a copy's values with the answers saved since it was drawn (see above).

    ``keep_saved``: fields where the respondent, told of a conflict, chose the saved answer.
    A page without fingerprints writes all its values, as every page did before they existed.
    """
    values, conflicts = {}, []
    for name, value in mine.items():
        base, theirs = (loaded or {}).get(name), saved.get(name)
        if base is None:
            values[name] = value
        elif fingerprint(value) == base or name in keep_saved:
            values[name] = theirs
        elif fingerprint(theirs) in (base, fingerprint(value)):
            values[name] = value
        else:
            values[name] = theirs
            conflicts.append(name)
    return Merge(values, conflicts)


def save_page(response: Response, items: list[Item], mine: dict, loaded: dict[str, str] | None,
              keep_saved=frozenset()) -> tuple[Merge, AnswerMap]:
    """Save what this copy of a page changed (see :func:`merge`); return the merge and the answers saved before."""
    before = answers_by_code(response, [code for item in items for code in item.answer_codes])
    merged = merge(mine, form_data(items, before), loaded, keep_saved)
    save_section(response, items, merged.values)
    return merged, before


def save_section(response: Response, items: list[Item], values: dict) -> None:
    """Replace the response's answers to the items of one page with ``values`` (shaped as :func:`form_data` gives them).

    Answers to other pages are untouched, so two tabs on two pages both keep theirs; so are those
    to the page's items not drawn on it (not asked), kept aside.
    """
    codes = [code for item in items for code in item.answer_codes]
    db.session.execute(
        delete(Answer).where(Answer.response_id == response.id, Answer.item_code.in_(codes))
    )
    db.session.add_all(Answer(response_id=response.id, **row) for row in rows_from_data(items, values))
    now = utcnow()
    if response.status == ResponseStatus.NOT_STARTED:
        response.status = ResponseStatus.IN_PROGRESS
        response.started_at = now
        tallies.refresh([response.id])  # a page saved before the welcome page's start; flushes
    response.updated_at = now
    db.session.flush()


def start(response: Response, role: str, first_section: str) -> None:
    """Record who answers and mark the response as in progress."""
    response.respondent_role = role
    if response.status == ResponseStatus.NOT_STARTED:
        response.status = ResponseStatus.IN_PROGRESS
        response.started_at = utcnow()
        response.current_section = first_section
        tallies.refresh([response.id])  # flushes
    db.session.flush()


@dataclass(frozen=True)
class Problem:
    """A required item left unanswered, and where to fix it."""

    section: Section
    item: Item


def is_answered(item: Item, answers: AnswerMap) -> bool:
    """Whether ``item`` counts as answered (don't know included): its type says."""
    return item.kind.is_answered(item, answers)


def missing_required(definition: Definition, side: str, answers: AnswerMap, asked: Asked | None = None) -> list[Problem]:
    """The required items ``asked`` (by default, all of the side's) left unanswered."""
    asked = asked or conditions.everything(definition, side)
    return [
        Problem(section, item)
        for section in asked.sections_of(definition, side)
        for item in asked.items_of(section, side)
        if item.required and not is_answered(item, answers)
    ]


def submit(response: Response) -> bool:
    """Mark the response submitted; return False if it already was.

    A single conditional UPDATE, so that two submits at once (double click, two tabs,
    a replayed request) leave one submission with the first time.
    """
    now = utcnow()
    result = db.session.execute(
        update(Response)
        .where(Response.id == response.id, Response.status != ResponseStatus.SUBMITTED)
        .values(status=ResponseStatus.SUBMITTED, submitted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(response)
    if result.rowcount != 1:
        return False
    tallies.refresh([response.id])  # its answers join the dashboards
    return True


def reopen(response: Response) -> None:
    """Put a submitted response back in progress; its answers are kept."""
    if response.status == ResponseStatus.SUBMITTED:
        response.status = ResponseStatus.IN_PROGRESS
        response.submitted_at = None
        response.updated_at = utcnow()
        tallies.refresh([response.id])  # its answers leave the dashboards; flushes
