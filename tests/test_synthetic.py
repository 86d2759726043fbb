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
