"""Invitations and reminders by email as jobs: the work is in :mod:`evalapp.mailing` (how each message
is sent once), started from a round's send page."""
from flask_babel import lazy_gettext as _l

from evalapp.i18n import ngettext
from evalapp.jobs.registry import kind
from evalapp.mailing import JOB_KIND, TARGETS, Send, failures
from evalapp.models import Job


def _describe(job: Job) -> str:
    return str(TARGETS.get(job.params.get("target"), job.params.get("target", "")))


def summary(result: dict) -> str:
    """Sent, failed, of unknown outcome, skipped: one sentence each, those that happened."""
    sent, failed, unknown, skipped = (result.get(key, 0) for key in ("sent", "failed", "unknown", "skipped"))
    lines = [ngettext("%(num)s message sent.", "%(num)s messages sent.", sent)]
    if failed:
        lines.append(ngettext("%(num)s message could not be sent; it is listed below with the reason.",
                              "%(num)s messages could not be sent; they are listed below with the reason.", failed))
    if unknown:
        lines.append(ngettext(
            "%(num)s message may or may not have reached the mail server: the send stopped, or the connection "
            "broke, before the server answered. It is not sent again; it is listed below.",
            "%(num)s messages may or may not have reached the mail server: the send stopped, or the connection "
            "broke, before the server answered. They are not sent again; they are listed below.", unknown))
    if skipped:
        lines.append(ngettext("%(num)s invitation has no email address and was skipped.",
                              "%(num)s invitations have no email address and were skipped.", skipped))
    return " ".join(lines)


def _summarise(job: Job) -> str:
    return summary(job.result or {})


@kind(JOB_KIND, label=_l("Emails"), unit="emails", describe=_describe, summarise=_summarise, details=failures)
def run_send(job: Job, progress) -> dict:
    """Send what is left of the send; see evalapp.mailing for how each message goes once."""
    return Send(job, progress).run()
