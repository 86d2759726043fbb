"""The dashboards' kept figures: counted as responses change, caught up in batches, never in a request that reads.

Counting the answers of 100,000 responses (8.8 million rows) takes seconds; reading the few
thousand tally rows of a round (evalapp/models/results.py) takes milliseconds. The tallies count
responses by status and by day of submission, the submitted ones' answers and theme indices, for
each side, type, country and region. Each response records what the tallies hold of it
(``Response.counted_*``) and whether that is how it is now (``Response.counts_current``):

- the write paths (an invitation, a first answer, a submission, a reopening, a withdrawn link,
  a link given back, an authority's type, country or region edited) call :func:`refresh` in
  their own transaction: it takes out what the tallies held of the response and adds what it
  is now, in one small statement;
- a response written in bulk, or changed without them (the listeners at the end of this module
  mark such changes), is not current. :func:`catch_up` counts those a batch at a time, each batch
  its own transaction, passing over the responses someone else holds, and the work resumes
  where it stopped. Until then the dashboards say how many responses their figures leave out.

Every writer adds to the tally rows in one statement, in the order of their key, so concurrent
submissions and catch-ups may wait for one another but never deadlock. That statement sums
everything before it writes, so a batch holds the rows a submission needs only from its write
to its commit: milliseconds, whatever the batch's size (docs/performance.md). Both the counts
and the theme indices come from one SQL definition each (:func:`_contribution`, :func:`response_indices`).
"""
import json
import time
from dataclasses import dataclass

from sqlalchemy import (
    Float,
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from evalapp.extensions import db
from evalapp.models import (
    WITHDRAWN,
    Answer,
    AnswerTally,
    Authority,
    Invitation,
    QuestionnaireItem,
    Response,
    ResponseScore,
    ResponseStatus,
    Round,
)
from evalapp.models.base import utcnow
from evalapp.questionnaires.types import COUNTED_TYPES, DONT_KNOW, RESPONDENT_COUNTED_TYPES

#: The tally value that counts the respondents of a multiple-choice item.
ANSWERED = "*"
#: Tallies of theme indices have the item code "theme:<theme>" and the index as value.
THEME_PREFIX = "theme:"
#: The code of the tallies of responses by status (the value), "withdrawn" for withdrawn links.
STATUS = "response:status"
#: The code of the tallies of submitted responses by day of submission (the value, YYYY-MM-DD).
SUBMITTED_ON = "response:submitted_on"
TALLY_COLUMNS = ["round_id", "side", "kind", "country", "region", "item_code", "value", "n"]
TALLY_KEY = TALLY_COLUMNS[:-1]
#: The authority's fields the tallies are counted by.
FACETS = ("kind", "country", "region")
#: Responses counted per transaction by the catch-up.
BATCH = 500


def counts() -> tuple:
    """The conditions on (Invitation, Response) of a response that counts, in any round: submitted, link not withdrawn."""
    return (Invitation.revoked_at.is_(None), Response.status == ResponseStatus.SUBMITTED)


def counted(round_id: int) -> tuple:
    """The conditions on (Invitation, Response) of the round's responses that count (:func:`counts`)."""
    return (Invitation.round_id == round_id, *counts())


def not_current(round_id: int) -> Select:
    """A SELECT of the ids of the round's responses the tallies do not hold as they are."""
    return select(Response.id).join(Invitation, Invitation.id == Response.invitation_id) \
        .where(Invitation.round_id == round_id, ~Response.counts_current)


def of_authority(authority_id: int) -> Select:
    """A SELECT of the ids of the authority's responses, in every round."""
    return select(Response.id).join(Invitation, Invitation.id == Response.invitation_id) \
        .where(Invitation.authority_id == authority_id)


def refresh(responses: Select | list[int]) -> None:
    """Make the tallies hold ``responses`` (ids, or a SELECT of ids) as they are now; flushes.

    The responses stay locked until the transaction ends (PostgreSQL), so that the catch-up
    passes them over and two writers never count one response twice.
    """
    db.session.flush()
    if not isinstance(responses, Select):
        if not responses:
            return
        responses = select(Response.id).where(_among(responses))
    ids = db.session.scalars(responses.order_by(Response.id).with_for_update(of=Response)).all()
    if ids:
        _count(ids)


@dataclass
class CatchUp:
    """What a catch-up did: responses counted, and those still not current when it stopped."""

    counted: int
    left: int


def catch_up(round_id: int, batch: int = BATCH, seconds: float | None = None) -> CatchUp:
    """Count the round's responses that are not current, ``batch`` at a time, committing each batch.

    Responses someone else holds (a respondent submitting) are passed over: their writer counts
    them. Stops when none is left, or after the batch that reaches ``seconds`` (one batch at
    least); calling it again resumes there. When none is left, the round's figures are complete: ``counted_at``.
    This commits; it is the whole of a command. The job of evalapp/jobs/counts.py does the same,
    committing through its progress.
    """
    started, done = time.monotonic(), 0
    while counted := count_next_batch(round_id, batch):
        db.session.commit()
        done += counted
        if seconds is not None and time.monotonic() - started >= seconds:
            break
    left = finish_catch_up(round_id)
    db.session.commit()
    return CatchUp(counted=done, left=left)


def count_next_batch(round_id: int, batch: int = BATCH) -> int:
    """Count the next ``batch`` responses of the round that are not current; return how many (0: none left).

    Flushes; commit at once after it, so that the responses and tally rows it holds are let go.
    """
    ids = _next_batch(round_id, batch)
    if ids:
        _count(ids)
    return len(ids)


def left_to_count(round_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(not_current(round_id).subquery()))


def finish_catch_up(round_id: int) -> int:
    """After the last batch: how many are left; none, the figures are complete as of now (flushes)."""
    left = left_to_count(round_id)
    if not left:
        db.session.execute(update(Round).where(Round.id == round_id).values(counted_at=utcnow()))
        _drop_empty_rows(round_id)
    db.session.flush()
    return left


def _next_batch(round_id: int, size: int) -> list[int]:
    """Up to ``size`` responses of the round not current, locked, of one side, type, country and region.

    Of one facet, they add to a few hundred tally rows (all facets at once: thousands), held from
    the batch's one upsert to its commit: a few milliseconds. Responses someone else holds are
    passed over.
    """
    facets = (Invitation.side, *_facets_now())
    pending = not_current(round_id).join(Authority, Authority.id == Invitation.authority_id) \
        .with_for_update(of=Response, skip_locked=True)
    first = db.session.execute(pending.add_columns(*facets).limit(1)).first()
    if first is None:
        return []
    same = [column == value for column, value in zip(facets, first[1:], strict=True)]
    return db.session.scalars(pending.where(*same).limit(size)).all()


def forget(round_id: int) -> None:
    """Empty the round's tallies, every response of it then not current: the catch-up counts all again; flushes.

    For a rebuild. It holds every response of the round until the transaction ends (about a
    second at 100,000 responses); :func:`catch_up` is enough after anything else.
    """
    responses = select(Response.id).join(Invitation, Invitation.id == Response.invitation_id) \
        .where(Invitation.round_id == round_id).scalar_subquery()
    db.session.execute(delete(AnswerTally).where(AnswerTally.round_id == round_id))
    db.session.execute(
        update(Response).where(Response.id.in_(responses))
        .values(counts_current=False, counted_status=None, counted_kind=None, counted_country=None,
                counted_region=None, counted_on=None)
        .execution_options(synchronize_session=False))
    db.session.execute(update(Round).where(Round.id == round_id).values(counted_at=None))
    db.session.flush()


def _among(ids: list[int]):
    """``Response.id IN ids`` as one parameter, however many they are (PostgreSQL takes 65,535 at
    most in a statement, SQLite 32,766): an array on PostgreSQL, a JSON list on SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        return Response.id == any_(bindparam("ids", list(ids), type_=postgresql.ARRAY(Integer), unique=True))
    listed = func.json_each(json.dumps(list(ids))).table_valued("value")
    return Response.id.in_(select(listed.c.value))


def _status_now():
    """What a response counts as now: its status, or "withdrawn" while its link is."""
    return case((Invitation.revoked_at.is_not(None), literal(WITHDRAWN)), else_=Response.status)


def _facets_now():
    return Authority.kind, Authority.country, func.coalesce(Authority.region, "")


def _count(ids: list[int]) -> None:
    """Take out of the tallies what they hold of the (locked) responses, add what they are now; flushes."""
    _score(ids)
    batch = _batch(ids)
    delta = union_all(*_contribution(batch, as_counted=True), *_contribution(batch, as_counted=False)).subquery()
    key = [delta.c[name] for name in TALLY_KEY]
    # Summed first, so that each tally row is written once; in key order, the same for every
    # writer, so that two transactions never wait for each other's rows in opposite orders. The
    # rows are locked only once all is summed (the sort comes first), until the commit.
    changes = select(*key, func.sum(delta.c.n)).group_by(*key).having(func.sum(delta.c.n) != 0).order_by(*key)
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    rows = dialect.insert(AnswerTally).from_select(TALLY_COLUMNS, changes)
    db.session.execute(rows.on_conflict_do_update(index_elements=TALLY_KEY, set_={"n": AnswerTally.n + rows.excluded.n}))
    kind, country, region = _facets_now()
    status = _status_now()
    db.session.execute(
        update(Response)
        .where(_among(ids), Invitation.id == Response.invitation_id, Authority.id == Invitation.authority_id)
        .values(counts_current=True, counted_status=status, counted_kind=kind, counted_country=country,
                counted_region=region,
                counted_on=case((status == ResponseStatus.SUBMITTED, func.date(Response.submitted_at))))
        .execution_options(synchronize_session=False))
    _expire_loaded(ids)
    db.session.flush()


def _batch(ids: list[int]):
    """A CTE of the responses: what the tallies hold of each (``was_*``) and what it is now (``is_*``)."""
    return (
        select(Response.id.label("id"), Invitation.round_id.label("round_id"), Invitation.side.label("side"),
               Round.questionnaire_version_id.label("version_id"),
               Response.counted_status.label("was_status"), Response.counted_kind.label("was_kind"),
               Response.counted_country.label("was_country"), Response.counted_region.label("was_region"),
               cast(Response.counted_on, String).label("was_on"),
               _status_now().label("is_status"), *(facet.label(f"is_{name}") for facet, name in zip(_facets_now(), FACETS,
                                                                                                   strict=True)),
               cast(func.date(Response.submitted_at), String).label("is_on"))
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Authority, Authority.id == Invitation.authority_id)
        .join(Round, Round.id == Invitation.round_id)
        .where(_among(ids))
        .cte("batch")
    )


def _contribution(batch, as_counted: bool) -> list[Select]:
    """SELECTs of tally rows (round_id, side, kind, country, region, item_code, value, n) of the ``batch``:
    what the tallies hold of its responses (``as_counted``, n negative), or what they should hold now."""
    column = batch.c
    was = "was_" if as_counted else "is_"
    status, day, sign = column[was + "status"], column[was + "on"], -1 if as_counted else 1
    key = (column.round_id, column.side, *(column[was + name] for name in FACETS))
    submitted = status == ResponseStatus.SUBMITTED

    def tally(code, value, n, rows=None):
        """SELECT a tally row from the batch (joined to its ``rows``: answers or scores)."""
        labelled = [expression.label(name) for expression, name in zip((*key, code, value, n), TALLY_COLUMNS, strict=True)]
        query = select(*labelled).select_from(batch)
        return query if rows is None else query.join(rows, rows.response_id == column.id)

    def answers(code, value, n, types=COUNTED_TYPES):
        return (tally(code, value, n, Answer)
                .join(QuestionnaireItem, and_(QuestionnaireItem.code == Answer.item_code,
                                              QuestionnaireItem.questionnaire_version_id == column.version_id,
                                              QuestionnaireItem.type.in_(types)))
                .where(submitted, Answer.set_aside.is_(False)))

    value = case((Answer.dont_know, literal(DONT_KNOW)),
                 (Answer.scale_value.is_not(None), cast(Answer.scale_value, String)), else_=Answer.choice)
    score = cast(ResponseScore.score, String)
    count = func.count() * sign
    return [
        tally(literal(STATUS), status, count).where(status.is_not(None)).group_by(*key, status),
        tally(literal(SUBMITTED_ON), day, count).where(submitted, day.is_not(None)).group_by(*key, day),
        answers(Answer.item_code, value, count).group_by(*key, Answer.item_code, value),
        answers(Answer.item_code, literal(ANSWERED), func.count(func.distinct(Answer.response_id)) * sign,
                types=RESPONDENT_COUNTED_TYPES).group_by(*key, Answer.item_code),
        # Theme indices take few distinct values (a mean of a few scores 1–5): counted like answers,
        # under "theme:<theme>", they give n, mean, spread and range without reading every response.
        tally(THEME_PREFIX + ResponseScore.theme, score, count, ResponseScore).where(submitted)
        .group_by(*key, ResponseScore.theme, score),
    ]


def _score(ids: list[int]) -> None:
    """Give the responses counted anew as submitted their theme indices (a resubmission replaces them).

    A submitted response's answers cannot change, so its indices are computed once, when it starts
    counting as submitted. Those of a response counted otherwise are never read.
    """
    entering = (select(Response.id).join(Invitation, Invitation.id == Response.invitation_id)
                .where(_among(ids), _status_now() == ResponseStatus.SUBMITTED,
                       Response.counted_status.is_distinct_from(ResponseStatus.SUBMITTED)))
    db.session.execute(delete(ResponseScore).where(ResponseScore.response_id.in_(entering))
                       .execution_options(synchronize_session=False))
    indices = response_indices(entering)
    db.session.execute(insert(ResponseScore).from_select(
        ["response_id", "theme", "score"], select(indices.c.response_id, indices.c.theme, indices.c.theme_index)))


def _expire_loaded(ids: list[int]) -> None:
    """Forget the bookkeeping columns of the responses loaded in the session: they were updated in SQL."""
    wanted = set(ids)
    columns = ["counts_current", "counted_status", "counted_kind", "counted_country", "counted_region", "counted_on"]
    for thing in list(db.session.identity_map.values()):
        if isinstance(thing, Response) and thing.id in wanted:
            db.session.expire(thing, columns)


def _drop_empty_rows(round_id: int) -> None:
    """Delete the round's tally rows that count nothing, passing over those a writer holds."""
    empty = select(AnswerTally.id).where(AnswerTally.round_id == round_id, AnswerTally.n == 0) \
        .with_for_update(skip_locked=True).scalar_subquery()
    db.session.execute(delete(AnswerTally).where(AnswerTally.id.in_(empty)).execution_options(synchronize_session=False))


def response_indices(responses: Select):
    """A subquery: (response_id, theme, theme_index) for each response with enough items answered.

    ``responses`` is a SELECT of response ids, of any rounds. Don't-know answers have no scale
    value, so they count neither in the mean nor towards the half of the items.
    """
    sizes = (
        select(QuestionnaireItem.questionnaire_version_id.label("version_id"), QuestionnaireItem.theme,
               func.count().label("size"))
        .where(QuestionnaireItem.scored)
        .group_by(QuestionnaireItem.questionnaire_version_id, QuestionnaireItem.theme)
        .subquery()
    )
    chosen = responses.subquery()
    answered = func.count(Answer.scale_value)
    return (
        select(
            Answer.response_id.label("response_id"),
            QuestionnaireItem.theme.label("theme"),
            ((func.avg(cast(Answer.scale_value, Float)) - 1) * 25).label("theme_index"),
        )
        # A join rather than IN (subquery): PostgreSQL then hashes the items instead of probing
        # the answers of every (response, item) pair (40 s → under a second at 100,000 responses).
        .join(chosen, chosen.c.id == Answer.response_id)
        .join(Response, Response.id == Answer.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Round, Round.id == Invitation.round_id)
        .join(QuestionnaireItem, and_(QuestionnaireItem.code == Answer.item_code,
                                      QuestionnaireItem.questionnaire_version_id == Round.questionnaire_version_id,
                                      QuestionnaireItem.scored))
        .join(sizes, and_(sizes.c.version_id == QuestionnaireItem.questionnaire_version_id,
                          sizes.c.theme == QuestionnaireItem.theme))
        .where(Answer.scale_value.is_not(None), Answer.set_aside.is_(False))
        .group_by(Answer.response_id, QuestionnaireItem.theme)
        .having(answered * 2 >= func.max(sizes.c.size))
        .subquery()
    )


# --- Changes made outside the write paths ----------------------------------------------------------
# A direct edit (a script, the demo, a test) of what the tallies count marks the response not
# current: the write paths count it again in the same transaction, anything else leaves it to the
# catch-up, and the dashboards say so meanwhile. Writes in bulk (COPY, Core inserts) add responses
# that are not current from the start (the column's default).


@event.listens_for(Response, "before_update")
def _status_changed(mapper, connection, response):
    state = inspect(response)
    if state.attrs.status.history.has_changes() or state.attrs.submitted_at.history.has_changes():
        response.counts_current = False


def _mark_not_current(connection, invitations) -> None:
    responses = Response.__table__
    connection.execute(update(responses).where(responses.c.invitation_id.in_(invitations), responses.c.counts_current)
                       .values(counts_current=False))


@event.listens_for(Invitation, "before_update")
def _link_changed(mapper, connection, invitation):
    if inspect(invitation).attrs.revoked_at.history.has_changes():
        _mark_not_current(connection, [invitation.id])


@event.listens_for(Authority, "before_update")
def _facets_changed(mapper, connection, authority):
    """An authority's type, country or region changed: its responses are counted under the old ones."""
    state = inspect(authority)
    if any(state.attrs[name].history.has_changes() for name in FACETS):
        invitations = Invitation.__table__
        _mark_not_current(connection, select(invitations.c.id).where(invitations.c.authority_id == authority.id))
