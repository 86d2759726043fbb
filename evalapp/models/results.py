"""Results kept ready for the dashboards: answer counts per round and facet, theme indices per response.

Both are derived from the answers (evalapp/tallies.py keeps them right): a round of
100,000 responses holds 8.8 million answer rows, but only a few thousand tally rows, so a
dashboard reads counts instead of scanning answers.
"""
from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evalapp.extensions import db


class AnswerTally(db.Model):
    """How many submitted responses of a round, from one facet (side, type, country, region), gave one value.

    ``value``: "1"–"5" or "dk" for scale items and matrix cells; the option code for choices;
    "*" for the number of respondents who answered a multiple-choice item.
    """

    __tablename__ = "answer_tallies"
    __table_args__ = (UniqueConstraint("round_id", "side", "kind", "country", "region", "item_code", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(30))
    country: Mapped[str] = mapped_column(String(2))
    #: The authority's region, "" when it has none.
    region: Mapped[str] = mapped_column(String(120))
    item_code: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(40))
    n: Mapped[int]


class ResponseScore(db.Model):
    """A submitted response's index (0–100) on one theme, when it answered enough of the theme's items."""

    __tablename__ = "response_scores"

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(40), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
