"""Invitations and reminders by email, in each authority's language. A send runs as a job
(evalapp/jobs/sends.py), and each message is recorded as it goes, so that neither a retry nor a
second send sends it again.

Exactly once, as far as SMTP allows
    A mail server takes a message when it reads the end of its data (a line holding a dot) and
    answers 250. For each message, a send:

    1. writes the message, with a Message-ID that stays the same for this send and this invitation,
       and gives the server its sender, its recipient and its data, all but the final dot;
    2. records the attempt as ``sending`` (with the outcome of the message before it), sends the
       COMMIT and, without waiting for its answer, the dot (``Progress.commit_then``);
    3. reads both answers, and keeps the server's (sent, or failed with the reason) to commit with the
       next message's step 2, or at the end.

    A run that stops (an error, its worker killed, its machine lost) before its COMMIT left leaves no
    record, and the server never had the dot, so it dropped the message: a retry sends it. Once the
    COMMIT left, the record says ``sending`` (PostgreSQL completes a COMMIT it received even if the
    process that sent it is gone): a later run cannot tell whether the server took the message, so
    it marks it ``unknown`` and does NOT send it again; the send's page lists it with its Message-ID,
    which the server's log can be searched for. Such a message was lost only if the run stopped in
    the microseconds between writing the COMMIT and writing the dot; stopped any later, the server
    had the message. Nothing is sent twice, by a retry of the same send or by a later invitation
    send (which skips every message sent, sending or unknown), unless the COMMIT itself fails after
    the dot left (the database refusing a transaction that ran): the send then stops with the error.

    A message whose dot left but whose answer never came (the connection broke, or timed out) is
    ``unknown`` too, for the same reason. A message refused (550...), a server that cannot be reached,
    an address the mail library cannot encode: each is recorded as failed with its reason, and the
    send goes on. A retry tries the failed ones again. A send stops, to be retried, when the server
    cannot be reached UNREACHABLE_LIMIT times in a row.
"""
import re
import smtplib
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMessage
from flask_mailman.backends.smtp import EmailBackend as SMTPBackend
from flask_mailman.message import sanitize_address
from sqlalchemy import distinct, func, insert, select, update

from evalapp.extensions import db, mail
from evalapp.i18n import LOCALES
from evalapp.invitations import base_url, invitation_url, open_invitations_query
from evalapp.jobs import JobError, Progress, active_job, create_job, send_job
from evalapp.models import REACHED, EmailStatus, Invitation, InvitationEmail, Job, Organiser, Round
from evalapp.models.base import utcnow
from evalapp.rounds import missing_side_filter

#: Who a send goes to, as the send page offers it.
TARGETS = {
    "not_sent": _l("Invitation: every authority not yet emailed"),
    "not_submitted": _l("Reminder: every authority that has not submitted"),
    "missing_side": _l("Reminder: only the missing side of partnerships where one side has submitted"),
}
#: The kind of job a send is.
JOB_KIND = "send_emails"
#: Invitations read, and their messages written, at a time (the messages of a batch are written
#: before any is sent, so that the commit before each message finds nothing to read again).
BATCH_SIZE = 200
#: Times in a row the mail server cannot be reached before a send stops, to be retried when it is back.
UNREACHABLE_LIMIT = 10


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER")) or current_app.config.get("MAIL_BACKEND") != "smtp"


def message_kind(target: str) -> str:
    """``invitation`` for the first message, ``reminder`` for the others."""
    return "invitation" if target == "not_sent" else "reminder"


def recipients_query(round_: Round, target: str):
    """The invitations a send of ``target`` goes to, in the order of the authorities' names.

    - ``not_sent``: never emailed, or only failed (the first invitation); a message whose outcome
      is unknown counts as sent;
    - ``not_submitted``: every open invitation not yet submitted (a reminder);
    - ``missing_side``: those not submitted whose partner has (a reminder to the missing side).
    """
    query = open_invitations_query(round_)
    if target == "not_sent":
        reached = select(InvitationEmail.invitation_id).where(InvitationEmail.status.in_(REACHED))
        query = query.where(Invitation.id.not_in(reached))
    elif target == "missing_side":
        query = query.where(Invitation.partnership_id.is_not(None), missing_side_filter())
    return query


def recipient_counts(round_: Round) -> dict[str, int]:
    """How many invitations each kind of send would reach, counted in SQL."""
    return {target: db.session.scalar(select(func.count()).select_from(recipients_query(round_, target).subquery()))
            for target in TARGETS}


def without_address(round_: Round, limit: int = 100) -> list[Invitation]:
    """Open invitations that have no address: every send skips them (their links are in the CSV)."""
    return db.session.scalars(open_invitations_query(round_).where(Invitation.email.is_(None)).limit(limit)).all()


# --- Starting a send (in a view) ---------------------------------------------------------------------


def start_send(round_: Round, target: str, organiser: Organiser | None) -> tuple[Job, bool]:
    """Start a send of ``target`` as a job; COMMITS. Returns (the job, True), or (the send already
    under way for this round, False): two sends at once could both take the same invitation."""
    # The round's row is locked until the commit (PostgreSQL), so that two clicks start one send.
    db.session.scalar(select(Round.id).where(Round.id == round_.id).with_for_update())
    running = active_job(JOB_KIND, round_.id)
    if running is not None:
        db.session.rollback()
        return running, False
    # The links are those of the page the send was asked from, whatever machine runs the job.
    job = create_job(JOB_KIND, params={"target": target, "base_url": base_url()}, round_id=round_.id,
                     organiser_id=organiser.id if organiser else None)
    db.session.commit()
    send_job(job)
    return job, True


def last_send(round_: Round) -> Job | None:
    return db.session.scalar(select(Job).where(Job.kind == JOB_KIND, Job.round_id == round_.id)
                             .order_by(Job.id.desc()).limit(1))


# --- Writing the messages --------------------------------------------------------------------------


def message_id(job_id: int, invitation_id: int, base: str) -> str:
    """The Message-ID of one send's message to one invitation: the same for every attempt of it."""
    host = urlsplit(base).hostname or "localhost"
    return f"<evalapp.send-{job_id}.invitation-{invitation_id}@{host}>"


def compose(invitation: Invitation, kind: str, *, base: str | None = None, msgid: str | None = None) -> EmailMessage:
    """The message for one authority, in its language."""
    # en_GB, not en: English emails write dates as the English pages do (25 December 2026).
    with force_locale(LOCALES.get(invitation.authority.language, invitation.authority.language)):
        context = {"invitation": invitation, "url": invitation_url(invitation, base), "kind": kind}
        # A subject is one line: a line break typed in a title would make every message fail.
        title = " ".join(invitation.round.title.split())
        subject = (_("Reminder: %(title)s", title=title) if kind == "reminder"
                   else _("Invitation: %(title)s", title=title))
        body = render_template("email/invitation.txt", **context)
    return EmailMessage(subject=subject, body=body, to=[invitation.email],
                        headers={"Message-ID": msgid} if msgid else None)


@dataclass
class Outgoing:
    """One message ready to go: its envelope and bytes, or why it could not be written."""

    invitation_id: int
    recipient: str
    message_id: str
    message: EmailMessage | None = None
    sender: str = ""
    to: str = ""
    data: bytes = b""
    error: str | None = None


def _prepare(invitation: Invitation, kind: str, job_id: int, base: str) -> Outgoing:
    msgid = message_id(job_id, invitation.id, base)
    out = Outgoing(invitation.id, invitation.email, msgid)
    try:
        message = compose(invitation, kind, base=base, msgid=msgid)
        encoding = message.encoding or current_app.extensions["mailman"].default_charset
        out.message = message
        out.sender = sanitize_address(message.from_email, encoding)
        out.to = sanitize_address(invitation.email, encoding)
        out.data = message.message().as_bytes(linesep="\r\n")
    # An address the mail library cannot encode, or any other fault of this one message: it fails alone.
    except Exception as exc:  # noqa: BLE001
        out.error = _reason(exc)
    return out


def _reason(exc: BaseException) -> str:
    """Why a message failed, as the server said it ("550 5.1.1 mailbox unavailable"), or the error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, text = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, exc.smtp_error
    else:
        return f"{exc.__class__.__name__}: {exc}"[:1000]
    return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"[:1000]


# --- Talking to the server ---------------------------------------------------------------------------


class Unreachable(Exception):
    """The mail server could not be reached (or refused the login)."""


class OutcomeUnknown(Exception):
    """The message's final dot was sent, but no answer came (the connection broke, or timed out): the server
    may have taken it."""


class Outbox:
    """One connection to the mail server for a whole send, opened again after a failure.

    :meth:`deliver` calls ``record(end)`` once the server has everything of the message but the final
    dot (on the SMTP backend); ``record`` records the attempt and calls ``end``, which sends the dot,
    the moment its commit is on its way.
    """

    def __init__(self):
        self.backend = mail.get_connection(fail_silently=False)

    def deliver(self, out: Outgoing, record: Callable[[Callable[[], None]], None]) -> None:
        if not isinstance(self.backend, SMTPBackend):  # console, locmem: nothing to half-send
            record(lambda: self.backend.send_messages([out.message]))
            return
        try:
            if self.backend.open():
                # The message's data and its final dot go in two writes, a commit between them: without
                # this, Nagle's algorithm holds the dot until the server acknowledges the data (40 ms).
                self.backend.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (smtplib.SMTPException, OSError) as exc:
            self.drop()
            raise Unreachable(_reason(exc)) from exc
        smtp = self.backend.connection
        try:
            smtp.ehlo_or_helo_if_needed()
            code, reply = smtp.mail(out.sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, out.sender)
            code, reply = smtp.rcpt(out.to)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({out.to: (code, reply)})
            code, reply = smtp.docmd("data")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            # As smtplib's data(), without the final dot: dots opening a line are doubled.
            data = re.sub(rb"(?m)^\.", b"..", out.data)
            smtp.send(data if data.endswith(b"\r\n") else data + b"\r\n")
            record(lambda: smtp.send(b".\r\n"))
            try:
                code, reply = smtp.getreply()
            except OSError as exc:  # SMTPServerDisconnected, a timeout: the server may have the message
                raise OutcomeUnknown(_reason(exc)) from exc
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except BaseException:
            # Never end this message after a failure, above all one of recording it: without its dot
            # the server drops it.
            self.drop()
            raise

    def drop(self) -> None:
        """Close the connection without a word: a message not ended is dropped by the server."""
        connection = getattr(self.backend, "connection", None)
        if connection is not None:
            try:
                connection.close()
            except OSError:
                pass
            self.backend.connection = None

    def close(self) -> None:
        try:
            self.backend.close()
        except (smtplib.SMTPException, OSError):
            self.drop()


# --- The send, as a job -------------------------------------------------------------------------------


class Send:
    """The work of one send job: see the module's docstring. Writes through db.session; ``progress`` commits."""

    def __init__(self, job: Job, progress: Progress):
        # Plain values: the rows read here expire at each commit, and would be read again.
        self.job_id = job.id
        self.progress = progress
        self.round = db.session.get(Round, job.round_id) if job.round_id else None
        self.target = job.params.get("target")
        self.base = job.params.get("base_url") or base_url()
        #: Outcomes known but not yet written: written and committed with the next message's attempt.
        self.pending: list[tuple[str, dict]] = []
        self.unreachable = 0

    def run(self) -> dict:
        if self.round is None:
            raise JobError(_l("The round of this send no longer exists."))
        if self.target not in TARGETS:
            raise JobError(_l("Unknown kind of send: %(target)s.", target=self.target))
        if not mail_configured():
            raise JobError(_l("Email is not configured where this job ran (MAIL_SERVER): nothing was sent."))
        self._settle_interrupted()
        todo = self._todo()
        reached = self._reached()
        self.progress.set_total(reached + len(todo), "emails")
        self.progress.advance(reached)
        outbox = Outbox()
        try:
            for batch in _chunks(todo, BATCH_SIZE):
                for out in self._prepare(batch):
                    self._send(outbox, out)
        finally:
            outbox.close()
        self._write_pending()
        return self.result()

    def _settle_interrupted(self) -> None:
        """Mark ``unknown`` the attempts an earlier run of this send left ``sending``: the server may have them."""
        db.session.execute(update(InvitationEmail)
                           .where(InvitationEmail.job_id == self.job_id, InvitationEmail.status == EmailStatus.SENDING)
                           .values(status=EmailStatus.UNKNOWN)
                           .execution_options(synchronize_session=False))

    def _reached_by_this_send(self):
        return select(InvitationEmail.invitation_id).where(InvitationEmail.job_id == self.job_id,
                                                           InvitationEmail.status.in_(REACHED))

    def _reached(self) -> int:
        return db.session.scalar(select(func.count(distinct(InvitationEmail.invitation_id)))
                                 .where(InvitationEmail.job_id == self.job_id, InvitationEmail.status.in_(REACHED)))

    def _todo(self) -> list[int]:
        """The ids of the invitations with an address this send has still to reach, in order."""
        query = (recipients_query(self.round, self.target)
                 .where(Invitation.email.is_not(None), Invitation.id.not_in(self._reached_by_this_send()))
                 .with_only_columns(Invitation.id))
        return list(db.session.scalars(query))

    def _prepare(self, ids: list[int]) -> list[Outgoing]:
        invitations = db.session.scalars(open_invitations_query(self.round).where(Invitation.id.in_(ids))).all()
        kind = message_kind(self.target)
        # Only the messages are kept: the rows read go once unreferenced, so the session stays small.
        return [_prepare(invitation, kind, self.job_id, self.base) for invitation in invitations]

    def _send(self, outbox: Outbox, out: Outgoing) -> None:
        if out.error:
            self._failed(out, None, out.error)
            return
        attempt: list[int] = []

        def record(end):
            self._write_pending()
            attempt.append(db.session.scalar(insert(InvitationEmail).returning(InvitationEmail.id), {
                "invitation_id": out.invitation_id, "kind": message_kind(self.target), "recipient": out.recipient,
                "status": EmailStatus.SENDING, "job_id": self.job_id, "message_id": out.message_id,
                "sent_at": utcnow()}))
            self.progress.advance()
            self.progress.commit_then(end)

        try:
            outbox.deliver(out, record)
        except Unreachable as exc:
            self._failed(out, None, str(exc))
            self.unreachable += 1
            if self.unreachable >= UNREACHABLE_LIMIT:
                self._write_pending()
                self.progress.commit()
                raise JobError(_l("The mail server could not be reached %(count)s times in a row (%(error)s). "
                                  "The messages already sent will not be sent again: retry once the server is back.",
                                  count=UNREACHABLE_LIMIT, error=str(exc)), result=self.result()) from None
        except OutcomeUnknown as exc:
            self.unreachable = 0
            self.pending.append(("update", {"id": attempt[0], "status": EmailStatus.UNKNOWN, "error": str(exc)}))
        except (smtplib.SMTPException, OSError) as exc:
            self.unreachable = 0
            self._failed(out, attempt[0] if attempt else None, _reason(exc))
        else:
            self.unreachable = 0
            self.pending.append(("update", {"id": attempt[0], "status": EmailStatus.SENT, "error": None}))

    def _failed(self, out: Outgoing, attempt_id: int | None, error: str) -> None:
        if attempt_id is not None:
            self.pending.append(("update", {"id": attempt_id, "status": EmailStatus.FAILED, "error": error}))
            return
        self.pending.append(("insert", {
            "invitation_id": out.invitation_id, "kind": message_kind(self.target), "recipient": out.recipient,
            "status": EmailStatus.FAILED, "error": error, "job_id": self.job_id, "message_id": out.message_id,
            "sent_at": utcnow()}))
        self.progress.advance()

    def _write_pending(self) -> None:
        inserts = [values for how, values in self.pending if how == "insert"]
        updates = [values for how, values in self.pending if how == "update"]
        if inserts:
            db.session.execute(insert(InvitationEmail), inserts)
        for values in updates:
            db.session.execute(update(InvitationEmail).where(InvitationEmail.id == values["id"])
                               .values(status=values["status"], error=values["error"])
                               .execution_options(synchronize_session=False))
        self.pending.clear()

    def result(self) -> dict:
        """How many messages of this send went, failed (and never went), have an unknown outcome; who was skipped."""
        by_status = dict(db.session.execute(
            select(InvitationEmail.status, func.count(distinct(InvitationEmail.invitation_id)))
            .where(InvitationEmail.job_id == self.job_id).group_by(InvitationEmail.status)).all())
        failed = db.session.scalar(
            select(func.count(distinct(InvitationEmail.invitation_id)))
            .where(InvitationEmail.job_id == self.job_id, InvitationEmail.status == EmailStatus.FAILED,
                   InvitationEmail.invitation_id.not_in(self._reached_by_this_send())))
        skipped = db.session.scalar(select(func.count()).select_from(
            recipients_query(self.round, self.target).where(Invitation.email.is_(None)).subquery()))
        return {"target": self.target, "sent": by_status.get(EmailStatus.SENT, 0), "failed": failed,
                "unknown": by_status.get(EmailStatus.UNKNOWN, 0), "skipped": skipped}


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def failures(job: Job, limit: int = 200) -> list[InvitationEmail]:
    """The messages of a send that failed or whose outcome is unknown, for its page."""
    return db.session.scalars(
        select(InvitationEmail).where(InvitationEmail.job_id == job.id,
                                      InvitationEmail.status.in_([EmailStatus.FAILED, EmailStatus.UNKNOWN]))
        .order_by(InvitationEmail.id).limit(limit)).all()
