"""A draft questionnaire: its page, general settings, history, publishing and files.

    /o/drafts/<draft>                                  the draft: pages, questions, problems, history
    /o/drafts/<draft>/general                          title, welcome texts, themes, scales
    /o/drafts/<draft>/undo/<number>                    POST: back to an earlier save (as a new save)
    /o/drafts/<draft>/publish                          what publishing does, its problems; POST: validated as a
                                                       definition file, then frozen
    /o/drafts/<draft>/definition.yaml|texts.xlsx       downloads
    /o/drafts/<draft>/upload|texts                     POST: a definition file, or translated texts, into it

Its pages and questions are edited in draft_content_views.py, previewed in preview_views.py.

Every form on a draft carries the number of the save it was drawn on: a save made meanwhile by
someone else refuses it (409), with what was typed still in the form (``save``, ``moved_or_saved``).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_time, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from evalapp.extensions import db
from evalapp.i18n import current_lang
from evalapp.models import SIDE_LABELS, QuestionnaireDraft
from evalapp.organiser.blueprint import bp
from evalapp.organiser.editor_forms import (
    TYPE_LABELS,
    DraftForm,
    DraftUploadForm,
    GeneralForm,
    PreviewForm,
    TextsUploadForm,
)
from evalapp.organiser.questionnaire_views import uploaded_document, xlsx_download, yaml_download
from evalapp.questionnaires import drafts, editing, text_sheets
from evalapp.questionnaires.editing import EditError
from evalapp.questionnaires.loader import DefinitionError

# --- A draft ------------------------------------------------------------------------------------------

def draft_or_404(draft_id: int) -> QuestionnaireDraft:
    draft = drafts.visible_draft(current_user, draft_id)
    if draft is None:
        abort(404)
    return draft


def editable_or_404(draft_id: int) -> QuestionnaireDraft:
    draft = draft_or_404(draft_id)
    if draft.published_version_id is not None:
        flash(_("This draft is published: it can no longer change. Copy its version to start the next one."),
              "warning")
        abort(redirect(url_for(".draft_page", draft_id=draft.id), code=303))
    return draft


@bp.get("/drafts/<id:draft_id>")
def draft_page(draft_id):
    return render_template("organiser/draft.html", **_draft_context(draft_or_404(draft_id)))


def save(draft, form, document: dict, made: drafts.Change, template: str, anchor: str = "", **context):
    """Save ``document`` as the draft's next save and go back to the draft; or, when someone else saved
    it meanwhile, the form again (409) with what was typed and who saved when."""
    try:
        drafts.save(draft, document, form.based_on.data, current_user, made)
    except drafts.DraftMoved as moved:
        db.session.rollback()
        # Sent again, the form replaces that save: the organiser has seen it was there.
        form.based_on.data, form.based_on.raw_data = moved.latest.number, [str(moved.latest.number)]
        return render_template(template, draft=draft, form=form, moved=moved.latest, lang=current_lang(),
                               **context), 409
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".draft_page", draft_id=draft.id) + anchor, code=303)


def moved_or_saved(draft, document: dict, made: drafts.Change, anchor: str = "", done: str | None = None):
    """A button's change (move, duplicate, delete, undo): saved (saying ``done``, if given), or refused when the
    draft moved on."""
    form = DraftForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        drafts.save(draft, document, form.based_on.data, current_user, made)
    except drafts.DraftMoved as moved:
        return _unchanged(draft, moved)
    db.session.commit()
    if done:
        flash(done, "success")
    return redirect(url_for(".draft_page", draft_id=draft.id) + anchor, code=303)


def _unchanged(draft, moved: drafts.DraftMoved):
    """A button's change refused, someone having saved the draft after the page was drawn: back to the
    draft as it is now, saying who and when."""
    db.session.rollback()
    flash(_("Nothing was changed: %(who)s saved this draft at %(when)s, after you opened the page. "
            "Here it is as it is now.", **_who_and_when(moved)), "warning")
    return redirect(url_for(".draft_page", draft_id=draft.id), code=303)


def _who_and_when(moved: drafts.DraftMoved) -> dict:
    """Who saved the draft last, and when (the organisers' time, as on the pages)."""
    return {"who": moved.latest.saved_by.email, "when": format_time(moved.latest.saved_at, "HH:mm:ss")}


@bp.route("/drafts/<id:draft_id>/general", methods=["GET", "POST"])
def draft_general(draft_id):
    draft = editable_or_404(draft_id)
    latest = draft.latest
    document = latest.document
    form = GeneralForm()
    if request.method == "GET":
        form = GeneralForm(formdata=None, based_on=latest.number, estimated_minutes=document.get("estimated_minutes"),
                           themes=editing.lines_of(document.get("themes")),
                           scales=editing.scales_text(document.get("scales")),
                           **{f"{key}_{lang}": (document.get(key) or {}).get(lang, "")
                              for key in ("title", "intro", "intro_without_partnership") for lang in ("fr", "en")})
    elif form.validate_on_submit():
        try:
            fields = {"title": editing.text_of_fields(form.data, "title"), "intro": editing.text_of_fields(form.data, "intro"),
                      "intro_without_partnership": editing.text_of_fields(form.data, "intro_without_partnership"),
                      "estimated_minutes": form.estimated_minutes.data,
                      "themes": editing.parse_lines(form.themes.data, "themes"),
                      "scales": editing.parse_scales(form.scales.data or "")}
        except EditError as exc:
            form[exc.field].errors = [str(exc)]
        else:
            return save(draft, form, editing.replace_general(document, fields), drafts.change("general"),
                        "organiser/draft_general.html")
    return render_template("organiser/draft_general.html", draft=draft, form=form, moved=None,
                           lang=current_lang()), 200 if request.method == "GET" else 422


# --- History, publishing, files ------------------------------------------------------------------------

@bp.post("/drafts/<id:draft_id>/undo/<id:number>")
def undo_draft(draft_id, number):
    draft = editable_or_404(draft_id)
    form = DraftForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        drafts.undo_to(draft, number, form.based_on.data, current_user)
    except LookupError:
        abort(404)
    except drafts.DraftMoved as moved:
        return _unchanged(draft, moved)
    db.session.commit()
    flash(_("The draft is back as it was at save %(number)s.", number=number), "success")
    return redirect(url_for(".draft_page", draft_id=draft.id), code=303)


@bp.route("/drafts/<id:draft_id>/publish", methods=["GET", "POST"])
def publish_draft(draft_id):
    draft = editable_or_404(draft_id)
    if request.method == "GET":
        return _publishing_step(draft)
    form = DraftForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        version = drafts.publish(draft, form.based_on.data, current_user)
    except drafts.DraftMoved as moved:
        db.session.rollback()
        flash(_("Not published: %(who)s saved this draft at %(when)s, after you opened the page. Check it, then "
                "publish again.", **_who_and_when(moved)), "warning")
        return redirect(url_for(".draft_page", draft_id=draft.id), code=303)
    except DefinitionError:
        db.session.rollback()
        flash(_("Not published: the draft has problems, listed below."), "warning")
        return redirect(url_for(".draft_page", draft_id=draft.id), code=303)
    db.session.commit()
    flash(_("Published as version %(version)s: it can no longer change, and rounds may now use it.",
            version=version.version), "success")
    return redirect(url_for(".questionnaires"), code=303)


def _publishing_step(draft):
    """What publishing does, and the draft's problems if any: the step before publishing."""
    latest = draft.latest
    version = drafts.next_version_number(draft.code)
    return render_template("organiser/draft_publish.html", draft=draft, latest=latest, document=latest.document,
                           version=version, problems=drafts.check(latest.document, version).problems,
                           lang=current_lang())


@bp.get("/drafts/<id:draft_id>/definition.yaml")
def draft_yaml(draft_id):
    draft = draft_or_404(draft_id)
    document = draft.latest.document
    return yaml_download(document, f"{document.get('code', 'draft')}-draft-{draft.id}.yaml")


@bp.get("/drafts/<id:draft_id>/texts.xlsx")
def draft_texts(draft_id):
    draft = draft_or_404(draft_id)
    return xlsx_download(text_sheets.workbook(draft.latest.document), f"{draft.code}-draft-{draft.id}-texts.xlsx")


@bp.post("/drafts/<id:draft_id>/upload")
def upload_into_draft(draft_id):
    draft = editable_or_404(draft_id)
    form = DraftUploadForm()
    if form.validate_on_submit():
        document, problems = uploaded_document(form.definition_file.data)
        if not problems:
            return moved_or_saved(draft, document, drafts.change("uploaded", file=form.definition_file.data.filename),
                                  done=_("The file was read into the draft."))
        return _draft_with_errors(draft, upload_problems=problems)
    return _draft_with_errors(draft, upload_problems=[(None, " ".join(form.definition_file.errors))])


@bp.post("/drafts/<id:draft_id>/texts")
def upload_texts(draft_id):
    draft = editable_or_404(draft_id)
    form = TextsUploadForm()
    if form.validate_on_submit():
        try:
            translated = text_sheets.read(form.texts_file.data)
        except text_sheets.SheetError as exc:
            return _draft_with_errors(draft, texts_problems=[str(exc)])
        document, unknown = editing.with_texts(draft.latest.document, translated)
        if unknown:
            return _draft_with_errors(draft, texts_problems=[
                _("The spreadsheet names texts this draft does not have: %(places)s. Nothing was changed.",
                  places=", ".join(unknown[:20]))])
        given = len(set(editing.texts_of(document)) - set(editing.texts_of(draft.latest.document)))
        return moved_or_saved(draft, document, drafts.change("texts_uploaded"), anchor="#translated-texts",
                              done=ngettext("The spreadsheet was taken: %(num)s text changed.",
                                             "The spreadsheet was taken: %(num)s texts changed.", given))
    return _draft_with_errors(draft, texts_problems=form.texts_file.errors)


def _draft_with_errors(draft, **errors):
    return render_template("organiser/draft.html", **_draft_context(draft), **errors), 422


def _draft_context(draft) -> dict:
    latest = draft.latest
    version = drafts.next_version_number(draft.code)
    checked = drafts.check(latest.document, version)
    problems_by_item: dict = {}
    for code, message in checked.problems:
        problems_by_item.setdefault(code, []).append(message)
    # Published since this draft was copied: their changes are not in it.
    newer = version - 1 if draft.based_on and draft.published_version_id is None and \
        version - 1 > draft.based_on.version else None
    return dict(draft=draft, latest=latest, document=latest.document, version=version, problems=checked.problems,
                newer=newer,
                problems_by_item=problems_by_item, history=drafts.history(draft), summary_of=drafts.summary_of,
                condition_sentence=editing.condition_sentence,
                form=DraftForm(based_on=latest.number, formdata=None),
                upload_form=DraftUploadForm(based_on=latest.number, formdata=None),
                texts_form=TextsUploadForm(based_on=latest.number, formdata=None),
                preview_form=PreviewForm(formdata=None), lang=current_lang(), side_labels=SIDE_LABELS,
                type_labels=TYPE_LABELS)

