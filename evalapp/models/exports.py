from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evalapp.extensions import db
from evalapp.models.base import utcnow


class ExportRecord(db.Model):
    """Who took which data out, when, and how: the export log shown on the round's export page."""

    __tablename__ = "export_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    #: The organiser who downloaded it; empty for the command line.
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("organisers.id"))
    #: wide, long, codebook, pairs or stories.
    kind: Mapped[str] = mapped_column(String(20))
    #: The options chosen (headers, values, language, separator, BOM, partial, filters).
    options: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organiser: Mapped["Organiser | None"] = relationship()  # noqa: F821

    def __repr__(self):
        return f"<ExportRecord {self.kind} round={self.round_id}>"
