"""Benchmark: the aggregation behind a round's main dashboard, against raw SQL doing the same.

For each size, the project's functions (evalapp/reporting/aggregate.py) and one
hand-written SQL query per figure run on the same database; both times and their ratio
are printed. Not a test: run it with `make bench-dashboard`.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench  (default: SQLite under /tmp)
    BENCH_SIZES=1000,10000,100000
"""
import os
import time

from sqlalchemy import text

from tests.benchmarks.export_wide import SIZES, database_url, prepare

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
}


def project_dashboard(round_):
    """What the dashboard page computes (charts aside)."""
    from evalapp.questionnaires.definition import SCORED_THEMES
    from evalapp.questionnaires.loader import definition_of
    from evalapp.reporting import aggregate

    definition = definition_of(round_.questionnaire_version)
    scale = [c for s in definition.sections for i in s.items if i.type in ("scale", "matrix") and i.theme in SCORED_THEMES
             for c in i.answer_codes]
    multiple = [i.code for s in definition.sections for i in s.items if i.type == "multiple"]
    aggregate.progress(round_.id)
    aggregate.theme_summaries(round_)
    aggregate.distributions(round_, scale)
    aggregate.choice_counts(round_, multiple)
    aggregate.partnership_comparisons(round_)


def best_of(runs, function):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main():
    from evalapp import create_app
    from evalapp.extensions import db
    from evalapp.models import Round

    print(f"Dashboard aggregation benchmark ({os.environ.get('BENCH_DATABASE_URL') or 'SQLite'}); best of 3 runs")
    for size in SIZES:
        round_id = prepare(size)
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(size), "SECRET_KEY": "bench"})
        with app.app_context():
            round_ = db.session.get(Round, round_id)
            params = {"round": round_.id, "version": round_.questionnaire_version_id}
            ours = best_of(3, lambda round_=round_: project_dashboard(round_))
            raw = best_of(3, lambda params=params: [db.session.execute(text(sql), params).all() for sql in RAW_SQL.values()])
            print(f"  {size:>7,} responses: evalapp {ours:7.3f} s   raw SQL {raw:7.3f} s   ratio {ours / raw:5.2f}× "
                  f"(targets: ≤ 1.5× and < 1 s at 100,000)", flush=True)
            db.engine.dispose()


if __name__ == "__main__":
    main()
