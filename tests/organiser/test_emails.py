"""Invitations and reminders by email, sent by a job (in the web process, and through the queue with a
worker), against a real SMTP server started by the test."""
import email
import re
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Authority, Invitation, InvitationEmail, Round
from tests.factories import login
from tests.jobs import conftest as job_modes
from tests.jobs.conftest import queue_settings, run_pending
from tests.load.server import free_port
from tests.respond.helpers import csrf_token, fill_everything, submit

mode = job_modes.mode  # fixture: each test runs in the web process, and through the queue with a worker


class Mailbox:
    """An SMTP handler that keeps messages and refuses addresses at refused.example."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def count(self) -> Counter:
        """How many messages each address received."""
        return Counter(message["To"] for message in self.messages)


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mail_app(app_with, smtp, mode):
    """The app sending to the test's SMTP server, its jobs run in the mode under test."""
    controller, _ = smtp
    return app_with(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_BACKEND="smtp", **queue_settings(mode))


@pytest.fixture
def mail_orga(mail_app, organiser_id, round_id):
    client = mail_app.test_client()
    login(client)
    return client


def set_emails(app, **by_name):
    """Give the authorities these addresses, as if they had them when invited."""
    with app.app_context():
        for authority in db.session.scalars(select(Authority)):
            authority.email = by_name.get(authority.name.split()[-1])
        for invitation in db.session.scalars(select(Invitation)):
            invitation.email = invitation.authority.email
        db.session.commit()


def start_send(client, round_id, target):
    """Ask for a send from the send page; return the job's page address it leads to."""
    page = client.get(f"/o/rounds/{round_id}/send")
    started = client.post(f"/o/rounds/{round_id}/send", data={"csrf_token": csrf_token(page.text), "target": target})
    assert started.status_code == 303 and re.fullmatch(r"/o/jobs/\d+", started.location), started.status_code
    return started.location


def send(client, round_id, target):
    """Send as an organiser does, let the job run to its end, and return its page."""
    job_page = start_send(client, round_id, target)
    run_pending(client.application)
    return client.get(job_page)


def body(message):
    return message.get_payload(decode=True).decode(message.get_content_charset())


def test_invitations_go_out_in_each_authoritys_language_with_its_link(app, smtp, mail_orga, round_id):
    from tests.factories import create_partnership_invitations

    tokens = create_partnership_invitations(app, round_id, partner_lang="en")
    set_emails(app, Grenoble="intl@grenoble.example", Ouagadougou="mairie@ouaga.example")
    response = send(mail_orga, round_id, "not_sent")
    assert response.status_code == 200 and "2 messages envoyés." in response.text
    _, mailbox = smtp
    by_recipient = {m["To"]: m for m in mailbox.messages}
    french, english = by_recipient["intl@grenoble.example"], by_recipient["mairie@ouaga.example"]
    assert email.header.make_header(email.header.decode_header(french["Subject"])).__str__().startswith("Invitation : ")
    assert f"http://evalapp.test/r/{tokens[0]}" in body(french) and "Bonjour," in body(french)
    assert f"http://evalapp.test/r/{tokens[1]}" in body(english) and "Hello," in body(english)
    assert "Ville de Grenoble" in body(english)  # the partner is named
    # Dates are written the British way, as on the English pages.
    with app.app_context():
        closes_on = db.session.get(Round, round_id).closes_on
    assert f"before {closes_on.day} {closes_on:%B %Y}" in body(english)
    # Sending invitations again sends nothing: everyone has had theirs.
    assert "0 message envoyé." in send(mail_orga, round_id, "not_sent").text
    assert len(mailbox.messages) == 2


def test_reminders_go_only_to_those_who_have_not_submitted(app, smtp, mail_orga, round_id, tokens):
    set_emails(app, Grenoble="intl@grenoble.example", Ouagadougou="mairie@ouaga.example")
    respondent = app.test_client()
    fill_everything(respondent, tokens[0])
    submit(respondent, tokens[0])
    send(mail_orga, round_id, "not_submitted")
    _, mailbox = smtp
    assert [m["To"] for m in mailbox.messages] == ["mairie@ouaga.example"]
    assert "Relance" in str(email.header.make_header(email.header.decode_header(mailbox.messages[0]["Subject"])))


def test_reminders_can_target_only_the_missing_side(app, smtp, mail_orga, round_id, tokens):
    from tests.factories import create_partnership_invitations

    create_partnership_invitations(app, round_id)  # a second partnership where nobody answered
    set_emails(app, Grenoble="intl@grenoble.example", Ouagadougou="mairie@ouaga.example")
    respondent = app.test_client()
    fill_everything(respondent, tokens[0])
    submit(respondent, tokens[0])
    send(mail_orga, round_id, "missing_side")
    _, mailbox = smtp
    # Only the partner of the partnership whose home side answered; not the second partnership.
    assert [m["To"] for m in mailbox.messages] == ["mairie@ouaga.example"]


def test_a_failed_send_is_reported_and_recorded_not_lost(app, smtp, mail_orga, round_id, tokens):
    set_emails(app, Grenoble="intl@grenoble.example", Ouagadougou="nobody@refused.example")
    response = send(mail_orga, round_id, "not_sent")
    assert "1 message envoyé." in response.text
    assert "1 message n&#39;a pas pu être envoyé" in response.text and "mailbox unavailable" in response.text
    with app.app_context():
        log = {(e.recipient, e.status) for e in db.session.scalars(select(InvitationEmail))}
        failed = db.session.scalar(select(InvitationEmail).where(InvitationEmail.status == "failed"))
    assert log == {("intl@grenoble.example", "sent"), ("nobody@refused.example", "failed")}
    assert "550" in failed.error and failed.sent_at is not None
    # The failed one is still "not sent": the next invitation send retries it.
    page = mail_orga.get(f"/o/rounds/{round_id}/send").text
    assert "Commune de Ouagadougou" in page and "Invitation : toutes les collectivités pas encore contactées par courriel (1)" in page


def test_an_unreachable_server_is_reported_for_each_message(app, app_with, mode, organiser_id, round_id, tokens):
    set_emails(app, Grenoble="intl@grenoble.example", Ouagadougou="mairie@ouaga.example")
    dead = app_with(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_BACKEND="smtp", MAIL_TIMEOUT=2,
                    **queue_settings(mode))
    client = dead.test_client()
    login(client)
    response = send(client, round_id, "not_sent")
    assert response.status_code == 200 and "2 messages n&#39;ont pas pu être envoyés" in response.text
    assert "ConnectionRefusedError" in response.text
    with app.app_context():
        assert [e.status for e in db.session.scalars(select(InvitationEmail))] == ["failed", "failed"]


def test_without_smtp_configured_the_page_says_so_and_offers_the_csv(orga, round_id):
    page = orga.get(f"/o/rounds/{round_id}/send")
    assert "pas configuré" in page.text and f"/o/rounds/{round_id}/links.csv" in page.text
