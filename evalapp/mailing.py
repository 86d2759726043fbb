"""Invitations and reminders by email, in each authority's language, every send recorded."""
from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMessage
from sqlalchemy import func, select

from evalapp.extensions import db, mail
from evalapp.i18n import LOCALES
from evalapp.invitations import invitation_url, open_invitations_query
from evalapp.models import Invitation, InvitationEmail, Round
from evalapp.rounds import missing_side_filter

#: Who a send goes to.
TARGETS = ("not_sent", "not_submitted", "missing_side")


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER")) or current_app.config.get("MAIL_BACKEND") != "smtp"


def recipients(round_: Round, target: str) -> list[Invitation]:
    """The invitations a send of ``target`` goes to (see :func:`recipients_query`)."""
    return db.session.scalars(recipients_query(round_, target)).all()


def recipient_counts(round_: Round) -> dict[str, int]:
    """How many invitations each kind of send would reach, counted in SQL."""
    return {target: db.session.scalar(select(func.count()).select_from(recipients_query(round_, target).subquery()))
            for target in TARGETS}


def recipients_query(round_: Round, target: str):
    """The invitations a send of ``target`` goes to.

    - ``not_sent``: never successfully emailed (the first invitation);
    - ``not_submitted``: every open invitation not yet submitted (a reminder);
    - ``missing_side``: those not submitted whose partner has (a reminder to the missing side).
    """
    query = open_invitations_query(round_)
    if target == "not_sent":
        sent = select(InvitationEmail.invitation_id).where(InvitationEmail.ok.is_(True))
        query = query.where(Invitation.id.not_in(sent))
    elif target == "missing_side":
        query = query.where(Invitation.partnership_id.is_not(None), missing_side_filter())
    return query


def compose(invitation: Invitation, kind: str) -> EmailMessage:
    """The message for one authority, in its language."""
    # en_GB, not en: English emails write dates as the English pages do (25 December 2026).
    with force_locale(LOCALES.get(invitation.authority.language, invitation.authority.language)):
        context = {"invitation": invitation, "url": invitation_url(invitation), "kind": kind}
        # A subject is one line: a line break typed in a title would make every message fail.
        title = " ".join(invitation.round.title.split())
        subject = (_("Reminder: %(title)s", title=title) if kind == "reminder"
                   else _("Invitation: %(title)s", title=title))
        body = render_template("email/invitation.txt", **context)
    return EmailMessage(subject=subject, body=body, to=[invitation.email])


@dataclass
class SendReport:
    sent: int = 0
    failed: list[tuple[Invitation, str]] = field(default_factory=list)
    without_email: list[Invitation] = field(default_factory=list)


def send(round_: Round, target: str) -> SendReport:
    """Email every recipient of ``target``; record each attempt, failed ones included. Flushes only."""
    kind = "invitation" if target == "not_sent" else "reminder"
    report = SendReport()
    connection = mail.get_connection(fail_silently=False)
    try:
        for invitation in recipients(round_, target):
            if not invitation.email:
                report.without_email.append(invitation)
                continue
            error = None
            try:
                connection.send_messages([compose(invitation, kind)])
            # Any failure of one message (SMTP, network, an address the mail library cannot encode)
            # is recorded and the batch goes on: a 500 would drop the records of messages already sent.
            except Exception as exc:  # noqa: BLE001
                error = f"{exc.__class__.__name__}: {exc}"[:1000]
                report.failed.append((invitation, error))
                # Start afresh after a failure: the connection may be broken.
                connection.close()
            else:
                report.sent += 1
            db.session.add(InvitationEmail(invitation=invitation, kind=kind, recipient=invitation.email,
                                           ok=error is None, error=error))
    finally:
        connection.close()
    db.session.flush()
    return report
