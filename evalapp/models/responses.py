import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evalapp.extensions import db
from evalapp.models.base import one_of
from evalapp.models.rounds import WITHDRAWN, Invitation


class ResponseStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


#: The statuses as people read them, and an invitation's whose link is withdrawn (Invitation.status).
#: Lowercase, as in a list; a heading capitalises them.
STATUS_LABELS = {
    ResponseStatus.NOT_STARTED: _l("not started"),
    ResponseStatus.IN_PROGRESS: _l("in progress"),
    ResponseStatus.SUBMITTED: _l("submitted"),
    WITHDRAWN: _l("link withdrawn"),
}

#: Who answers for the authority (Response.respondent_role), as people read it.
RESPONDENT_ROLES = {
    "elected": _l("Elected official"),
    "international_staff": _l("Staff in charge of international action"),
    "other_staff": _l("Other staff of the authority"),
    "other": _l("Other"),
}


class Response(db.Model):
    """An invitation's response: exactly one per invitation, so a second submit has nowhere to go."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint(one_of("status", ResponseStatus), name="status_known"),
        CheckConstraint(one_of("counted_status", [*ResponseStatus, WITHDRAWN]), name="counted_status_known"),
        CheckConstraint("counted_status IS NULL OR (counted_kind IS NOT NULL AND counted_country IS NOT NULL "
                        "AND counted_region IS NOT NULL)", name="counted_with_facets"),
        CheckConstraint(f"counted_on IS NULL OR counted_status = '{ResponseStatus.SUBMITTED}'",
                        name="counted_on_when_submitted"),
        CheckConstraint("NOT counts_current OR counted_status IS NOT NULL", name="current_when_counted"),
        # The responses the catch-up has to count, found without reading the others.
        Index("ix_responses_not_counted", "invitation_id", postgresql_where=text("NOT counts_current"),
              sqlite_where=text("NOT counts_current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=ResponseStatus.NOT_STARTED)
    #: Who answers: elected official, international relations staff... (see RESPONDENT_ROLES).
    respondent_role: Mapped[str | None] = mapped_column(String(30))
    #: The section to resume at when the respondent comes back.
    current_section: Mapped[str | None] = mapped_column(String(40))
    started_at: Mapped[datetime | None]
    #: Last time answers were saved.
    updated_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    # What the round's kept figures (evalapp/tallies.py) hold of this response, so that a change
    # takes out exactly what was added.
    #: Whether the figures hold the response as it is now. False for a response written in bulk or
    #: changed outside the write paths: the catch-up counts it.
    counts_current: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: What the figures count it as: its status then, or "withdrawn" (WITHDRAWN); None: in no figure.
    counted_status: Mapped[str | None] = mapped_column(String(20))
    #: The authority's type it is counted under.
    counted_kind: Mapped[str | None] = mapped_column(String(30))
    #: The authority's country it is counted under.
    counted_country: Mapped[str | None] = mapped_column(String(2))
    #: The authority's region it is counted under, "" for none.
    counted_region: Mapped[str | None] = mapped_column(String(120))
    #: The day it is counted as submitted on (UTC), when counted as submitted.
    counted_on: Mapped[date | None]

    invitation: Mapped[Invitation] = relationship(back_populates="response")
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self):
        return f"<Response {self.id} {self.status}>"

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED


class Answer(db.Model):
    """One answer: a row per item code (and per selected option of a multiple choice).

    Each kind of value has its own typed column so that SQL can aggregate it:
    ``scale_value`` (1–5, matrix cells too), ``dont_know`` (never stored as a score),
    ``choice`` (single and multiple choice option codes), ``number_value`` and
    ``text_value`` (text answers, and the text of an "other, specify" choice).
    """

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "item_code", "choice"),
        CheckConstraint("scale_value BETWEEN 1 AND 5", name="scale_1_to_5"),
        CheckConstraint("NOT (dont_know AND scale_value IS NOT NULL)", name="dont_know_has_no_score"),
        # The "other, specify" texts the dashboards list, found without scanning every answer.
        Index("ix_answers_other_texts", "item_code", "id", postgresql_where=text("choice = 'other'"),
              sqlite_where=text("choice = 'other'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    item_code: Mapped[str] = mapped_column(String(60))
    #: The option code chosen; empty for items that are not choices.
    choice: Mapped[str] = mapped_column(String(40), default="")
    scale_value: Mapped[int | None] = mapped_column(SmallInteger)
    #: "Don't know / not applicable", counted apart from the scores.
    dont_know: Mapped[bool] = mapped_column(default=False)
    number_value: Mapped[float | None] = mapped_column(Float)
    text_value: Mapped[str | None] = mapped_column(Text)
    #: The item is not asked any more (an earlier answer changed, see questionnaires/conditions.py):
    #: the answer is kept, to come back if the earlier answer changes back, but nothing reads it.
    set_aside: Mapped[bool] = mapped_column(default=False, server_default=false())

    response: Mapped[Response] = relationship(back_populates="answers")

    def __repr__(self):
        return f"<Answer {self.response_id} {self.item_code} {self.choice!r}>"
