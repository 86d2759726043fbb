"""What the API answers, as plain JSON-ready data: rounds, a questionnaire, pages of responses, aggregates.

Read from the same functions as the dashboards (evalapp/reporting/aggregate.py) and the export files
(evalapp/reporting/export.py), so that a program reads the numbers an organiser sees: the same counted
responses, the same filters, the same groups hidden below MIN_GROUP_SIZE. No Flask here but the locale
the type labels are read in; reading only.
"""
import base64
import binascii
from dataclasses import dataclass

from evalapp import rounds
from evalapp.clock import today
from evalapp.extensions import db
from evalapp.models import AUTHORITY_TYPES, SIDES, Response, ResponseStatus, Round
from evalapp.questionnaires.definition import Definition
from evalapp.questionnaires.loader import definition_of
from evalapp.questionnaires.types import NOT_ASKED
from evalapp.reporting import aggregate, export
from evalapp.reporting.aggregate import Filters

#: Responses per page unless the client asks for fewer or more (up to MAX_PAGE_SIZE).
PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
#: ``status`` of the responses endpoint: the counted responses only (as the dashboards), or those in progress too.
RESPONSE_SELECTIONS = ("submitted", "all")


class BadRequest(ValueError):
    """A parameter the API cannot use; its message says which and why."""


def _iso(moment) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


# --- Rounds ---------------------------------------------------------------------------------------


def round_data(round_: Round, summary: rounds.RoundSummary) -> dict:
    version = round_.questionnaire_version
    return {
        "id": round_.id,
        "title": round_.title,
        "questionnaire": {"code": version.code, "version": version.version},
        "opens_on": round_.opens_on.isoformat(),
        "closes_on": round_.closes_on.isoformat(),
        "state": round_.state_on(today()),
        "invited": summary.invited,
        "responses": {str(status): n for status, n in summary.counts.items()},
        "withdrawn": summary.revoked,
        "last_activity": _iso(summary.last_activity),
    }


def rounds_data(organiser) -> list[dict]:
    """Every round the organiser sees, newest first, with its counts (two queries whatever their number)."""
    visible = db.session.scalars(rounds.visible_rounds(organiser)).all()
    summaries = rounds.summaries([r.id for r in visible])
    return [round_data(r, summaries[r.id]) for r in visible]


# --- The questionnaire ----------------------------------------------------------------------------


def answer_keys(definition: Definition) -> list[dict]:
    """The keys of a response's ``answers``, in questionnaire order: the codebook's columns, as JSON gives them."""
    keys = []
    for section in definition.sections:
        for item in section.items:
            for key in item.kind.api_values(definition, item, {}):
                cell = next((c for c in item.cells if c.code == key), None)
                keys.append({
                    "key": key, "item": item.code, "section": section.code, "theme": item.theme, "type": item.type,
                    "value": _value_kind(item, key, cell is not None),
                })
    return keys


def _value_kind(item, key: str, cell: bool) -> str:
    """What the key's value is, in words a program's author reads."""
    if key != item.code and not cell:
        return "text (the answer typed for “other”)"
    return item.kind.api_value_kind(item)


def questionnaire_data(round_: Round) -> dict:
    """The round's questionnaire as its definition file gives it (sections, items, types, labels in French and
    English, options, scales, conditions ``when``), and the keys of the responses' answers."""
    definition = definition_of(round_.questionnaire_version)
    return {
        "round_id": round_.id,
        "definition": definition.model_dump(mode="json"),
        "answer_keys": answer_keys(definition),
        "values": {"dk": "don't know / not applicable", NOT_ASKED: "not asked (its condition did not hold)",
                   "null": "not answered"},
    }


# --- Responses ------------------------------------------------------------------------------------


def encode_cursor(response_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{response_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The response id a cursor continues after; BadRequest for a cursor this API did not give."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "after" or not number.isdigit() or len(number) > 10:
            raise ValueError
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("cursor: not a cursor this API gave; use the 'next' of the previous page") from None


@dataclass
class ResponsePage:
    items: list[dict]
    #: The cursor of the next page; None on the last one.
    next_cursor: str | None


def responses_page(round_: Round, filters: Filters, selection: str, after: int, limit: int) -> ResponsePage:
    """Up to ``limit`` responses of the round whose id is above ``after``, in id order.

    Pages are cut by id (keyset), not by offset: a response submitted or removed between two pages
    shifts nothing; one submitted after its page was read comes on a later page if its id is higher.
    """
    definition = definition_of(round_.questionnaire_version)
    options = export.ExportOptions(partial=selection == "all", filters=filters, target="analysis")
    rows = db.session.execute(
        export.response_query(round_, options).where(Response.id > after)
        .order_by(Response.id).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [row.id for row in rows]
    answers = export.answers_of(ids)
    indices = aggregate.indices_of(round_, ids)
    items = []
    for row in rows:
        hidden = export.not_asked(definition, row.side, row.partnership_id, answers[row.id])
        values = {}
        for section in definition.sections:
            for item in section.items:
                for key, value in item.kind.api_values(definition, item, answers[row.id]).items():
                    asked_code = key if key in item.answer_codes else item.code
                    values[key] = NOT_ASKED if asked_code in hidden else value
        items.append({
            "id": row.id,
            "authority": {"name": row.name, "type": row.kind, "country": row.country, "region": row.region},
            "partnership_id": row.partnership_id,
            "side": row.side if row.partnership_id else None,
            "respondent_role": row.respondent_role,
            "status": row.status,
            "started_at": _iso(row.started_at),
            "submitted_at": _iso(row.submitted_at),
            "indices": indices.get(row.id, {}) if row.status == ResponseStatus.SUBMITTED else {},
            "answers": values,
        })
    return ResponsePage(items, encode_cursor(ids[-1]) if more else None)


# --- Aggregates -----------------------------------------------------------------------------------


def aggregates_data(round_: Round, filters: Filters, min_n: int) -> dict:
    """The dashboard's figures: counts, theme indices, each scale item's and matrix cell's distribution, choice
    counts, and the reciprocity gaps of the partnerships where both sides submitted.

    A figure of fewer than ``min_n`` respondents is hidden as the dashboards hide it: its values are null.
    """
    definition = definition_of(round_.questionnaire_version)
    progress = aggregate.progress(round_.id, filters)
    coverage = aggregate.coverage(round_)
    themes = {t.code: t.label.model_dump() for t in definition.themes}
    scale_items = [i for s in definition.sections for i in s.items
                   if i.kind.chart == "distribution" and i.theme in definition.scored_themes]
    matrix_codes = [code for s in definition.sections for i in s.items if i.kind.chart == "heatmap"
                    for code in i.answer_codes]
    distributions = aggregate.distributions(round_, [i.code for i in scale_items] + matrix_codes, filters, min_n)
    choice_items = [i for s in definition.sections for i in s.items if i.kind.chart == "choices"]
    choices = aggregate.choice_counts(round_, [i.code for i in choice_items], filters, min_n)
    return {
        "round_id": round_.id,
        "filters": filters.as_args(),
        "min_group_size": min_n,
        "counts": {"invited": progress.invited, "responses": progress.counts,
                   "submitted": progress.counts.get(ResponseStatus.SUBMITTED, 0)},
        # Responses written in bulk that the figures do not hold yet (a count catches them up).
        "not_counted": coverage.not_counted,
        "themes": [
            {"theme": s.theme, "label": themes[s.theme], "hidden": s.mean is None,
             "n": s.n if s.mean is not None else None, "mean": s.mean, "sd": s.sd, "min": s.minimum, "max": s.maximum}
            for s in aggregate.theme_summaries(round_, filters, min_n) if s.theme in definition.scored_themes
        ],
        "distributions": [
            {"code": code, "hidden": not d.n, "n": d.n or None,
             "counts": {str(v): d.counts.get(v, 0) for v in range(1, 6)} if d.n else None,
             "dont_know": d.dont_know if d.n else None, "mean": d.mean}
            for code, d in distributions.items()
        ],
        "choices": [
            {"code": code, "hidden": c.n < min_n, "n": c.n if c.n >= min_n else None,
             "counts": c.counts if c.n >= min_n else None}
            for code, c in choices.items()
        ],
        "reciprocity": [
            {"partnership_id": c.partnership_id,
             "home": {"authority": c.home_name, "response_id": c.home_response_id,
                      "indices": c.home},
             "partner": {"authority": c.partner_name, "response_id": c.partner_response_id,
                         "indices": c.partner},
             "gaps": c.gaps, "mean_gap": c.mean_gap}
            for c in aggregate.partnership_comparisons(round_, filters)
        ],
    }


def filters_of(args) -> Filters:
    """The dashboards' filters of a request; a type or a side that does not exist is refused, not read as
    "nothing matches" (a mistyped ``side=Home`` would otherwise give zeros that look like figures)."""
    filters = Filters.from_args(args)
    for name, value, allowed in (("kind", filters.kind, AUTHORITY_TYPES), ("side", filters.side, SIDES)):
        if value and value not in allowed:
            raise BadRequest(f"{name}: one of {', '.join(allowed)}")
    return filters


def page_size(text: str | None) -> int:
    if text is None or text == "":
        return PAGE_SIZE
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise BadRequest(f"limit: a whole number from 1 to {MAX_PAGE_SIZE}")
    return int(text)


def selection_of(text: str | None) -> str:
    text = text or RESPONSE_SELECTIONS[0]
    if text not in RESPONSE_SELECTIONS:
        raise BadRequest(f"status: one of {', '.join(RESPONSE_SELECTIONS)}")
    return text

