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
Only an ordinary page's invitation has a row: the round's state is decided in SQL, on today's date.
"""
import functools
from typing import NamedTuple

from flask import g
from sqlalchemy import Date, bindparam, select

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
from evalapp.models.rounds import open_in_sql
from evalapp.questionnaires.loader import parsed
from evalapp.questionnaires.types import AnswerMap
from evalapp.respond.answers import ANSWER_COLUMNS, grouped
from evalapp.respond.shapes import StandIn


class OrdinaryPage(NamedTuple):
    invitation: StandIn
    answers: AnswerMap  # the response's answers to the items of the page asked for, both sides'


@functools.cache
def _statement():
    """The invitation's values a page uses, then its answers on the page; no row unless the page is
    ordinary (not withdrawn, not submitted, the round open on ``today``)."""
    i, r, v, a, s = (m.__table__ for m in (Invitation, Round, QuestionnaireVersion, Authority, Response))
    answer, item = Answer.__table__, QuestionnaireItem.__table__
    on_page = answer.join(item, (item.c.code == answer.c.item_code) & (item.c.section == bindparam("section")))
    return (
        select(i.c.side, i.c.partnership_id, r.c.title, r.c.questionnaire_version_id, v.c.checksum, a.c.name,
               a.c.language, s.c.id, *(answer.c[name] for name in ANSWER_COLUMNS))
        .select_from(i.join(r, r.c.id == i.c.round_id).join(v, v.c.id == r.c.questionnaire_version_id)
                     .join(a, a.c.id == i.c.authority_id).join(s, s.c.invitation_id == i.c.id)
                     .outerjoin(on_page, (answer.c.response_id == s.c.id)
                                & (item.c.questionnaire_version_id == r.c.questionnaire_version_id)))
        .where(i.c.token == bindparam("token"), i.c.revoked_at.is_(None),
               s.c.status != ResponseStatus.SUBMITTED.value, open_in_sql(r, bindparam("today", type_=Date)))
        .order_by(answer.c.id)
    )


def ordinary_page(token: str, section_code: str) -> OrdinaryPage | None:
    """The invitation of ``token`` as a questionnaire page's GET reads it, with its answers on the page of
    ``section_code``; None when anything is not ordinary (unknown, withdrawn, without a response,
    submitted, a round not open, a questionnaire not parsed yet)."""
    with reading_connection() as connection:
        rows = connection.execute(_statement(), {"token": token, "section": section_code, "today": today()}).all()
    if not rows:
        return None
    side, partnership_id, title, version_id, checksum, name, language, response_id = rows[0][:8]
    if parsed(checksum) is None:
        return None
    g.default_lang = language
    invitation = StandIn(
        "invitation", token=token, side=side, partnership_id=partnership_id,
        round=StandIn("round", title=title, questionnaire_version=StandIn("version", checksum=checksum),
                      questionnaire_version_id=version_id,
                      # The query found it open today.
                      state_on=lambda _day: "open"),
        authority=StandIn("authority", name=name, language=language),
        response=StandIn("response", id=response_id, is_submitted=False),
    )
    answers = grouped(row[8:] for row in rows if row[8] is not None)
    return OrdinaryPage(invitation, answers)
