"""Bulk synthetic responses for benchmarks: complete, submitted, and readable by the dashboards."""
from sqlalchemy import func, select

from evalapp.extensions import db
from evalapp.models import Answer, Response, Round
from evalapp.reporting import aggregate
from evalapp.synthetic import add_responses


def test_add_responses_writes_submitted_responses_in_batches(app, round_id):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        written = add_responses(round_, 25, batch=10)
        assert db.session.scalar(select(func.count()).select_from(Response).where(Response.status == "submitted")) == 25
        assert db.session.scalar(select(func.count()).select_from(Answer)) == written > 25 * 40
        summary = aggregate.theme_summaries(round_)
        assert all(s.n == 25 and 0 <= s.mean <= 100 for s in summary)


def test_synthetic_authorities_are_asked_what_an_authority_on_its_own_is(app):
    from tests.factories import create_round

    round_id = create_round(app, version=2)
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        add_responses(round_, 12, batch=5)
        codes = set(db.session.scalars(select(Answer.item_code).distinct()))
        # No partner: no reciprocity page, no start year of a partnership; the rest is answered.
        assert {"PRO_01", "IMP_12_SOC_TER", "HUM_01", "ORG_11", "STO_01"} <= codes
        assert "PRO_03" not in codes and not any(code.startswith("REC_") for code in codes)
        themes = {s.theme: s.n for s in aggregate.theme_summaries(round_)}
        assert themes.get("reciprocity", 0) == 0 and themes["impact"] == 12
