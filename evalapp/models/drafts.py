"""Questionnaires being written in the browser: a draft, and every save of it.

A draft's current state is its latest save; saves are only ever added (undoing adds a save that
copies an earlier one), so that any earlier state can be brought back and every change has its
author and time. Publishing stores the draft as a QuestionnaireVersion, which never changes.
"""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evalapp.extensions import db
from evalapp.models.base import utcnow
from evalapp.models.organisers import Organiser
from evalapp.models.questionnaires import QuestionnaireVersion


class QuestionnaireDraft(db.Model):
    """A questionnaire version being written: private to its author (and administrators) until published."""

    __tablename__ = "questionnaire_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The questionnaire's code (``aict``), as the document holds it when the draft was started.
    code: Mapped[str] = mapped_column(String(40))
    #: The version it was copied from; None for a new questionnaire or an uploaded file.
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_versions.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("organisers.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The version it became once published; a published draft is no longer edited.
    published_version_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_versions.id"), unique=True)

    based_on: Mapped[QuestionnaireVersion | None] = relationship(foreign_keys=[based_on_id])
    published_version: Mapped[QuestionnaireVersion | None] = relationship(foreign_keys=[published_version_id])
    created_by: Mapped[Organiser] = relationship()

    @property
    def latest(self) -> "DraftSave":
        return db.session.scalar(select(DraftSave).where(DraftSave.draft_id == self.id)
                                 .order_by(DraftSave.number.desc()).limit(1))

    def __repr__(self):
        return f"<QuestionnaireDraft {self.id} {self.code}>"


class DraftSave(db.Model):
    """One save of a draft: the whole definition document (the dict a definition file gives) as it was then."""

    __tablename__ = "draft_saves"
    __table_args__ = (
        # Two organisers saving on the same save: the second insert fails instead of erasing the first.
        UniqueConstraint("draft_id", "number"),
        CheckConstraint("number >= 1", name="draft_save_number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_drafts.id", ondelete="CASCADE"))
    #: 1 for the draft's first state, then one more for each save.
    number: Mapped[int]
    #: The definition as a document: the same keys and values as a definition file (may not validate yet).
    document: Mapped[dict] = mapped_column(JSON)
    #: What the save did, in English ("Question REC_01 changed", "Back to save 3"): the history shows it as
    #: written for saves made before ``change`` was kept.
    summary: Mapped[str] = mapped_column(String(200))
    #: The kind of change (a key of drafts.CHANGES), which the history words in the reader's language.
    change: Mapped[str | None] = mapped_column(String(40))
    #: The values the change's wording names (codes, a file name, a save number).
    change_params: Mapped[dict | None] = mapped_column(JSON)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("organisers.id"))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    saved_by: Mapped[Organiser] = relationship()

    def __repr__(self):
        return f"<DraftSave {self.draft_id}#{self.number}>"


class VersionWithdrawal(db.Model):
    """A published version withdrawn from new rounds (the rounds on it go on). Kept beside the version,
    whose row never changes once stored; removed when the version is offered again."""

    __tablename__ = "version_withdrawals"

    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"), primary_key=True)
    withdrawn_by_id: Mapped[int] = mapped_column(ForeignKey("organisers.id"))
    withdrawn_at: Mapped[datetime] = mapped_column(default=utcnow)

    withdrawn_by: Mapped[Organiser] = relationship()

    def __repr__(self):
        return f"<VersionWithdrawal {self.questionnaire_version_id}>"
