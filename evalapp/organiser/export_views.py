"""Exports of a round as CSV, Excel workbooks, SPSS and Stata files, and their log.

    /o/rounds/<id>/export           the options, the CSV buttons ("Excel", "analysis tools"), the workbook, SPSS
                                    and Stata buttons, the log; POST downloads the file at once, or, over
                                    EXPORT_JOB_THRESHOLD responses, starts a job and goes to its page (the
                                    file is downloaded from there)
"""
from datetime import date

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from evalapp.directory.countries import country_name
from evalapp.extensions import db
from evalapp.i18n import current_lang
from evalapp.jobs import send_job
from evalapp.jobs.exports import create_export_job, runs_as_job
from evalapp.models import EXPORT_CONTENT_TYPES, WIDE_ONLY_FORMATS, ExportFormat, ExportKind, ExportRecord
from evalapp.organiser.access import round_or_404
from evalapp.organiser.blueprint import bp
from evalapp.organiser.forms import ExportForm
from evalapp.reporting import export as exports
from evalapp.reporting.aggregate import Filters
from evalapp.spreadsheets import file_download


@bp.route("/rounds/<id:round_id>/export", methods=["GET", "POST"])
def export_page(round_id):
    round_ = round_or_404(round_id)
    form = ExportForm()
    if request.method == "GET":
        form.lang.data = current_lang()
    filters = Filters.from_args(request.values)
    preset = request.form.get("preset")
    if form.validate_on_submit() and _fits_its_format(form, preset):
        chosen = {"lang": form.lang.data, "filters": filters, "headers": form.headers.data, "values": form.values.data,
                  "partial": form.partial.data}
        if preset in (ExportFormat.XLSX, ExportFormat.SAV, ExportFormat.DTA):
            options = exports.ExportOptions(format=preset, **chosen)
        elif preset == "excel":
            options = exports.ExportOptions.excel(**chosen)
        elif preset == "analysis":
            options = exports.ExportOptions.analysis(**chosen)
        else:
            options = exports.ExportOptions(delimiter=form.delimiter.data, bom=form.bom.data, target=form.target.data,
                                            **chosen)
        kind = form.layout.data
        if runs_as_job(round_, kind, options):
            job = create_export_job(round_, kind, options, current_user.id)
            db.session.commit()
            send_job(job)
            return redirect(url_for(".job_page", job_id=job.id), code=303)
        entry = exports.record(round_, kind, options, current_user.id)
        db.session.commit()
        pieces = exports.export(round_, kind, options)
        return file_download(_logged_when_complete(pieces, entry.id),
                             exports.filename(round_, kind, date.today(), options), EXPORT_CONTENT_TYPES[options.format])
    log = db.session.scalars(select(ExportRecord).where(ExportRecord.round_id == round_.id)
                             .order_by(ExportRecord.id.desc()).limit(100)).all()
    lang = current_lang()
    filters_text = ", ".join(country_name(v, lang) if k == "country" else v for k, v in filters.as_args().items())
    return render_template("organiser/export.html", round=round_, form=form, filters=filters, log=log,
                           filters_text=filters_text, describe=exports.describe_options,
                           threshold=current_app.config["EXPORT_JOB_THRESHOLD"])


def _fits_its_format(form, preset: str | None) -> bool:
    """SPSS and Stata files hold the wide file only: say so at the choice of file."""
    if preset in WIDE_ONLY_FORMATS and form.layout.data != ExportKind.WIDE:
        form.layout.errors.append(_("SPSS and Stata files hold the wide file (one row per response): choose "
                                    "“Wide”, or a workbook or CSV for this file."))
        return False
    return True


def _logged_when_complete(pieces, record_id: int):
    """Stream the file, and log it complete only after its last piece was handed to the server: a download
    cut midway (the browser gone, the worker killed by its timeout) never reaches this line."""
    yield from pieces
    exports.mark_complete(record_id)
    db.session.commit()
