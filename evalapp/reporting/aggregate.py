"""Every aggregate the dashboards show, computed in the database with GROUP BY.

Every count and theme index is read from the round's tallies and scores, kept by the write
paths (evalapp/tallies.py); reading them never writes. The rest (texts, partnerships, one
response's answers) from the responses. Plain functions in, plain data out: no Flask, no Plotly. Definitions follow
FRAMEWORK.md: item scores 1–5; a theme index 0–100 = (mean of answered items − 1) / 4 × 100,
only when at least half of the theme's items are answered; "don't know" is counted apart.
Groups smaller than ``min_n`` are hidden (their values are None), so that no single
authority can be recognised in a group chart.
"""
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from evalapp import tallies
from evalapp.extensions import db
from evalapp.models import (
    Answer,
    AnswerTally,
    Authority,
    Invitation,
    Partnership,
    QuestionnaireItem,
    Response,
    ResponseScore,
    ResponseStatus,
    Round,
    Side,
    StorySelection,
    StoryTag,
)
from evalapp.questionnaires.definition import DONT_KNOW, OTHER, SCORED_THEMES


@dataclass(frozen=True)
class Filters:
    """The dashboards' filters; empty means all."""

    kind: str = ""
    country: str = ""
    region: str = ""
    side: str = ""

    def as_args(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_args(cls, args) -> "Filters":
        """The filters of a request's arguments (or form): ?kind=commune&country=FR..."""
        return cls(**{k: args.get(k, "").strip()[:120] for k in ("kind", "country", "region", "side")})

    def apply(self, query, authority=Authority, invitation=Invitation, side: bool = True):
        """``query`` restricted to the authorities (and side) the filters name."""
        columns = [(authority.kind, self.kind), (authority.country, self.country), (authority.region, self.region)]
        if side:
            columns.append((invitation.side, self.side))
        for column, value in columns:
            if value:
                query = query.where(column == value)
        return query


def submitted_ids(round_id: int, filters: Filters = Filters()):
    """A subquery of the ids of the round's submitted responses that match the filters."""
    query = (
        select(Response.id)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Authority, Invitation.authority_id == Authority.id)
        .where(*tallies.counted(round_id))
    )
    return filters.apply(query)


def count_submitted(round_id: int, filters: Filters = Filters()) -> int:
    """How many of the round's responses that match the filters count: submitted, link not withdrawn."""
    return sum(n for _, value, n in _tallies(round_id, [tallies.STATUS], filters) if value == ResponseStatus.SUBMITTED)


#: The dashboards count the responses left out of their figures up to this many, and say "more than" beyond.
NOT_COUNTED_UP_TO = 1000


@dataclass
class Coverage:
    """How much of the round the tallies hold."""

    #: Responses the tallies do not hold as they are (written in bulk, changed outside the write paths),
    #: counted up to NOT_COUNTED_UP_TO + 1.
    not_counted: int
    #: When the catch-up last found every response counted; None if it never did.
    complete_at: datetime | None

    @property
    def more_than(self) -> int | None:
        """NOT_COUNTED_UP_TO when more responses than that are left out (their number was not read)."""
        return NOT_COUNTED_UP_TO if self.not_counted > NOT_COUNTED_UP_TO else None


def coverage(round_: Round) -> Coverage:
    """How many of the round's responses the tallies leave out (up to NOT_COUNTED_UP_TO and one), and when
    they last left out none.

    Counting them all would read every response of a bulk load on each view (0.3 s at 100,000): a page
    only reads the first NOT_COUNTED_UP_TO and one.
    """
    # Read from the index of the responses not current (usually none) with each one's round,
    # rather than by joining the round's invitations, which PostgreSQL may read whole.
    round_of = select(Invitation.round_id).where(Invitation.id == Response.invitation_id).scalar_subquery()
    left_out = select(Response.id).where(~Response.counts_current, round_of == round_.id).limit(NOT_COUNTED_UP_TO + 1)
    not_counted = db.session.scalar(select(func.count()).select_from(left_out.subquery()))
    return Coverage(not_counted=not_counted, complete_at=round_.counted_at)


def facets(round_id: int) -> list[tuple[str, str, str]]:
    """The (type, country, region) of the round's invited authorities, as counted in its tallies; region "" for none."""
    return db.session.execute(
        select(AnswerTally.kind, AnswerTally.country, AnswerTally.region)
        .where(AnswerTally.round_id == round_id, AnswerTally.item_code == tallies.STATUS, AnswerTally.n > 0)
        .distinct()
    ).all()


# --- Round overview -------------------------------------------------------------------


@dataclass
class Progress:
    invited: int
    counts: dict[str, int]
    #: (day, submissions that day, submitted so far, response rate so far)
    days: list[tuple[date, int, int, float]]


def progress(round_id: int, filters: Filters = Filters()) -> Progress:
    """Invitations by status, and submissions day by day with the cumulative response rate (withdrawn links apart)."""
    counts = {status.value: 0 for status in ResponseStatus}
    per_day: dict[date, int] = defaultdict(int)
    for code, value, n in _tallies(round_id, [tallies.STATUS, tallies.SUBMITTED_ON], filters):
        if code == tallies.SUBMITTED_ON:
            per_day[date.fromisoformat(value)] += n
        elif value in counts:
            counts[value] += n
    invited = sum(counts.values())
    days, total = [], 0
    for day in sorted(per_day):
        total += per_day[day]
        days.append((day, per_day[day], total, total / invited if invited else 0.0))
    return Progress(invited=invited, counts=counts, days=days)


#: The facets the round's tallies count respondents by, as :func:`submitted_by` names them.
FACETS = ("side", "kind", "country")


def submitted_by(round_id: int) -> dict[str, dict[str, int]]:
    """How many counted responses each side, type and country has: {"side": {"home": 21, ...}, ...}."""
    result: dict[str, dict[str, int]] = {facet: defaultdict(int) for facet in FACETS}
    for side, kind, country, n in db.session.execute(
        select(AnswerTally.side, AnswerTally.kind, AnswerTally.country, func.sum(AnswerTally.n))
        .where(AnswerTally.round_id == round_id, AnswerTally.item_code == tallies.STATUS,
               AnswerTally.value == ResponseStatus.SUBMITTED.value)
        .group_by(AnswerTally.side, AnswerTally.kind, AnswerTally.country)
    ):
        for facet, value in zip(FACETS, (side, kind, country), strict=True):
            if n:
                result[facet][value] += n
    return {facet: dict(counts) for facet, counts in result.items()}


# --- Theme indices ---------------------------------------------------------------------


@dataclass
class ThemeSummary:
    theme: str
    n: int
    mean: float | None
    sd: float | None
    minimum: float | None
    maximum: float | None


def theme_summaries(round_: Round, filters: Filters = Filters(), min_n: int = 3) -> list[ThemeSummary]:
    """Mean, spread and n of each scored theme's index over the responses that have one."""
    codes = {tallies.THEME_PREFIX + theme: theme for theme in SCORED_THEMES}
    indices: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for code, value, n in _tallies(round_.id, list(codes), filters):
        indices[codes[code]].append((float(value), n))
    rows = {}
    for theme, counted in indices.items():
        n = sum(count for _, count in counted)
        mean = sum(index * count for index, count in counted) / n
        mean_sq = sum(index * index * count for index, count in counted) / n
        rows[theme] = (n, mean, mean_sq, min(index for index, _ in counted), max(index for index, _ in counted))
    summaries = []
    for theme in SCORED_THEMES:
        n, mean, mean_sq, low, high = rows.get(theme, (0, None, None, None, None))
        if n < min_n:
            summaries.append(ThemeSummary(theme, n, None, None, None, None))
            continue
        variance = max(mean_sq - mean * mean, 0.0) * n / (n - 1) if n > 1 else 0.0
        summaries.append(ThemeSummary(theme, n, mean, math.sqrt(variance), low, high))
    return summaries


def indices_of(round_: Round, response_ids: list[int]) -> dict[int, dict[str, float]]:
    """Theme indices of given submitted responses: {response_id: {theme: index}}."""
    if not response_ids:
        return {}
    result: dict[int, dict[str, float]] = defaultdict(dict)
    for response_id, theme, index in db.session.execute(
        select(ResponseScore.response_id, ResponseScore.theme, ResponseScore.score)
        .where(ResponseScore.response_id.in_(response_ids))
    ):
        result[response_id][theme] = index
    return dict(result)


def partner_response(invitation: Invitation) -> Response | None:
    """The submitted response of the other side of the invitation's partnership in the same round."""
    if invitation.partnership_id is None:
        return None
    return db.session.scalar(
        select(Response).join(Invitation)
        .where(Invitation.round_id == invitation.round_id, Invitation.partnership_id == invitation.partnership_id,
               Invitation.side != invitation.side, Invitation.revoked_at.is_(None),
               Response.status == ResponseStatus.SUBMITTED)
    )


# --- Items ----------------------------------------------------------------------------


@dataclass
class Distribution:
    """How the respondents answered one scale item (or matrix cell)."""

    code: str
    counts: dict[int, int] = field(default_factory=dict)
    dont_know: int = 0

    @property
    def n(self) -> int:
        """Respondents who gave a score (don't know apart)."""
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        return sum(v * c for v, c in self.counts.items()) / self.n if self.n else None


def _tallies(round_id: int, codes: list[str], filters: Filters):
    """(item code, value, n) summed over the facets the filters keep; none with n = 0."""
    query = (
        select(AnswerTally.item_code, AnswerTally.value, func.sum(AnswerTally.n))
        .where(AnswerTally.round_id == round_id, AnswerTally.item_code.in_(codes))
        .group_by(AnswerTally.item_code, AnswerTally.value)
        .having(func.sum(AnswerTally.n) != 0)
    )
    return db.session.execute(filters.apply(query, authority=AnswerTally, invitation=AnswerTally)).all()


def distributions(round_: Round, codes: list[str], filters: Filters = Filters(), min_n: int = 3) -> dict[str, Distribution]:
    """Counts of each score 1–5 and of "don't know" for each item code; hidden below ``min_n``."""
    result = {code: Distribution(code) for code in codes}
    for code, value, n in _tallies(round_.id, codes, filters):
        if value == DONT_KNOW:
            result[code].dont_know += n
        elif value.isdigit():
            result[code].counts[int(value)] = n
    for code, distribution in result.items():
        # Fewer scores than min_n: the item is hidden, "don't know" counts included.
        if distribution.n < min_n:
            result[code] = Distribution(code, {}, 0)
    return result


#: "Other" texts listed under a choice chart, as many at most; the Texts page has them all.
OTHERS_SHOWN = 20


@dataclass
class ChoiceCounts:
    code: str
    #: Respondents who answered the item.
    n: int
    counts: dict[str, int]
    #: Up to OTHERS_SHOWN "other" texts; ``counts[OTHER]`` says how many there are.
    others: list[str]


def choice_counts(round_: Round, codes: list[str], filters: Filters = Filters(), min_n: int = 3) -> dict[str, ChoiceCounts]:
    """How often each option of each choice item was chosen, with the "other" texts."""
    respondents: dict[str, int] = {}
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for code, value, n in _tallies(round_.id, codes, filters):
        if value == tallies.ANSWERED:
            respondents[code] = n
        else:
            counts[code][value] = n
    # No ORDER BY: the scan of the item's "other" answers (a partial index) stops at the last one
    # needed. Beyond OTHERS_SHOWN they are a sample; sorted, so that the same texts read the same.
    others = {
        code: sorted(db.session.scalars(
            select(Answer.text_value)
            .where(Answer.item_code == code, Answer.choice == OTHER, Answer.text_value.is_not(None),
                   Answer.set_aside.is_(False), Answer.response_id.in_(submitted_ids(round_.id, filters)))
            .limit(min(OTHERS_SHOWN, counts[code][OTHER]))
        ), key=str.casefold)
        for code in codes if counts[code].get(OTHER)
    }
    result = {}
    for code in codes:
        n = respondents.get(code, 0)
        if n < min_n:
            result[code] = ChoiceCounts(code, n, {}, [])
        else:
            result[code] = ChoiceCounts(code, n, counts.get(code, {}), others.get(code, []))
    return result


# --- Reciprocity --------------------------------------------------------------------


@dataclass
class PartnershipComparison:
    partnership_id: int
    home_name: str
    partner_name: str
    home_response_id: int
    partner_response_id: int
    home: dict[str, float]
    partner: dict[str, float]

    @property
    def gaps(self) -> dict[str, float]:
        """|home − partner| for each theme both sides have an index for."""
        return {t: abs(self.home[t] - self.partner[t]) for t in SCORED_THEMES if t in self.home and t in self.partner}

    @property
    def mean_gap(self) -> float | None:
        gaps = self.gaps
        return sum(gaps.values()) / len(gaps) if gaps else None


def answered_pairs(round_: Round, filters: Filters = Filters(), partnership_id: int | None = None):
    """(partnership_id, home response id, partner response id) where both sides submitted (of one partnership)."""
    home_inv, partner_inv = db.aliased(Invitation), db.aliased(Invitation)
    home_resp, partner_resp = db.aliased(Response), db.aliased(Response)
    home_auth = db.aliased(Authority)
    query = (
        select(home_inv.partnership_id, home_resp.id, partner_resp.id)
        .join(home_resp, home_resp.invitation_id == home_inv.id)
        .join(partner_inv, and_(partner_inv.partnership_id == home_inv.partnership_id,
                                partner_inv.round_id == home_inv.round_id, partner_inv.side == Side.PARTNER,
                                partner_inv.revoked_at.is_(None)))
        .join(partner_resp, partner_resp.invitation_id == partner_inv.id)
        .join(home_auth, home_auth.id == home_inv.authority_id)
        .where(home_inv.round_id == round_.id, home_inv.side == Side.HOME, home_inv.revoked_at.is_(None),
               home_inv.partnership_id.is_not(None),
               home_resp.status == ResponseStatus.SUBMITTED, partner_resp.status == ResponseStatus.SUBMITTED)
    )
    if partnership_id is not None:
        query = query.where(home_inv.partnership_id == partnership_id)
    return db.session.execute(filters.apply(query, authority=home_auth, side=False)).all()


def partnership_comparisons(round_: Round, filters: Filters = Filters(),
                            partnership_id: int | None = None) -> list[PartnershipComparison]:
    """Both sides' theme indices for each partnership answered by both (or one), largest mean gap first."""
    pairs = answered_pairs(round_, filters, partnership_id)
    indices = indices_of(round_, [r for _, home, partner in pairs for r in (home, partner)])
    partnerships = {p.id: p for p in db.session.scalars(
        select(Partnership).where(Partnership.id.in_([p for p, _, _ in pairs]))
        .options(selectinload(Partnership.home_authority), selectinload(Partnership.partner_authority)))}
    comparisons = [
        PartnershipComparison(pid, partnerships[pid].home_authority.name, partnerships[pid].partner_authority.name,
                              home, partner, indices.get(home, {}), indices.get(partner, {}))
        for pid, home, partner in pairs
    ]
    return sorted(comparisons, key=lambda c: (-(c.mean_gap or 0), c.home_name))


@dataclass
class ItemComparison:
    code: str
    home: int | None
    partner: int | None
    home_dont_know: bool
    partner_dont_know: bool

    @property
    def gap(self) -> int | None:
        if self.home is None or self.partner is None:
            return None
        return abs(self.home - self.partner)


def item_comparison(round_: Round, home_response_id: int, partner_response_id: int) -> list[ItemComparison]:
    """Item by item, the two sides' scores on the scored items, in questionnaire order."""
    items = db.session.scalars(
        select(QuestionnaireItem.code)
        .where(QuestionnaireItem.questionnaire_version_id == round_.questionnaire_version_id, QuestionnaireItem.scored)
        .order_by(QuestionnaireItem.position)
    ).all()
    answers = {
        (response_id, code): (value, dont_know)
        for response_id, code, value, dont_know in db.session.execute(
            select(Answer.response_id, Answer.item_code, Answer.scale_value, Answer.dont_know)
            .where(Answer.response_id.in_([home_response_id, partner_response_id]), Answer.item_code.in_(items),
                   Answer.set_aside.is_(False))
        )
    }
    rows = []
    for code in items:
        home = answers.get((home_response_id, code), (None, False))
        partner = answers.get((partner_response_id, code), (None, False))
        rows.append(ItemComparison(code, home[0], partner[0], home[1], partner[1]))
    return rows


# --- Rounds compared --------------------------------------------------------------------


#: {round id: {theme or item code: (mean, or None when fewer than min_n; n)}}
RoundMeans = dict[int, dict[str, tuple[float | None, int]]]


def authorities_in_every_round(rounds: list[Round]):
    """A SELECT of the authorities with a counted response (submitted, link kept) in every one of ``rounds``."""
    ids = {r.id for r in rounds}
    return (
        select(Invitation.authority_id).join(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.round_id.in_(ids), *tallies.counts())
        .group_by(Invitation.authority_id)
        .having(func.count(func.distinct(Invitation.round_id)) == len(ids))
    )


def _compared(rounds: list[Round], query, min_n: int) -> RoundMeans:
    """Run ``query`` — (round id, key, mean, n) grouped by round and key, over the rounds' responses joined
    to their invitations — over the authorities that answered every round, hiding means of fewer than min_n."""
    if len(rounds) < 2:
        return {}
    result: RoundMeans = {r.id: {} for r in rounds}
    query = query.where(Invitation.round_id.in_([r.id for r in rounds]), *tallies.counts(),
                        Invitation.authority_id.in_(authorities_in_every_round(rounds)))
    for round_id, key, mean, n in db.session.execute(query):
        result[round_id][key] = (float(mean) if n >= min_n else None, n)
    return result


def rounds_compared(rounds: list[Round], min_n: int = 3) -> RoundMeans:
    """Theme means per round over the authorities that submitted in every one of ``rounds``.

    Rounds must share a questionnaire code for the comparison to mean anything; each response's
    index is made of its own version's items (evalapp/reporting/versions.py says where they differ).
    """
    return _compared(rounds, (
        select(Invitation.round_id, ResponseScore.theme, func.avg(ResponseScore.score), func.count())
        .join(Response, Response.id == ResponseScore.response_id).join(Invitation, Invitation.id == Response.invitation_id)
        .group_by(Invitation.round_id, ResponseScore.theme)
    ), min_n)


def items_compared(rounds: list[Round], codes: list[str], min_n: int = 3) -> RoundMeans:
    """Mean score (1–5) of each item or matrix cell code per round, over the authorities that submitted in
    every one of ``rounds``; "don't know" and answers set aside are left out."""
    return _compared(rounds, (
        select(Invitation.round_id, Answer.item_code, func.avg(Answer.scale_value), func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id).join(Invitation, Invitation.id == Response.invitation_id)
        .where(Answer.item_code.in_(codes), Answer.scale_value.is_not(None), Answer.set_aside.is_(False))
        .group_by(Invitation.round_id, Answer.item_code)
    ), min_n)


# --- Texts and stories --------------------------------------------------------------------


@dataclass
class TextAnswer:
    response_id: int
    item_code: str
    text: str
    authority: str
    side: str


def text_answers(round_: Round, codes: list[str], filters: Filters = Filters(), search: str = "",
                 response_id: int | None = None, selected_only: bool = False) -> list[TextAnswer]:
    """Text answers to ``codes`` (and "other" texts), optionally containing ``search``, of one response,
    or those the panel selected."""
    query = text_answers_query(round_, codes, filters, search)
    if response_id is not None:
        query = query.where(Answer.response_id == response_id)
    if selected_only:
        query = query.join(StorySelection, and_(StorySelection.response_id == Answer.response_id,
                                                StorySelection.item_code == Answer.item_code))
    return [TextAnswer(*row) for row in db.session.execute(query)]


def text_answers_page(round_: Round, codes: list[str], filters: Filters, search: str, page: int,
                      per_page: int) -> tuple[list[TextAnswer], int, int]:
    """One page of :func:`text_answers`: (its answers, how many in all, the page number, kept in range)."""
    query = text_answers_query(round_, codes, filters, search)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = min(max(page, 1), max(1, -(-total // per_page)))
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    return [TextAnswer(*row) for row in rows], total, page


def text_answers_query(round_: Round, codes: list[str], filters: Filters = Filters(), search: str = ""):
    """The SELECT behind :func:`text_answers` (rows: TextAnswer's fields)."""
    query = (
        select(Answer.response_id, Answer.item_code, Answer.text_value, Authority.name, Invitation.side)
        .join(Response, Response.id == Answer.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Authority, Authority.id == Invitation.authority_id)
        .where(*tallies.counted(round_.id), Answer.item_code.in_(codes), Answer.text_value.is_not(None),
               Answer.set_aside.is_(False))
        .order_by(Answer.item_code, Authority.name)
    )
    query = filters.apply(query)
    if search:
        query = query.where(func.lower(Answer.text_value).contains(search.lower(), autoescape=True))
    return query.order_by(Answer.id)


def tag_counts(round_: Round) -> list[tuple[str, int]]:
    """How many stories carry each tag, most used first."""
    return db.session.execute(
        select(StoryTag.tag, func.count())
        .join(Response, Response.id == StoryTag.response_id).join(Invitation, Invitation.id == Response.invitation_id)
        .where(Invitation.round_id == round_.id)
        .group_by(StoryTag.tag).order_by(func.count().desc(), StoryTag.tag)
    ).all()


def story_marks(round_: Round) -> tuple[dict[tuple[int, str], list[str]], set[tuple[int, str]]]:
    """The tags of each story and the set of selected stories, keyed by (response id, item code)."""
    in_round = (select(Response.id).join(Invitation).where(Invitation.round_id == round_.id))
    tags: dict[tuple[int, str], list[str]] = defaultdict(list)
    for response_id, code, tag in db.session.execute(
        select(StoryTag.response_id, StoryTag.item_code, StoryTag.tag)
        .where(StoryTag.response_id.in_(in_round)).order_by(StoryTag.tag)
    ):
        tags[(response_id, code)].append(tag)
    selected = {tuple(row) for row in db.session.execute(
        select(StorySelection.response_id, StorySelection.item_code).where(StorySelection.response_id.in_(in_round)))}
    return dict(tags), selected
