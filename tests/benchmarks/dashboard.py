"""Benchmark: the aggregation behind a round's main dashboard, against raw SQL doing the same.

For each size, the project's functions (evalapp/reporting/aggregate.py) and one
hand-written SQL query per figure over the answers run on the same database; both times
and their ratio are printed, then evalapp's time figure by figure. evalapp reads the round's
tallies and theme scores (evalapp/tallies.py), kept up to date by each write; the time the
catch-up takes to count every response again from nothing (after a bulk load of them all; no
view waits for it) is printed too. Not a test: `make bench-dashboard` (settings:
tests/benchmarks/data.py).
"""
import time

from sqlalchemy import text

from tests.benchmarks.data import SIZES, backend, bench_app, prepare

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


def dashboard_figures(round_) -> dict:
    """What the dashboard page computes (charts aside), figure by figure: {name: function}."""
    from evalapp.questionnaires.definition import SCORED_THEMES
    from evalapp.questionnaires.loader import definition_of
    from evalapp.reporting import aggregate

    definition = definition_of(round_.questionnaire_version)
    scale = [c for s in definition.sections for i in s.items if i.type in ("scale", "matrix") and i.theme in SCORED_THEMES
             for c in i.answer_codes]
    multiple = [i.code for s in definition.sections for i in s.items if i.type == "multiple"]
    return {
        "progress": lambda: aggregate.progress(round_.id),
        "submitted responses": lambda: aggregate.count_submitted(round_.id),
        "responses not counted": lambda: aggregate.coverage(round_),
        "theme indices": lambda: aggregate.theme_summaries(round_),
        "item distributions": lambda: aggregate.distributions(round_, scale),
        "choice counts": lambda: aggregate.choice_counts(round_, multiple),
        "partnerships": lambda: aggregate.partnership_comparisons(round_),
    }


def project_dashboard(figures: dict) -> None:
    from evalapp.extensions import db

    for compute in figures.values():
        compute()
    db.session.rollback()  # as at the end of a request


def count_again(round_):
    """Empty the round's tallies and count every response again, as the catch-up does after a bulk load."""
    from evalapp import tallies
    from evalapp.extensions import db

    tallies.forget(round_.id)
    db.session.commit()
    tallies.catch_up(round_.id)


def best_of(runs, function):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main():
    from evalapp.extensions import db
    from evalapp.models import Round

    print(f"Dashboard aggregation benchmark ({backend()}); best of 3 runs")
    for size in SIZES:
        round_id = prepare(size)
        app = bench_app(size)
        with app.app_context():
            round_ = db.session.get(Round, round_id)
            params = {"round": round_.id, "version": round_.questionnaire_version_id}
            figures = dashboard_figures(round_)
            ours = best_of(3, lambda figures=figures: project_dashboard(figures))
            raw = best_of(3, lambda params=params: [db.session.execute(text(sql), params).all() for sql in RAW_SQL.values()])
            each = {name: best_of(3, compute) for name, compute in figures.items()}
            db.session.rollback()
            started = time.perf_counter()
            count_again(round_)
            counting = time.perf_counter() - started
            print(f"  {size:>7,} responses: evalapp {ours:7.3f} s   raw SQL {raw:7.3f} s   ratio {ours / raw:5.2f}×"
                  f"   (targets: ≤ 1.5×, < 1 s at 100,000);   counting every response again {counting:6.2f} s", flush=True)
            print(f"  {'':>7}            " + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in each.items()),
                  flush=True)
            db.engine.dispose()


if __name__ == "__main__":
    main()
