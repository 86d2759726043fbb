"""Counting a round's figures as a job, both ways: the dashboard says the figures are being counted, and
once the job is done they hold every response."""
from evalapp.extensions import db
from evalapp.models import Round
from evalapp.synthetic import add_responses
from tests.jobs.test_jobs import in_english, job_row, post


def test_a_dashboard_counts_the_responses_left_out_only_up_to_a_bound(japp, jorga, round_id, monkeypatch):
    """After a bulk load of 100,000, counting every response left out took 0.3 s a view: it says "more than"."""
    from evalapp.reporting import aggregate

    monkeypatch.setattr(aggregate, "NOT_COUNTED_UP_TO", 20)
    with japp.app_context():
        add_responses(db.session.get(Round, round_id), 30, batch=10, catch_up=False)
    in_english(jorga)
    page = jorga.get(f"/o/rounds/{round_id}/dashboard").text
    assert "More than 20 responses are not counted in these figures yet." in page
    monkeypatch.setattr(aggregate, "NOT_COUNTED_UP_TO", 30)
    assert "30 responses are not counted in these figures yet." in jorga.get(f"/o/rounds/{round_id}/dashboard").text


def test_counting_a_bulk_load_runs_as_a_job_and_the_dashboard_says_so(japp, jorga, mode, run_jobs, round_id):
    with japp.app_context():
        add_responses(db.session.get(Round, round_id), 30, batch=10, catch_up=False)
    in_english(jorga)
    dashboard = f"/o/rounds/{round_id}/dashboard"
    assert "30 responses are not counted in these figures yet." in jorga.get(dashboard).text
    assert post(jorga, f"/o/rounds/{round_id}/tallies/catch-up", dashboard).status_code == 303
    if mode == "redis":  # queued until a worker takes it: the dashboard links to it instead of a second button
        page = jorga.get(dashboard).text
        job_id = int(page.split('href="/o/jobs/')[1].split('"')[0])
        assert "They are being counted now" in page and "Count them now" not in page
        assert post(jorga, f"/o/rounds/{round_id}/tallies/catch-up", dashboard).status_code == 303  # a second click
    run_jobs()
    page = jorga.get(dashboard).text
    assert "not counted" not in page and "30 submitted responses match" in page
    listed = jorga.get(f"/o/rounds/{round_id}/jobs").text
    assert listed.count("Counting the figures") == 1  # two clicks, one job
    if mode == "redis":
        job = job_row(japp, job_id)
        assert (job.status, job.done, job.total, job.result) == ("done", 30, 30, {"counted": 30, "left": 0})
        assert "30 responses counted: the figures hold every response." in jorga.get(f"/o/jobs/{job_id}").text
