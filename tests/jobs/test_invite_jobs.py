"""Inviting by filter as a job, both ways: batches committed whole, and a job killed midway then retried invites
each authority once."""

import pytest
from sqlalchemy import event, func, insert, select

from evalapp import jobs
from evalapp.extensions import db
from evalapp.invitations import INVITE_BATCH
from evalapp.jobs.invitations import JOB_KIND
from evalapp.models import Authority, Invitation, Response
from tests.factories import login
from tests.jobs.conftest import queue_settings, run_pending
from tests.jobs.test_jobs import in_english, job_row, kill_with_children, post, run_in_its_own_process, wait_until
from tests.organiser.test_invitations import post_invite

#: Authorities of the directory in these tests: three and a half batches of communes, and a few others.
COMMUNES = 3 * INVITE_BATCH + INVITE_BATCH // 2


@pytest.fixture
def directory(app):
    with app.app_context():
        db.session.execute(insert(Authority), [
            {"name": f"Commune {i:05}", "sort_name": f"commune {i:05}", "kind": "commune", "country": "FR",
             "email": f"mairie@commune{i:05}.example"} for i in range(COMMUNES)])
        db.session.execute(insert(Authority), [
            {"name": f"Region {i}", "sort_name": f"region {i}", "kind": "region", "country": "FR"} for i in range(3)])
        db.session.commit()


def invited(app, round_id) -> tuple[int, int, int]:
    """(invitations of the round, distinct authorities invited, responses)."""
    with app.app_context():
        of_round = select(Invitation).where(Invitation.round_id == round_id).subquery()
        return (db.session.scalar(select(func.count()).select_from(of_round)),
                db.session.scalar(select(func.count(func.distinct(of_round.c.authority_id)))),
                db.session.scalar(select(func.count()).select_from(Response).join(Invitation)
                                  .where(Invitation.round_id == round_id)))


def test_inviting_by_filter_killed_midway_then_retried_invites_each_authority_once(app, app_with, mode, migrated,
                                                                                   directory, round_id, organiser_id):
    """The process running the job is killed (a worker and its work horse, or a web process and its thread) in the
    middle of its third batch; the batches before it stay, the third is rolled back, and the retry does the rest."""
    web = app_with(**queue_settings(mode))
    with web.app_context():
        job = jobs.create_job(JOB_KIND, params={"kind": "commune", "country": "FR"}, round_id=round_id,
                              organiser_id=organiser_id)
        db.session.commit()
        job_id = job.id
    process = run_in_its_own_process(web, job_id, mode, migrated, TEST_PAUSE_IN_BATCH="1")
    try:
        wait_until(lambda: invited(app, round_id)[0] >= 2 * INVITE_BATCH, "two batches committed", process)
    finally:
        kill_with_children(process)
    # Whole batches only, each invitation with its response.
    assert invited(app, round_id) == (2 * INVITE_BATCH,) * 3
    assert job_row(app, job_id).done == 2 * INVITE_BATCH

    later = app_with(JOB_STALLED_AFTER=0, **queue_settings(mode))
    client = in_english(later.test_client())
    login(client)
    assert post(client, f"/o/jobs/{job_id}/retry", f"/o/jobs/{job_id}").status_code == 303
    run_pending(later)
    assert invited(app, round_id) == (COMMUNES,) * 3
    done = job_row(app, job_id)
    assert (done.status, done.attempt, done.done, done.total) == ("done", 2, COMMUNES, COMMUNES)
    assert done.result == {"authorities": COMMUNES, "new": COMMUNES}
    with app.app_context():  # the directory's address of the day, and a token each
        rows = db.session.execute(select(Invitation.email, Authority.email, Invitation.token)
                                  .join(Authority, Invitation.authority_id == Authority.id)).all()
    assert all(mine == directory_email for mine, directory_email, _ in rows)
    assert len({token for *_, token in rows}) == COMMUNES


@pytest.mark.parametrize("failure", ["a row fails", "the connection is cut"])
def test_a_batch_failing_halfway_writes_none_of_it_and_the_retry_invites_the_rest_once(app, japp, jorga, run_jobs,
                                                                                       directory, round_id, failure):
    """The third batch fails after its invitations are written, while its responses are: none of the batch stays,
    the job fails with the reason, and its retry finishes the work."""
    if failure == "the connection is cut" and not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL): SQLite has no server connection to cut")
    from tests.safety.pg import terminate

    in_english(jorga)
    seen = []

    def fail(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("INSERT INTO responses"):
            seen.append(statement)
            if len(seen) == 3:
                if failure == "a row fails":
                    raise RuntimeError("the disk is full")
                terminate(app, "pid = :pid", pid=cursor.connection.info.backend_pid)

    with japp.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", fail)
    try:
        started = post_invite(jorga, round_id, "filter", kind="commune", country="FR")
        assert started.status_code == 303
        run_jobs()
    finally:
        event.remove(engine, "before_cursor_execute", fail)
    page = jorga.get(started.location).text
    assert "Failed" in page and "An unexpected error stopped the job" in page
    assert "Progress when it stopped: 2,000 of 3,500 authorities." in page
    assert invited(app, round_id) == (2 * INVITE_BATCH,) * 3
    retried = post(jorga, f"{started.location}/retry", started.location)
    assert retried.status_code == 303
    run_jobs()
    assert "Done" in jorga.get(started.location).text
    assert invited(app, round_id) == (COMMUNES,) * 3
