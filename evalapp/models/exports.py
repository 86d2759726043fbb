import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evalapp.extensions import db
from evalapp.models.base import one_of, utcnow


class ExportKind(enum.StrEnum):
    """The files a round is exported as (evalapp/reporting/export.py makes each)."""

    WIDE = "wide"
    LONG = "long"
    CODEBOOK = "codebook"
    PAIRS = "pairs"


#: Each file, as the export page offers it.
EXPORT_KINDS = {
    ExportKind.WIDE: _l("Wide: one row per response, one column per question"),
    ExportKind.LONG: _l("Long (tidy): one row per answer"),
    ExportKind.CODEBOOK: _l("Codebook: what each column of the wide file holds"),
    ExportKind.PAIRS: _l("Partnership pairs: both sides side by side, with the gap per theme"),
}
#: Each file's name in a list (the export log, jobs).
EXPORT_KIND_NAMES = {
    ExportKind.WIDE: _l("wide"),
    ExportKind.LONG: _l("long"),
    ExportKind.CODEBOOK: _l("codebook"),
    ExportKind.PAIRS: _l("partnership pairs"),
}


class ExportFormat(enum.StrEnum):
    """The kinds of file an export is written as (evalapp/reporting/export.py, workbooks.py, stats_files.py)."""

    CSV = "csv"
    XLSX = "xlsx"
    SAV = "sav"
    DTA = "dta"


#: Each format as the export page and the log name it.
EXPORT_FORMATS = {
    ExportFormat.CSV: _l("CSV"),
    ExportFormat.XLSX: _l("Excel workbook (.xlsx)"),
    ExportFormat.SAV: _l("SPSS (.sav)"),
    ExportFormat.DTA: _l("Stata (.dta)"),
}
#: The media type each format is sent and stored with.
EXPORT_CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.SAV: "application/x-spss-sav",
    ExportFormat.DTA: "application/x-stata-dta",
}
#: The formats that hold only the wide file (one row per response): variables of statistics packages.
WIDE_ONLY_FORMATS = frozenset({ExportFormat.SAV, ExportFormat.DTA})


class ExportStatus(enum.StrEnum):
    """Whether an export reached its last byte."""

    #: Logged when it began; it becomes complete only once the whole file was made.
    STARTED = "started"
    COMPLETE = "complete"
    #: Logged before evalapp recorded whether exports finished.
    UNKNOWN = "unknown"


class ExportRecord(db.Model):
    """Who took which data out, when, and how: the export log shown on the round's export page."""

    __tablename__ = "export_records"
    __table_args__ = (
        CheckConstraint(one_of("status", ExportStatus), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    #: The organiser who downloaded it; empty for the command line.
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("organisers.id"))
    #: An ExportKind (wide, long, codebook, pairs); "stories" in the logs of older versions.
    kind: Mapped[str] = mapped_column(String(20))
    #: The options chosen (format, headers, values, language, separator, BOM, partial, filters).
    options: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: An ExportStatus: an export cut midway (a download stopped, a job that failed) stays ``started``.
    status: Mapped[str] = mapped_column(String(10), default=ExportStatus.STARTED)
    #: When its last byte was written (sent to the browser, or stored by its job).
    completed_at: Mapped[datetime | None]
    #: The background job that makes the file, for a large export; none for one downloaded at once.
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))

    organiser: Mapped["Organiser | None"] = relationship()  # noqa: F821
    job: Mapped["Job | None"] = relationship()  # noqa: F821

    def __repr__(self):
        return f"<ExportRecord {self.kind} round={self.round_id} {self.status}>"
