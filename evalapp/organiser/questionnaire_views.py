"""Questionnaires: their published versions, and new drafts (the editor is in draft_views.py and
draft_content_views.py, the preview in preview_views.py).

    /o/questionnaires                                  versions; my drafts; start or upload one
    /o/questionnaires/new                              POST: a new questionnaire, as a draft
    /o/questionnaires/upload                           POST: a definition file, as a draft
    /o/questionnaires/<version>/copy                   POST: a draft of the next version (codes kept)
    /o/questionnaires/<version>/withdraw|offer         POST: withdrawn from new rounds, or offered again
    /o/questionnaires/<version>/definition.yaml        the version as a definition file
    /o/questionnaires/<version>/texts.xlsx             its texts, for a translator
"""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.i18n import current_lang
from evalapp.models import QuestionnaireVersion
from evalapp.organiser.blueprint import bp
from evalapp.organiser.editor_forms import DefinitionUploadForm, NewQuestionnaireForm
from evalapp.questionnaires import drafts, editing, text_sheets
from evalapp.questionnaires.loader import DefinitionError, parse_text

# --- Versions ----------------------------------------------------------------------------------------

@bp.get("/questionnaires", endpoint="questionnaires")
def questionnaires_page():
    return _questionnaires_page(NewQuestionnaireForm(formdata=None), DefinitionUploadForm(formdata=None))


def _questionnaires_page(new_form, upload_form, upload_problems=(), status=200):
    versions = db.session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.code,
                                                                        QuestionnaireVersion.version.desc())).all()
    return render_template("organiser/questionnaires.html", versions=versions,
                           drafts=db.session.scalars(drafts.visible_drafts(current_user)).all(),
                           new_form=new_form, upload_form=upload_form, upload_problems=list(upload_problems),
                           withdrawn=drafts.withdrawn_ids(), lang=current_lang()), status


def _version_or_404(version_id: int) -> QuestionnaireVersion:
    version = db.session.get(QuestionnaireVersion, version_id)
    if version is None:
        abort(404)
    return version


@bp.post("/questionnaires/new")
def new_questionnaire():
    form = NewQuestionnaireForm()
    if form.validate_on_submit():
        if drafts.code_taken(form.code.data):
            form.code.errors = [_("A questionnaire has this code already: copy its latest version instead.")]
        else:
            draft = drafts.start(current_user, editing.new_document(form.code.data, form.title_fr.data,
                                                                    form.title_en.data))
            db.session.commit()
            return redirect(url_for(".draft_page", draft_id=draft.id), code=303)
    return _questionnaires_page(form, DefinitionUploadForm(formdata=None), status=422)


@bp.post("/questionnaires/upload")
def upload_questionnaire():
    form = DefinitionUploadForm()
    problems = []
    if form.validate_on_submit():
        document, problems = uploaded_document(form.file.data)
        if not problems:
            draft = drafts.start(current_user, document, made=drafts.change("uploaded", file=form.file.data.filename))
            db.session.commit()
            flash(_("The file was read into a new draft."), "success")
            return redirect(url_for(".draft_page", draft_id=draft.id), code=303)
        form.file.errors = [_("The file was not taken:")]
    return _questionnaires_page(NewQuestionnaireForm(formdata=None), form, problems, status=422)


def uploaded_document(file) -> tuple[dict | None, list]:
    """The document of an uploaded definition file, and the problems that keep it from being a draft (those a
    draft may hold, an English still to come, are listed on the draft until it is published)."""
    name = file.filename or "upload.yaml"
    try:
        text = file.read(5_000_000).decode("utf-8")
    except UnicodeDecodeError:
        return None, [(None, _("The file is not UTF-8 text."))]
    try:
        document = parse_text(text, name)
    except DefinitionError as exc:
        return None, exc.problems
    refused = drafts.refusals(document)
    return (None, refused) if refused else (document, [])


@bp.post("/questionnaires/<id:version_id>/copy")
def copy_version(version_id):
    version = _version_or_404(version_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    draft = drafts.start_new_version(current_user, version)
    db.session.commit()
    flash(_("A draft of the next version, copied from v%(version)s: its codes are kept.", version=version.version),
          "success")
    return redirect(url_for(".draft_page", draft_id=draft.id), code=303)


@bp.post("/questionnaires/<id:version_id>/withdraw")
def withdraw_version(version_id):
    version = _version_or_404(version_id)
    if FlaskForm().validate_on_submit():
        drafts.withdraw(version, current_user)
        db.session.commit()
        flash(_("This version is no longer offered to new rounds. Its rounds go on."), "success")
    return redirect(url_for(".questionnaires"), code=303)


@bp.post("/questionnaires/<id:version_id>/offer")
def offer_version(version_id):
    version = _version_or_404(version_id)
    if FlaskForm().validate_on_submit():
        drafts.offer_again(version)
        db.session.commit()
        flash(_("This version is offered to new rounds again."), "success")
    return redirect(url_for(".questionnaires"), code=303)


def yaml_download(document: dict, name: str) -> Response:
    return Response(editing.to_yaml(document), mimetype="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def xlsx_download(content: bytes, name: str) -> Response:
    return Response(content, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/questionnaires/<id:version_id>/definition.yaml")
def version_yaml(version_id):
    version = _version_or_404(version_id)
    return yaml_download(version.definition, f"{version.code}-v{version.version}.yaml")


@bp.get("/questionnaires/<id:version_id>/texts.xlsx")
def version_texts(version_id):
    version = _version_or_404(version_id)
    return xlsx_download(text_sheets.workbook(version.definition), f"{version.code}-v{version.version}-texts.xlsx")

