"""The directory of authorities and partnerships, shared by the organisers.

    /o/authorities                      list and search
    /o/authorities/new                  create
    /o/authorities/<id>/edit            edit
    /o/partnerships                     list
    /o/partnerships/new                 create
    /o/import                           import a CSV (checked first; all or nothing)
    /o/import/<kind>-template.csv       a template to fill in Excel
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from evalapp.directory import csv_import
from evalapp.directory.countries import countries_named_like, country_choices, country_code, country_name, fold
from evalapp.extensions import db
from evalapp.i18n import current_lang
from evalapp.models import AUTHORITY_TYPES, Authority, Partnership
from evalapp.organiser.blueprint import bp
from evalapp.organiser.forms import AuthorityForm, ImportForm, PartnershipForm, kind_choices
from evalapp.spreadsheets import csv_download

PAGE_SIZE = 100


@bp.get("/authorities")
def authorities():
    q = request.args.get("q", "").strip()
    kind = request.args.get("kind", "")
    query = select(Authority).order_by(Authority.sort_name)
    if q:
        # Accents and case do not matter; a country is found by its code or its name.
        conditions = [Authority.sort_name.contains(fold(q), autoescape=True),
                      func.lower(Authority.region).contains(q.lower(), autoescape=True)]
        codes = set(countries_named_like(q)) | ({country_code(q)} - {None})
        if codes:
            conditions.append(Authority.country.in_(codes))
        query = query.where(or_(*conditions))
    if kind:
        query = query.where(Authority.kind == kind)
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template("organiser/authorities.html", page=page, q=q, kind=kind, kinds=AUTHORITY_TYPES,
                           country_name=country_name)


def _authority_form(authority=None):
    form = AuthorityForm(obj=authority)
    form.kind.choices = kind_choices()
    form.country.choices = country_choices(current_lang())
    if request.method == "GET" and authority is None:
        form.country.data = "FR"
    return form


@bp.route("/authorities/new", methods=["GET", "POST"])
def new_authority():
    form = _authority_form()
    if form.validate_on_submit():
        authority = Authority()
        form.populate_obj(authority)
        db.session.add(authority)
        db.session.commit()
        flash(_("%(name)s is in the directory.", name=authority.name), "success")
        return redirect(url_for(".authorities"), code=303)
    return render_template("organiser/authority_form.html", form=form, authority=None)


@bp.route("/authorities/<int:authority_id>/edit", methods=["GET", "POST"])
def edit_authority(authority_id):
    authority = db.get_or_404(Authority, authority_id)
    form = _authority_form(authority)
    if form.validate_on_submit():
        form.populate_obj(authority)
        db.session.commit()
        flash(_("%(name)s is saved.", name=authority.name), "success")
        return redirect(url_for(".authorities"), code=303)
    return render_template("organiser/authority_form.html", form=form, authority=authority)


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
            partnership = Partnership()
            form.populate_obj(partnership)
            db.session.add(partnership)
            db.session.commit()
            flash(_("Partnership created."), "success")
            return redirect(url_for(".partnerships"), code=303)
    return render_template("organiser/partnership_form.html", form=form)


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        data = form.file.data.read()
        kind = form.kind.data
        check = csv_import.check_authorities if kind == "authorities" else csv_import.check_partnerships
        result = check(data)
        if result.ok and not form.check_only.data:
            write = csv_import.import_authorities if kind == "authorities" else csv_import.import_partnerships
            count = write(result)
            db.session.commit()
            flash(ngettext("%(num)s row imported (file read as %(encoding)s).",
                           "%(num)s rows imported (file read as %(encoding)s).", count, encoding=result.encoding),
                  "success")
            return redirect(url_for(".authorities" if kind == "authorities" else ".partnerships"), code=303)
        db.session.rollback()
    return render_template("organiser/import.html", form=form, result=result)


@bp.get("/import/<kind>-template.csv")
def import_template(kind):
    if kind not in csv_import.TEMPLATES:
        abort(404)
    text = csv_import.template_csv(kind, current_lang())
    return csv_download([text], f"evalapp-{kind}-template.csv")



