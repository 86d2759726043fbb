"""The directory of authorities and partnerships, shared by the organisers.

    /o/authorities                      list and search
    /o/authorities/new                  create
    /o/authorities/<id>/edit            edit, and its history
    /o/partnerships                     list
    /o/partnerships/new                 create
    /o/import                           import a CSV (checked first; all or nothing); a large one as a job
    /o/import/<kind>-template.csv       a template to fill in Excel
    /o/directory/changes                who changed what, and when (?authority=<id>: one authority's)
"""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from evalapp.directory import csv_import, history, operations
from evalapp.directory.countries import country_choices, country_name
from evalapp.directory.search import authority_search
from evalapp.extensions import db
from evalapp.i18n import current_lang, ngettext
from evalapp.jobs import send_job
from evalapp.jobs.imports import JOB_KIND, create_import_job, runs_as_job
from evalapp.models import AUTHORITY_TYPES, DIRECTORY_ACTIONS, Authority, Job, Partnership
from evalapp.organiser.blueprint import bp
from evalapp.organiser.forms import AuthorityForm, ImportForm, PartnershipForm, kind_choices
from evalapp.organiser.job_views import job_helpers
from evalapp.spreadsheets import csv_download
from evalapp.urls import paginate, whole_number

PAGE_SIZE = 100
#: The latest changes shown on an authority's page; the rest are a link away.
HISTORY_SIZE = 20


@bp.get("/authorities")
def authorities():
    q = request.args.get("q", "").strip()
    kind = request.args.get("kind", "")
    page = paginate(authority_search(q, kind), per_page=PAGE_SIZE)
    return render_template("organiser/authorities.html", page=page, q=q, kind=kind, kinds=AUTHORITY_TYPES,
                           country_name=country_name)


def _authority_form(authority=None):
    form = AuthorityForm(obj=authority)
    form.kind.choices = kind_choices()
    form.country.choices = country_choices(current_lang())
    if request.method == "GET" and authority is None:
        form.country.data = "FR"
    return form


def _authority_values(form) -> dict:
    """The form's fields as the directory keeps them: an empty text is no value."""
    return {name: None if form[name].data == "" else form[name].data for name in history.AUTHORITY_FIELDS}


def _history_helpers() -> dict:
    return {"actions": DIRECTORY_ACTIONS, "field_label": history.field_label, "shown_value": history.shown_value}


@bp.route("/authorities/new", methods=["GET", "POST"])
def new_authority():
    form = _authority_form()
    if form.validate_on_submit():
        authority = operations.create_authority(_authority_values(form), current_user)
        db.session.commit()
        flash(_("%(name)s is in the directory.", name=authority.name), "success")
        return redirect(url_for(".authorities"), code=303)
    return render_template("organiser/authority_form.html", form=form, authority=None)


@bp.route("/authorities/<id:authority_id>/edit", methods=["GET", "POST"])
def edit_authority(authority_id):
    authority = db.get_or_404(Authority, authority_id)
    form = _authority_form(authority)
    if form.validate_on_submit():
        readdressed = operations.update_authority(authority, _authority_values(form), current_user)
        db.session.commit()
        flash(_("%(name)s is saved.", name=authority.name), "success")
        if readdressed and readdressed.followed:
            flash(ngettext("The new address is used in your rounds: %(num)s invitation not yet submitted now uses it.",
                           "The new address is used in your rounds: %(num)s invitations not yet submitted now use it.",
                           readdressed.followed), "success")
        if readdressed:
            # Said whether or not there are any: how many would tell of rounds the editor cannot see.
            flash(_("Invitations of rounds you do not organise, if any, keep the address their organisers chose; "
                    "they see your change on their round's page."), "warning")
        return redirect(url_for(".authorities"), code=303)
    changes = db.session.scalars(history.changes_query(authority.id).limit(HISTORY_SIZE + 1)).all()
    return render_template("organiser/authority_form.html", form=form, authority=authority,
                           changes=changes[:HISTORY_SIZE], more_changes=len(changes) > HISTORY_SIZE,
                           **_history_helpers())


@bp.get("/partnerships")
def partnerships():
    listed = db.session.scalars(
        select(Partnership).order_by(Partnership.id)
        .options(selectinload(Partnership.home_authority), selectinload(Partnership.partner_authority))
    ).all()
    return render_template("organiser/partnerships.html", partnerships=listed, country_name=country_name)


@bp.route("/partnerships/new", methods=["GET", "POST"])
def new_partnership():
    form = PartnershipForm()
    lang = current_lang()
    choices = [(a.id, f"{a.name} ({country_name(a.country, lang)})")
               for a in db.session.scalars(select(Authority).order_by(Authority.sort_name))]
    form.home_authority_id.choices = form.partner_authority_id.choices = choices
    if form.validate_on_submit():
        pair = (form.home_authority_id.data, form.partner_authority_id.data)
        exists = db.session.scalar(select(Partnership.id).where(
            Partnership.home_authority_id == pair[0], Partnership.partner_authority_id == pair[1]))
        if exists:
            form.partner_authority_id.errors = [_("This partnership is already in the directory.")]
        else:
            values = {"home_authority_id": pair[0], "partner_authority_id": pair[1],
                      "start_year": form.start_year.data, "name": form.name.data or None}
            operations.create_partnership(values, current_user)
            db.session.commit()
            flash(_("Partnership created."), "success")
            return redirect(url_for(".partnerships"), code=303)
    return render_template("organiser/partnership_form.html", form=form)


@bp.url_value_preprocessor
def _national_directories_fit(endpoint, values):
    """The import page takes files up to IMPORT_MAX_MB (a national directory); every other request stays
    under MAX_CONTENT_LENGTH. Set here, the first hook of a request: CSRF reads the form before any view."""
    if endpoint == "organiser.import_csv":
        request.max_content_length = int(current_app.config["IMPORT_MAX_MB"] * 1024 * 1024)


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        kind, upload = form.kind.data, form.file.data
        if runs_as_job(upload.stream):
            job = create_import_job(kind, upload.filename or "", upload.stream, form.check_only.data, current_lang(),
                                    current_user)
            db.session.commit()
            send_job(job)
            return redirect(url_for(".job_page", job_id=job.id), code=303)
        data = upload.read()
        check, write = csv_import.IMPORTS[kind]
        result = check(data)
        if result.ok and not form.check_only.data:
            count = write(data, current_user)
            db.session.commit()
            flash(ngettext("%(num)s row imported (file read as %(encoding)s).",
                           "%(num)s rows imported (file read as %(encoding)s).", count, encoding=result.encoding),
                  "success")
            return redirect(url_for(".authorities" if kind == "authorities" else ".partnerships"), code=303)
        db.session.rollback()
    return render_template("organiser/import.html", form=form, result=result, jobs=_import_jobs(),
                           threshold=current_app.config["IMPORT_JOB_THRESHOLD"], **job_helpers())


def _import_jobs(limit: int = 20) -> list[Job]:
    """The last imports run as jobs that the organiser may open: their own, or everyone's for administrators."""
    query = select(Job).where(Job.kind == JOB_KIND).order_by(Job.id.desc()).limit(limit)
    if not current_user.is_admin:
        query = query.where(Job.organiser_id == current_user.id)
    return db.session.scalars(query).all()


@bp.get("/import/<kind>-template.csv")
def import_template(kind):
    if kind not in csv_import.TEMPLATES:
        abort(404)
    text = csv_import.template_csv(kind, current_lang())
    return csv_download([text], f"evalapp-{kind}-template.csv")


@bp.get("/directory/changes")
def directory_changes():
    authority = None
    authority_id = None
    if "authority" in request.args:
        authority_id = whole_number(request.args["authority"])
        authority = db.get_or_404(Authority, authority_id) if authority_id else abort(404)
    page = paginate(history.changes_query(authority_id), per_page=PAGE_SIZE)
    return render_template("organiser/directory_changes.html", page=page, authority=authority,
                           **_history_helpers())
