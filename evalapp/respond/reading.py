"""The invitation of an ordinary GET of a questionnaire page, read with one Core query.

Loading the invitation with its round, version, authority and response as ORM objects cost three
times running the query, and as much as the rest of a page drawn from its kept shape
(respond/shapes.py). For the ordinary case — an open round, a response not submitted, a
questionnaire this process has parsed — the view reads the few values it uses into stand-ins that
refuse any other attribute (a view that starts using more fails in the tests that compare the
two ways). Every other case returns None, and the view loads the ORM objects as for any page.
"""
import functools
from functools import partial

from flask import g
from sqlalchemy import bindparam, select

from evalapp.clock import today
from evalapp.extensions import db
from evalapp.models import Authority, Invitation, QuestionnaireVersion, Response, ResponseStatus, Round
from evalapp.models.rounds import round_state
from evalapp.questionnaires.loader import parsed
from evalapp.respond.shapes import StandIn


@functools.cache
def _statement():
    i, r, v, a, s = (m.__table__ for m in (Invitation, Round, QuestionnaireVersion, Authority, Response))
    return (
        select(i.c.side, i.c.partnership_id, i.c.revoked_at, r.c.title, r.c.status.label("round_status"),
               r.c.opens_on, r.c.closes_on, r.c.questionnaire_version_id, v.c.checksum, a.c.name, a.c.language, s.c.id.label("response_id"),
               s.c.status.label("response_status"))
        .select_from(i.join(r, r.c.id == i.c.round_id).join(v, v.c.id == r.c.questionnaire_version_id)
                     .join(a, a.c.id == i.c.authority_id).join(s, s.c.invitation_id == i.c.id))
        .where(i.c.token == bindparam("token"))
    )


def ordinary_invitation(token: str) -> StandIn | None:
    """The invitation of ``token`` as a questionnaire page's GET reads it, or None when anything is not
    ordinary (unknown, withdrawn, without a response, submitted, a round not open, a questionnaire not
    parsed yet)."""
    row = db.session.execute(_statement(), {"token": token}).first()
    if (row is None or row.revoked_at is not None or row.response_status == ResponseStatus.SUBMITTED
            or round_state(row.round_status, row.opens_on, row.closes_on, today()) != "open"
            or parsed(row.checksum) is None):
        return None
    g.default_lang = row.language
    version = StandIn("version", checksum=row.checksum)
    return StandIn(
        "invitation", token=token, side=row.side, partnership_id=row.partnership_id,
        round=StandIn("round", title=row.title, questionnaire_version=version,
                      questionnaire_version_id=row.questionnaire_version_id,
                      state_on=partial(round_state, row.round_status, row.opens_on, row.closes_on)),
        authority=StandIn("authority", name=row.name, language=row.language),
        response=StandIn("response", id=row.response_id, is_submitted=False),
    )
