"""Benchmark: the aggregation behind a round's main dashboard, against raw SQL doing the same.

For each size, the project's functions (evalapp/reporting/aggregate.py) and one
hand-written SQL query per figure run on the same database; both times and their ratio
are printed: "first view" is computed afresh (as after a submission), "next views" read
the aggregates from the cache (evalapp/reporting/cached.py; Redis on 127.0.0.1:6379 when it
answers, as with several workers, else memory). Not a test: `make bench-dashboard`
(settings: tests/benchmarks/data.py).
"""
import time

from sqlalchemy import text

from tests.benchmarks.data import SIZES, backend, database_url, prepare

RAW_SQL = {
    "progress": """
        SELECT r.status, count(*), max(r.updated_at) FROM responses r JOIN invitations i ON i.id = r.invitation_id
        WHERE i.round_id = :round AND i.revoked_at IS NULL GROUP BY r.status""",
    "submissions by day": """
        SELECT date(r.submitted_at), count(*) FROM responses r JOIN invitations i ON i.id = r.invitation_id
        WHERE i.round_id = :round AND i.revoked_at IS NULL AND r.status = 'submitted' GROUP BY 1 ORDER BY 1""",
    "theme indices": """
        WITH sizes AS (SELECT theme, count(*) AS size FROM questionnaire_items WHERE questionnaire_version_id = :version
                       AND scored GROUP BY theme),
             per_response AS (
               SELECT a.response_id, q.theme, (avg(CAST(a.scale_value AS FLOAT)) - 1) * 25 AS idx
               FROM answers a JOIN questionnaire_items q ON q.code = a.item_code AND q.questionnaire_version_id = :version
                    AND q.scored JOIN sizes s ON s.theme = q.theme
               JOIN responses r ON r.id = a.response_id JOIN invitations i ON i.id = r.invitation_id
               WHERE i.round_id = :round AND r.status = 'submitted' AND a.scale_value IS NOT NULL
               GROUP BY a.response_id, q.theme HAVING count(a.scale_value) * 2 >= max(s.size))
        SELECT theme, count(*), avg(idx), avg(idx * idx), min(idx), max(idx) FROM per_response GROUP BY theme""",
    "item distributions": """
        SELECT a.item_code, a.scale_value, a.dont_know, count(*) FROM answers a
        JOIN questionnaire_items q ON q.code = a.item_code AND q.questionnaire_version_id = :version
             AND q.type IN ('scale', 'matrix_cell')
        JOIN responses r ON r.id = a.response_id JOIN invitations i ON i.id = r.invitation_id
        WHERE i.round_id = :round AND r.status = 'submitted' GROUP BY 1, 2, 3""",
    "choice frequencies": """
        SELECT a.item_code, a.choice, count(*) FROM answers a
        JOIN questionnaire_items q ON q.code = a.item_code AND q.questionnaire_version_id = :version AND q.type = 'multiple'
        JOIN responses r ON r.id = a.response_id JOIN invitations i ON i.id = r.invitation_id
        WHERE i.round_id = :round AND r.status = 'submitted' GROUP BY 1, 2""",
    "respondents per choice item": """
        SELECT a.item_code, count(DISTINCT a.response_id) FROM answers a
        JOIN questionnaire_items q ON q.code = a.item_code AND q.questionnaire_version_id = :version AND q.type = 'multiple'
        JOIN responses r ON r.id = a.response_id JOIN invitations i ON i.id = r.invitation_id
        WHERE i.round_id = :round AND r.status = 'submitted' GROUP BY 1""",
    "other texts": """
        SELECT a.item_code, a.text_value FROM answers a
        JOIN questionnaire_items q ON q.code = a.item_code AND q.questionnaire_version_id = :version AND q.type = 'multiple'
        JOIN responses r ON r.id = a.response_id JOIN invitations i ON i.id = r.invitation_id
        WHERE i.round_id = :round AND r.status = 'submitted' AND a.choice = 'other' AND a.text_value IS NOT NULL
        ORDER BY a.item_code, a.id""",
    "submitted responses": """
        SELECT count(*) FROM responses r JOIN invitations i ON i.id = r.invitation_id
        WHERE i.round_id = :round AND i.revoked_at IS NULL AND r.status = 'submitted'""",
    "partnerships answered by both sides": """
        SELECT hi.partnership_id, hr.id, pr.id FROM invitations hi JOIN responses hr ON hr.invitation_id = hi.id
        JOIN invitations pi ON pi.partnership_id = hi.partnership_id AND pi.round_id = hi.round_id AND pi.side = 'partner'
             AND pi.revoked_at IS NULL
        JOIN responses pr ON pr.invitation_id = pi.id
        WHERE hi.round_id = :round AND hi.side = 'home' AND hi.revoked_at IS NULL
              AND hr.status = 'submitted' AND pr.status = 'submitted'""",
}


def project_dashboard(round_, functions):
    """What the dashboard page computes (charts aside), with ``functions`` = aggregate or cached."""
    from evalapp.questionnaires.definition import SCORED_THEMES
    from evalapp.questionnaires.loader import definition_of
    from evalapp.reporting import aggregate

    definition = definition_of(round_.questionnaire_version)
    scale = [c for s in definition.sections for i in s.items if i.type in ("scale", "matrix") and i.theme in SCORED_THEMES
             for c in i.answer_codes]
    multiple = [i.code for s in definition.sections for i in s.items if i.type == "multiple"]
    aggregate.progress(round_.id)  # never cached: it counts responses in progress too
    functions.count_submitted(round_.id, aggregate.Filters())
    functions.theme_summaries(round_, aggregate.Filters(), 3)
    functions.distributions(round_, scale, aggregate.Filters(), 3)
    functions.choice_counts(round_, multiple, aggregate.Filters(), 3)
    functions.partnership_comparisons(round_, aggregate.Filters())


def cache_settings() -> dict:
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except redis.exceptions.ConnectionError:
        return {"CACHE_TYPE": "SimpleCache"}
    return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": "redis://127.0.0.1:6379/15",
            "CACHE_KEY_PREFIX": "evalapp-bench:"}


def best_of(runs, function):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main():
    from evalapp import create_app
    from evalapp.extensions import cache, db
    from evalapp.models import Round
    from evalapp.reporting import aggregate, cached

    settings = cache_settings()
    print(f"Dashboard aggregation benchmark ({backend()}; cache: {settings['CACHE_TYPE']}); best of 3 runs")
    for size in SIZES:
        round_id = prepare(size)
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(size), "SECRET_KEY": "bench", **settings})
        with app.app_context():
            round_ = db.session.get(Round, round_id)
            params = {"round": round_.id, "version": round_.questionnaire_version_id}
            ours = best_of(3, lambda round_=round_: project_dashboard(round_, aggregate))
            raw = best_of(3, lambda params=params: [db.session.execute(text(sql), params).all() for sql in RAW_SQL.values()])
            cache.clear()
            project_dashboard(round_, cached)
            warm = best_of(3, lambda round_=round_: project_dashboard(round_, cached))
            print(f"  {size:>7,} responses: first view {ours:7.3f} s   raw SQL {raw:7.3f} s   ratio {ours / raw:5.2f}×"
                  f"   next views (cached) {warm:6.3f} s   (targets: ≤ 1.5× raw SQL, < 1 s at 100,000)", flush=True)
            cache.clear()
            db.engine.dispose()


if __name__ == "__main__":
    main()
