"""A round's report as a PDF file, printed on the server by Chromium (evalapp/reporting/pdf.py).

It draws the report page as the organiser who asked would see it (their rounds, the language and the
filters asked), in a request of its own, then prints it: a few seconds to a minute, so a job, whose
file is then downloaded from the job's page. Without Chromium the job fails and says so; the
browser's own Print of the report page does the same."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import login_user

from evalapp.extensions import db
from evalapp.jobs.registry import kind
from evalapp.jobs.runner import JobError
from evalapp.models import Job, Organiser, Round
from evalapp.reporting import pdf

JOB_KIND = "report_pdf"


@kind(JOB_KIND, label=_l("Report as a PDF file"), unit="steps")
def run_report_pdf(job: Job, progress) -> dict:
    """Draw the report page, print it, store the file (a retry prints it again)."""
    if pdf.chromium_path() is None:
        raise JobError(_l("No Chromium is installed on the server (%(path)s), so it cannot make PDF files: install "
                          "Debian's chromium package, or print the report from your browser (Ctrl+P).",
                          path=current_app.config["CHROMIUM"]))
    round_ = db.session.get(Round, job.round_id)
    organiser = db.session.get(Organiser, job.organiser_id)
    progress.set_total(2, "steps")
    from evalapp.organiser.report_views import report  # the view, drawn here as the organiser sees it

    query = {k: v for k, v in (job.params or {}).items() if k in ("lang", "kind", "country", "region", "side")}
    with current_app.test_request_context(f"/o/rounds/{round_.id}/report", query_string=query):
        login_user(organiser)
        html = report(round_.id)
    progress.advance()
    try:
        content = pdf.print_to_pdf(html)
    except pdf.PdfError as exc:
        raise JobError(_l("Chromium could not print the report: %(error)s", error=str(exc))) from None
    name = f"evalapp-round-{round_.id}-report-{query.get('lang', 'fr')}.pdf"
    with progress.file(name, "application/pdf") as out:
        out.write(content)
    progress.advance()
    return {"file": name, "bytes": len(content)}
