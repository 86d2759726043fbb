"""Sends as jobs, both ways: every message exactly once at the SMTP server, though the process sending them is
killed midway and the send retried; failures recorded while the send goes on."""
import asyncio
import email
import threading
from collections import Counter
from html import escape

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from evalapp import jobs, mailing
from evalapp.extensions import db
from evalapp.invitations import invite
from evalapp.models import Authority, InvitationEmail, Job, Round
from tests.factories import login
from tests.jobs.conftest import queue_settings, run_pending
from tests.jobs.test_jobs import in_english, job_row, kill_with_children, post, run_in_its_own_process, wait_until
from tests.load.server import free_port
from tests.organiser.test_emails import Mailbox, send, start_send

#: Recipients of the sends below.
MANY = 60


class GatedMailbox(Mailbox):
    """A mailbox that can hold one conversation at a chosen point: at the ``hold_at``-th recipient given
    (before answering it), or once the ``hold_at``-th message is received (before saying it is taken)."""

    def __init__(self, hold: str | None = None, hold_at: int = 0):
        super().__init__()
        self.hold, self.hold_at = hold, hold_at
        self.recipients = 0
        self.held, self.release = threading.Event(), threading.Event()

    async def _wait(self):
        self.held.set()
        while not self.release.is_set():
            await asyncio.sleep(0.02)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.recipients += 1
        if self.hold == "recipient" and self.recipients == self.hold_at:
            await self._wait()
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        if self.hold == "end of data" and len(self.messages) == self.hold_at:
            await self._wait()  # the message is taken; its sender does not know it yet
        return "250 Message accepted for delivery"


@pytest.fixture
def sink():
    started = []

    def start(mailbox: Mailbox) -> int:
        controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append((controller, mailbox))
        return controller.port

    yield start
    for controller, mailbox in started:
        if isinstance(mailbox, GatedMailbox):
            mailbox.release.set()
        controller.stop()


def many_invitations(app, round_id, n=MANY, address=lambda i: f"mairie{i:03}@commune{i:03}.example") -> list[str]:
    """Invite ``n`` authorities with an address each; return the addresses."""
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        for i in range(n):
            authority = Authority(name=f"Commune {i:03}", kind="commune", country="FR", email=address(i))
            db.session.add(authority)
            invite(round_, authority)
        db.session.commit()
    return [address(i) for i in range(n)]


def mail_settings(port: int) -> dict:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_BACKEND": "smtp"}


@pytest.mark.parametrize("killed", ["recipient", "end of data"])
def test_a_send_killed_midway_then_retried_sends_every_message_exactly_once(app, app_with, mode, migrated, sink,
                                                                            round_id, organiser_id, killed):
    """The process sending is killed (a worker and its work horse, or a web process and its thread) while the
    server holds the 25th message: before it has its recipient (never delivered, so sent by the retry), or once it
    has taken the whole message but before it says so (delivered, of unknown outcome to the send: not sent again)."""
    addresses = many_invitations(app, round_id)
    mailbox = GatedMailbox(hold=killed, hold_at=25)
    port = sink(mailbox)
    web = app_with(**mail_settings(port), **queue_settings(mode))
    with web.app_context():
        job = jobs.create_job(mailing.JOB_KIND, params={"target": "not_sent", "base_url": "http://evalapp.test"},
                              round_id=round_id, organiser_id=organiser_id)
        db.session.commit()
        job_id = job.id
    process = run_in_its_own_process(web, job_id, mode, migrated, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port),
                                     MAIL_BACKEND="smtp")
    try:
        wait_until(mailbox.held.is_set, "holding the 25th message", process)
    finally:
        kill_with_children(process)
    mailbox.release.set()
    assert len(mailbox.messages) == (25 if killed == "end of data" else 24)

    later = app_with(JOB_STALLED_AFTER=0, **mail_settings(port), **queue_settings(mode))
    client = in_english(later.test_client())
    login(client)
    assert post(client, f"/o/jobs/{job_id}/retry", f"/o/jobs/{job_id}").status_code == 303
    run_pending(later)

    # Every authority has its invitation once, and only once.
    assert mailbox.count() == Counter(addresses)
    done = job_row(app, job_id)
    assert (done.status, done.attempt, done.done, done.total) == ("done", 2, MANY, MANY)
    # The message whose outcome the killed run could not know is said so, with its Message-ID, and never sent again.
    unknown = 25 if killed == "end of data" else 24
    assert done.result == {"target": "not_sent", "sent": MANY - 1, "failed": 0, "unknown": 1, "skipped": 0}
    page = client.get(f"/o/jobs/{job_id}").text
    assert "59 messages sent." in page and "1 message may or may not have reached the mail server" in page
    with app.app_context():
        record = db.session.scalar(select(InvitationEmail).where(InvitationEmail.status == "unknown"))
        assert record.recipient == addresses[unknown - 1]
        # Each message carries the Message-ID of its send and invitation, the same in every run.
        sent_ids = {m["Message-ID"] for m in mailbox.messages}
        assert len(sent_ids) == MANY and record.message_id in sent_ids
        assert record.message_id == f"<evalapp.send-{job_id}.invitation-{record.invitation_id}@evalapp.test>"
    assert escape(record.message_id) in page and "outcome unknown" in page

    # A new invitation send finds no one left: the unknown one counts as sent.
    assert "0 messages sent." in send(client, round_id, "not_sent").text
    assert len(mailbox.messages) == MANY


def test_a_run_taken_for_dead_that_wakes_up_sends_nothing(app, app_with, sink, round_id, organiser_id):
    """Run 1 (a thread of the web process) hangs at the 10th message; meanwhile it is taken for dead and retried,
    and run 2 sends everything. When run 1 wakes up, it finds the send is no longer its own and ends the message it
    held without its final dot: the server drops it."""
    addresses = many_invitations(app, round_id, n=20)
    mailbox = GatedMailbox(hold="recipient", hold_at=10)
    web = app_with(**mail_settings(sink(mailbox)), JOB_STALLED_AFTER=3600)
    client = in_english(web.test_client())
    login(client)
    job_page = start_send(client, round_id, "not_sent")
    assert mailbox.held.wait(30)
    retrier = app_with(JOB_STALLED_AFTER=0, **mail_settings(web.config["MAIL_PORT"]))
    with retrier.app_context():
        job = db.session.get(Job, int(job_page.rsplit("/", 1)[1]))
        assert jobs.retry_job(job)  # run 2 starts in a thread
        job_id = job.id
    wait_until(lambda: job_row(app, job_id).status == "done", "done by run 2")
    assert mailbox.count() == Counter(addresses)
    mailbox.release.set()
    jobs.wait_for_threads()
    assert mailbox.count() == Counter(addresses)  # run 1's held message never arrived
    # Run 1's 9th message, taken by the server just before it hung, was left to run 2 as of unknown outcome.
    done = job_row(app, job_id)
    assert (done.attempt, done.result["sent"], done.result["unknown"]) == (2, 19, 1)


def test_failures_are_recorded_and_the_send_goes_on(app, app_with, mode, sink, round_id, organiser_id):
    """Refused recipients, and an address the mail library cannot encode, fail alone; the rest go once."""
    def address(i):
        if i % 7 == 3:
            return f"nobody{i}@refused.example"
        return "intl@é..example" if i == 12 else f"mairie{i:03}@commune{i:03}.example"

    addresses = many_invitations(app, round_id, n=30, address=address)
    with app.app_context():  # and one without an address, skipped
        invite(db.session.get(Round, round_id), Authority(name="Commune sans adresse", kind="commune", country="FR"))
        db.session.commit()
    mailbox = Mailbox()
    web = app_with(**mail_settings(sink(mailbox)), **queue_settings(mode))
    client = in_english(web.test_client())
    login(client)
    page = send(client, round_id, "not_sent").text
    refused = [a for a in addresses if a.endswith("@refused.example")]
    assert mailbox.count() == Counter(a for a in addresses if a not in refused and "é" not in a)
    assert "25 messages sent." in page and "5 messages could not be sent" in page
    assert "1 invitation has no email address and was skipped." in page
    assert page.count("550 5.1.1 mailbox unavailable") == 4 and "Invalid address" in page
    with app.app_context():
        statuses = dict(db.session.execute(select(InvitationEmail.status, func.count()).group_by(
            InvitationEmail.status)).all())
    assert statuses == {"sent": 25, "failed": 5}
    # The send page: the last send's counts, who has no address, every message with its result.
    send_page = client.get(f"/o/rounds/{round_id}/send").text
    assert "25 messages sent." in send_page and "Commune sans adresse" in send_page
    assert "Invitation: every authority not yet emailed (6)" in send_page  # the failed ones, and the one without


def test_a_send_that_cannot_reach_its_server_stops_and_its_retry_sends_each_message_once(app, app_with, mode, sink,
                                                                                         round_id, organiser_id):
    addresses = many_invitations(app, round_id, n=mailing.UNREACHABLE_LIMIT + 5)
    port = free_port()
    web = app_with(**mail_settings(port), MAIL_TIMEOUT=2, **queue_settings(mode))
    client = in_english(web.test_client())
    login(client)
    page = send(client, round_id, "not_sent").text
    assert "Failed" in page and f"The mail server could not be reached {mailing.UNREACHABLE_LIMIT} times in a row" in page
    assert "ConnectionRefusedError" in page and "0 messages sent." in page
    assert f"{mailing.UNREACHABLE_LIMIT} messages could not be sent" in page
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)  # the server is back
    controller.start()
    try:
        job_page = client.get(f"/o/rounds/{round_id}/send").text.split('href="/o/jobs/')[1].split('"')[0]
        assert post(client, f"/o/jobs/{job_page}/retry", f"/o/jobs/{job_page}").status_code == 303
        run_pending(web)
        assert mailbox.count() == Counter(addresses)
        done = job_row(app, int(job_page))
        assert done.status == "done" and done.result["sent"] == len(addresses) and done.result["failed"] == 0
    finally:
        controller.stop()


class HangingUpMailbox(Mailbox):
    """Takes the ``at``-th message, then hangs up before saying so."""

    def __init__(self, at: int):
        super().__init__()
        self.at = at

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == self.at:
            server.transport.close()
        return answer


def test_a_message_whose_answer_never_comes_is_of_unknown_outcome_and_never_sent_again(app, app_with, mode, sink,
                                                                                      round_id, organiser_id):
    addresses = many_invitations(app, round_id, n=10)
    mailbox = HangingUpMailbox(at=4)
    web = app_with(**mail_settings(sink(mailbox)), **queue_settings(mode))
    client = in_english(web.test_client())
    login(client)
    page = send(client, round_id, "not_sent").text
    assert mailbox.count() == Counter(addresses)  # the send went on, on a new connection
    assert "9 messages sent." in page and "1 message may or may not have reached the mail server" in page
    assert "SMTPServerDisconnected" in page
    assert "0 messages sent." in send(client, round_id, "not_sent").text
    assert mailbox.count() == Counter(addresses)
