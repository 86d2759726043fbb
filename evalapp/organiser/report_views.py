"""Reports to print or send: the round's, and each partnership's, in French or English.

    /o/rounds/<id>/report?lang=en                       findings, then the detail, on A4 pages
    /o/rounds/<id>/report/pdf               (POST)  the same, printed to a PDF file by a job
    /o/rounds/<id>/report/options                       its sections, introduction and conclusion
    /o/rounds/<id>/partnerships/<pid>/report?lang=en    one partnership, for both partners

``lang`` picks the report's language whatever the interface's (a report goes to a partner in theirs).
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from evalapp import jobs
from evalapp.extensions import db
from evalapp.i18n import asked_language, in_language
from evalapp.jobs import report_pdfs
from evalapp.organiser.access import round_or_404
from evalapp.organiser.blueprint import bp
from evalapp.organiser.dashboard_views import _context, _filters_text, _side_text
from evalapp.organiser.forms import REPORT_TEXT_MAX, ReportOptionsForm
from evalapp.questionnaires.loader import definition_of
from evalapp.reporting import findings, gaps, partnership_report
from evalapp.reporting import report as round_report
from evalapp.reporting.aggregate import Filters
from evalapp.rounds import visible_rounds


def _own_words(texts: dict | None, lang: str) -> str:
    return (texts or {}).get(lang) or ""


@bp.get("/rounds/<id:round_id>/report")
def report(round_id):
    round_ = round_or_404(round_id)
    lang = asked_language()
    with in_language(lang):
        ctx = _context(round_)
        definition, min_n = ctx["definition"], ctx["min_n"]
        previous = findings.previous_round(round_, db.session.scalars(visible_rounds(current_user)))
        found = findings.round_findings(round_, definition, lang, min_n, previous, round_.report_stories_anonymous)
        kept = round_report.kept_sections(round_, definition)
        sections = round_report.detail_sections(round_, definition, lang, ctx["filters"], min_n,
                                          lambda day: format_date(day, "d MMM y"), _side_text(lang), kept)
        return render_template("organiser/report.html", findings=found, sections=sections, previous=previous,
                               intro=_own_words(round_.report_intro, lang),
                               conclusion=_own_words(round_.report_conclusion, lang),
                               gap_legend=gaps.legend(definition), filters_text=_filters_text(ctx),
                               report_lang=lang, **ctx)


@bp.post("/rounds/<id:round_id>/report/pdf")
def report_pdf(round_id):
    """Print the report (its language and filters) to a PDF file on the server, as a job."""
    round_ = round_or_404(round_id)
    params = {"lang": asked_language(), **Filters.from_args(request.args).as_args()}
    job = jobs.start_job(report_pdfs.JOB_KIND, params=params, round_id=round_.id, organiser_id=current_user.id)
    return redirect(url_for(".job_page", job_id=job.id), code=303)


@bp.route("/rounds/<id:round_id>/report/options", methods=["GET", "POST"])
def report_options(round_id):
    round_ = round_or_404(round_id)
    definition = definition_of(round_.questionnaire_version)
    form = ReportOptionsForm()
    labels = round_report.section_labels(definition, asked_language())
    form.sections.choices = list(labels.items())
    if form.validate_on_submit():
        round_.report_left_out = [code for code in labels if code not in form.sections.data]
        round_.report_intro = {lang: (form[f"intro_{lang}"].data or "").strip() for lang in ("fr", "en")}
        round_.report_conclusion = {lang: (form[f"conclusion_{lang}"].data or "").strip() for lang in ("fr", "en")}
        round_.report_stories_anonymous = form.stories_anonymous.data
        db.session.commit()
        flash(_("Report options saved."), "success")
        return redirect(url_for(".report_options", round_id=round_.id), code=303)
    if not form.is_submitted():
        form.sections.data = round_report.kept_sections(round_, definition)
        for lang in ("fr", "en"):
            form[f"intro_{lang}"].data = _own_words(round_.report_intro, lang)
            form[f"conclusion_{lang}"].data = _own_words(round_.report_conclusion, lang)
        form.stories_anonymous.data = round_.report_stories_anonymous
    return render_template("organiser/report_options.html", round=round_, form=form, text_max=REPORT_TEXT_MAX)


@bp.get("/rounds/<id:round_id>/partnerships/<id:partnership_id>/report")
def partnership_report_page(round_id, partnership_id):
    round_ = round_or_404(round_id)
    comparison = partnership_report.find(round_, partnership_id)
    if comparison is None:
        abort(404)
    lang = asked_language()
    with in_language(lang):
        definition = definition_of(round_.questionnaire_version)
        shown = partnership_report.build(round_, comparison, definition, lang, _("don't know"))
        return render_template("organiser/partnership_report.html", round=round_, report=shown,
                               definition=definition, report_lang=lang)
