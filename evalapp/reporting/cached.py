"""The dashboards' aggregates, cached per round, and never stale after a submission.

Each cached value is keyed by the aggregate, its arguments and the round's *results stamp*:
how many responses of the round are submitted (links not withdrawn), the sum of their ids
and the latest submission time. Submitting, reopening, withdrawing or giving back a link
changes the stamp, so the next view computes afresh; no code path has to remember to
invalidate. Values also expire after CACHE_DEFAULT_TIMEOUT, which bounds how long an edit of
the directory (an authority's type or country) takes to reach cached figures.

The cache is Flask-Caching's: one process's memory by default, Redis shared by every
gunicorn worker when CACHE_REDIS_URL is set. The progress chart is not cached: it counts
responses in progress too, and costs little.
"""
import functools
import hashlib

from flask import g, has_request_context
from sqlalchemy import func, select

from evalapp.extensions import cache, db
from evalapp.models import Invitation, Response, ResponseStatus
from evalapp.reporting import aggregate


def results_stamp(round_id: int) -> str:
    """What the round's submitted responses look like, in one cheap query (once per request)."""
    stamps = g.setdefault("results_stamps", {}) if has_request_context() else {}
    if round_id not in stamps:
        count, id_sum, latest = db.session.execute(
            select(func.count(Response.id), func.sum(Response.id), func.max(Response.submitted_at))
            .join(Invitation, Invitation.id == Response.invitation_id)
            .where(Invitation.round_id == round_id, Invitation.revoked_at.is_(None),
                   Response.status == ResponseStatus.SUBMITTED)
        ).one()
        stamps[round_id] = f"{count}-{id_sum}-{latest}"
    return stamps[round_id]


def per_round(function):
    """``function(round_or_id, *args)`` with its result cached under the round's results stamp."""

    @functools.wraps(function)
    def cached(round_, *args, **kwargs):
        round_id = getattr(round_, "id", round_)
        described = f"{function.__name__}|{round_id}|{results_stamp(round_id)}|{args!r}|{sorted(kwargs.items())!r}"
        key = "results:" + hashlib.sha256(described.encode()).hexdigest()
        value = cache.get(key)
        if value is None:
            value = function(round_, *args, **kwargs)
            cache.set(key, value)
        return value

    return cached


count_submitted = per_round(aggregate.count_submitted)
theme_summaries = per_round(aggregate.theme_summaries)
distributions = per_round(aggregate.distributions)
choice_counts = per_round(aggregate.choice_counts)
partnership_comparisons = per_round(aggregate.partnership_comparisons)
