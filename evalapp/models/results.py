"""Results kept ready for the dashboards: counts per round and facet, theme indices per response.

Both are derived from the responses and their answers (evalapp/tallies.py keeps them right): a
round of 100,000 responses holds 8.8 million answer rows, but only a few thousand tally rows, so
a dashboard reads counts instead of scanning responses and answers.
"""
from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evalapp.extensions import db


class AnswerTally(db.Model):
    """How many responses of a round, from one facet (side, type, country, region), have one value of one code.

    For an item code, the submitted responses that gave the value: "1"–"5" or "dk" for scale
    items and matrix cells; the option code for choices; "*" for the number of respondents who
    answered a multiple-choice item. For "theme:<theme>", those whose theme index is the value.
    For "response:status", the responses by status ("withdrawn" when their link is); for
    "response:submitted_on", the submitted ones by day (YYYY-MM-DD). Rows may hold n = 0.
    """

    __tablename__ = "answer_tallies"
    __table_args__ = (UniqueConstraint("round_id", "side", "kind", "country", "region", "item_code", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    #: The invitations' side: home or partner.
    side: Mapped[str] = mapped_column(String(10))
    #: The authorities' type.
    kind: Mapped[str] = mapped_column(String(30))
    #: The authorities' country.
    country: Mapped[str] = mapped_column(String(2))
    #: The authority's region, "" when it has none.
    region: Mapped[str] = mapped_column(String(120))
    #: An item (or matrix cell) code, "theme:<theme>", "response:status" or "response:submitted_on".
    item_code: Mapped[str] = mapped_column(String(60))
    #: The value counted (see above).
    value: Mapped[str] = mapped_column(String(40))
    #: How many responses.
    n: Mapped[int]

    def __repr__(self):
        return f"<AnswerTally round={self.round_id} {self.item_code}={self.value!r} n={self.n}>"


class ResponseScore(db.Model):
    """A submitted response's index (0–100) on one theme, when it answered enough of the theme's items."""

    __tablename__ = "response_scores"

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    #: A scored theme (SCORED_THEMES).
    theme: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: The theme index, 0–100.
    score: Mapped[float] = mapped_column(Float)

    def __repr__(self):
        return f"<ResponseScore {self.response_id} {self.theme}={self.score:.1f}>"
