"""The invitation of an ordinary GET of a questionnaire page, and its answers on that page, read with
one Core query.

Loading the invitation with its round, version, authority and response as ORM objects cost three
times running the query, and as much as the rest of a page drawn from its kept shape
(respond/shapes.py). For the ordinary case — an open round, a response not submitted, a
questionnaire this process has parsed — the view reads the few values it uses into stand-ins that
refuse any other attribute (a view that starts using more fails in the tests that compare the
two ways). Every other case returns None, and the view loads the ORM objects as for any page.

The page's answers come in the same query (one row per answer, the invitation's values repeated;
one row with empty answer columns when there is none): a second round trip cost a page about as
much CPU as the rest of its reading, most of it in the web process waiting and switching threads.
For the same reason it reads on a connection of its own rather than through the request's session.
"""
import functools
from functools import partial
from typing import NamedTuple

from flask import g
from sqlalchemy import bindparam, select

from evalapp.clock import today
from evalapp.extensions import reading_connection
from evalapp.models import (
    Answer,
    Authority,
    Invitation,
    QuestionnaireItem,
    QuestionnaireVersion,
    Response,
    ResponseStatus,
    Round,
)
from evalapp.models.rounds import round_state
from evalapp.questionnaires.loader import parsed
from evalapp.questionnaires.types import AnswerMap
from evalapp.respond.answers import ANSWER_COLUMNS, grouped
from evalapp.respond.shapes import StandIn


class OrdinaryPage(NamedTuple):
    invitation: StandIn
    answers: AnswerMap  # the response's answers to the items of the page asked for, both sides'


@functools.cache
def _statement():
    i, r, v, a, s = (m.__table__ for m in (Invitation, Round, QuestionnaireVersion, Authority, Response))
    answer, item = Answer.__table__, QuestionnaireItem.__table__
    on_page = answer.join(item, (item.c.code == answer.c.item_code) & (item.c.section == bindparam("section")))
    return (
        select(i.c.side, i.c.partnership_id, i.c.revoked_at, r.c.title, r.c.status.label("round_status"),
               r.c.opens_on, r.c.closes_on, r.c.questionnaire_version_id, v.c.checksum, a.c.name, a.c.language,
               s.c.id.label("response_id"), s.c.status.label("response_status"),
               *(answer.c[name] for name in ANSWER_COLUMNS))
        .select_from(i.join(r, r.c.id == i.c.round_id).join(v, v.c.id == r.c.questionnaire_version_id)
                     .join(a, a.c.id == i.c.authority_id).join(s, s.c.invitation_id == i.c.id)
                     .outerjoin(on_page, (answer.c.response_id == s.c.id)
                                & (item.c.questionnaire_version_id == r.c.questionnaire_version_id)))
        .where(i.c.token == bindparam("token"))
        .order_by(answer.c.id)
    )


def ordinary_page(token: str, section_code: str) -> OrdinaryPage | None:
    """The invitation of ``token`` as a questionnaire page's GET reads it, with its answers on the page of
    ``section_code``; None when anything is not ordinary (unknown, withdrawn, without a response,
    submitted, a round not open, a questionnaire not parsed yet)."""
    with reading_connection() as connection:
        rows = connection.execute(_statement(), {"token": token, "section": section_code}).all()
    row = rows[0] if rows else None
    if (row is None or row.revoked_at is not None or row.response_status == ResponseStatus.SUBMITTED
            or round_state(row.round_status, row.opens_on, row.closes_on, today()) != "open"
            or parsed(row.checksum) is None):
        return None
    g.default_lang = row.language
    version = StandIn("version", checksum=row.checksum)
    invitation = StandIn(
        "invitation", token=token, side=row.side, partnership_id=row.partnership_id,
        round=StandIn("round", title=row.title, questionnaire_version=version,
                      questionnaire_version_id=row.questionnaire_version_id,
                      state_on=partial(round_state, row.round_status, row.opens_on, row.closes_on)),
        authority=StandIn("authority", name=row.name, language=row.language),
        response=StandIn("response", id=row.response_id, is_submitted=False),
    )
    answers = grouped(row[-len(ANSWER_COLUMNS):] for row in rows if row.item_code is not None)
    return OrdinaryPage(invitation, answers)
