from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evalapp.extensions import db
from evalapp.models.base import utcnow


class QuestionnaireVersion(db.Model):
    """One version of a questionnaire, stored as loaded and never changed afterwards.

    Rounds point at a version, so answers keep the meaning they were given.
    """

    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The questionnaire's code, e.g. ``aict``.
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    #: The whole validated definition (both mirror variants), as loaded. Deferred: pages use the
    #: copy parsed once per process (loader.definition_of), found by the checksum.
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    #: SHA-256 of the canonical definition: loading the same content again is a no-op.
    checksum: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list["QuestionnaireItem"]] = relationship(
        back_populates="questionnaire_version", order_by="QuestionnaireItem.position"
    )

    def __repr__(self):
        return f"<QuestionnaireVersion {self.code} v{self.version}>"


class QuestionnaireItem(db.Model):
    """One answerable code of a version: an item, or one cell of a matrix item.

    Aggregations join answers to this table to group them by theme in SQL.
    """

    __tablename__ = "questionnaire_items"
    __table_args__ = (UniqueConstraint("questionnaire_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    #: The stable item code (``REC_03``) or matrix cell code (``IMP_01_SOC_TER``).
    code: Mapped[str] = mapped_column(String(60))
    #: The section (page) the item is on.
    section: Mapped[str] = mapped_column(String(40))
    theme: Mapped[str] = mapped_column(String(40))
    #: scale, single, multiple, number, short_text, long_text or matrix_cell.
    type: Mapped[str] = mapped_column(String(20))
    #: Order in the questionnaire, for exports and codebooks.
    position: Mapped[int]
    #: Whether the item counts in its theme's 0–100 index.
    scored: Mapped[bool] = mapped_column(default=False)
    #: For a matrix cell, the matrix item's code.
    parent_code: Mapped[str | None] = mapped_column(String(40))

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship(back_populates="items")

    def __repr__(self):
        return f"<QuestionnaireItem {self.code}>"
