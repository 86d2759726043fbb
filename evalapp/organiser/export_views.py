"""Exports of a round as CSV, and their log.

    /o/rounds/<id>/export           the options, the "Excel" and "analysis tools" buttons, the log; POST downloads
"""
from datetime import date

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from evalapp.directory.countries import country_name
from evalapp.extensions import db
from evalapp.i18n import current_lang
from evalapp.models import ExportRecord
from evalapp.organiser.access import round_or_404
from evalapp.organiser.blueprint import bp
from evalapp.organiser.forms import ExportForm
from evalapp.reporting import export as exports
from evalapp.reporting.aggregate import Filters
from evalapp.spreadsheets import csv_download


@bp.route("/rounds/<id:round_id>/export", methods=["GET", "POST"])
def export_page(round_id):
    round_ = round_or_404(round_id)
    form = ExportForm()
    if request.method == "GET":
        form.lang.data = current_lang()
    filters = Filters.from_args(request.values)
    if form.validate_on_submit():
        chosen = {"lang": form.lang.data, "filters": filters, "headers": form.headers.data, "values": form.values.data,
                  "partial": form.partial.data}
        preset = request.form.get("preset")
        if preset == "excel":
            options = exports.ExportOptions.excel(**chosen)
        elif preset == "analysis":
            options = exports.ExportOptions.analysis(**chosen)
        else:
            options = exports.ExportOptions(delimiter=form.delimiter.data, bom=form.bom.data, target=form.target.data,
                                            **chosen)
        kind = form.layout.data
        exports.record(round_, kind, options, current_user.id)
        db.session.commit()
        return csv_download(exports.export(round_, kind, options), exports.filename(round_, kind, date.today(), options))
    log = db.session.scalars(select(ExportRecord).where(ExportRecord.round_id == round_.id)
                             .order_by(ExportRecord.id.desc()).limit(100)).all()
    lang = current_lang()
    filters_text = ", ".join(country_name(v, lang) if k == "country" else v for k, v in filters.as_args().items())
    return render_template("organiser/export.html", round=round_, form=form, filters=filters, log=log,
                           filters_text=filters_text, describe=describe_options)


def describe_options(options: dict) -> str:
    """An export's options as the log shows them: "for a spreadsheet, semicolon, BOM, labels (en), filters: country FR"."""
    # Exports logged before there were two kinds of file were all for a spreadsheet.
    parts = [_("for analysis tools") if options.get("target") == "analysis" else _("for a spreadsheet")]
    parts.append(_("semicolon") if options.get("delimiter") == ";" else _("comma"))
    if options.get("bom"):
        parts.append("BOM")
    parts.append(_("question text") if options.get("headers") == "text" else _("item codes"))
    parts.append((_("labels") if options.get("values") == "labels" else _("codes")) + f" ({options.get('lang', 'fr')})")
    if options.get("partial"):
        parts.append(_("with responses in progress"))
    if options.get("filters"):
        parts.append(_("filters:") + " " + ", ".join(f"{k} {v}" for k, v in options["filters"].items()))
    return ", ".join(parts)
