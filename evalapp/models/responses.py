import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evalapp.extensions import db
from evalapp.models.rounds import Invitation


class ResponseStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Response(db.Model):
    """An invitation's response: exactly one per invitation, so a second submit has nowhere to go."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint(
            "status IN ('not_started', 'in_progress', 'submitted')", name="status_known"
        ),
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

    response: Mapped[Response] = relationship(back_populates="answers")

    def __repr__(self):
        return f"<Answer {self.response_id} {self.item_code} {self.choice!r}>"
