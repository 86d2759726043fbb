"""Questionnaires written in the browser: versions, drafts and their editor.

    /o/questionnaires                                  versions; my drafts; start or upload one
    /o/questionnaires/new                              POST: a new questionnaire, as a draft
    /o/questionnaires/upload                           POST: a definition file, as a draft
    /o/questionnaires/<version>/copy                   POST: a draft of the next version (codes kept)
    /o/questionnaires/<version>/withdraw|offer         POST: withdrawn from new rounds, or offered again
    /o/questionnaires/<version>/definition.yaml        the version as a definition file
    /o/questionnaires/<version>/texts.xlsx             its texts, for a translator
    /o/drafts/<draft>                                  the draft: pages, questions, problems, history
    /o/drafts/<draft>/general                          title, welcome texts, themes, scales
    /o/drafts/<draft>/sections/new                     a new page
    /o/drafts/<draft>/sections/<section>                  a page's title, introduction, sides, condition
    /o/drafts/<draft>/sections/<section_code>/move|delete      POST
    /o/drafts/<draft>/sections/<section_code>/items/new        a new question on the page
    /o/drafts/<draft>/items/<item>                     a question
    /o/drafts/<draft>/items/<item_code>/move|duplicate|delete  POST
    /o/drafts/<draft>/undo/<number>                    POST: back to an earlier save (as a new save)
    /o/drafts/<draft>/publish                          what publishing does, its problems; POST: validated as a
                                                       definition file, then frozen
    /o/drafts/<draft>/definition.yaml|texts.xlsx       downloads
    /o/drafts/<draft>/upload|texts                     POST: a definition file, or translated texts, into it
    /o/drafts/<draft>/preview                          a page as the respondent sees it (preview_views.py)

Every form on a draft carries the number of the save it was drawn on: a save made meanwhile by
someone else refuses it (409), with what was typed still in the form.
"""

import pydantic
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_time, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.i18n import current_lang
from evalapp.models import SIDE_LABELS, SIDES, QuestionnaireDraft, QuestionnaireVersion, Side
from evalapp.organiser.blueprint import bp
from evalapp.organiser.editor_forms import (
    TYPE_LABELS,
    DefinitionUploadForm,
    DraftForm,
    DraftUploadForm,
    GeneralForm,
    ItemForm,
    NewQuestionnaireForm,
    NewSectionForm,
    PreviewForm,
    SectionForm,
    TextsUploadForm,
)
from evalapp.questionnaires import condition_rules, drafts, editing, text_sheets
from evalapp.questionnaires import problems as definition_problems
from evalapp.questionnaires.definition import Item
from evalapp.questionnaires.editing import EditError
from evalapp.questionnaires.loader import DefinitionError, parse_text

YAML_TYPE = "application/yaml; charset=utf-8"


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
        document, problems = _uploaded_document(form.file.data)
        if not problems:
            draft = drafts.start(current_user, document, made=drafts.change("uploaded", file=form.file.data.filename))
            db.session.commit()
            flash(_("The file was read into a new draft."), "success")
            return redirect(url_for(".draft_page", draft_id=draft.id), code=303)
        form.file.errors = [_("The file was not taken:")]
    return _questionnaires_page(NewQuestionnaireForm(formdata=None), form, problems, status=422)


def _uploaded_document(file) -> tuple[dict | None, list]:
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


def _yaml_download(document: dict, name: str) -> Response:
    return Response(editing.to_yaml(document), mimetype="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _xlsx_download(content: bytes, name: str) -> Response:
    return Response(content, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/questionnaires/<id:version_id>/definition.yaml")
def version_yaml(version_id):
    version = _version_or_404(version_id)
    return _yaml_download(version.definition, f"{version.code}-v{version.version}.yaml")


@bp.get("/questionnaires/<id:version_id>/texts.xlsx")
def version_texts(version_id):
    version = _version_or_404(version_id)
    return _xlsx_download(text_sheets.workbook(version.definition), f"{version.code}-v{version.version}-texts.xlsx")


# --- A draft ------------------------------------------------------------------------------------------

def draft_or_404(draft_id: int) -> QuestionnaireDraft:
    draft = drafts.visible_draft(current_user, draft_id)
    if draft is None:
        abort(404)
    return draft


def _editable_or_404(draft_id: int) -> QuestionnaireDraft:
    draft = draft_or_404(draft_id)
    if draft.published_version_id is not None:
        flash(_("This draft is published: it can no longer change. Copy its version to start the next one."),
              "warning")
        abort(redirect(url_for(".draft_page", draft_id=draft.id), code=303))
    return draft


@bp.get("/drafts/<id:draft_id>")
def draft_page(draft_id):
    return render_template("organiser/draft.html", **_draft_context(draft_or_404(draft_id)))


def _save(draft, form, document: dict, made: drafts.Change, template: str, anchor: str = "", **context):
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


def _moved_or_saved(draft, document: dict, made: drafts.Change, anchor: str = "", done: str | None = None):
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
    draft = _editable_or_404(draft_id)
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
            return _save(draft, form, editing.replace_general(document, fields), drafts.change("general"),
                         "organiser/draft_general.html")
    return render_template("organiser/draft_general.html", draft=draft, form=form, moved=None,
                           lang=current_lang()), 200 if request.method == "GET" else 422


# --- Pages --------------------------------------------------------------------------------------------

def _section_or_404(document: dict, code: str) -> dict:
    section = editing.section_of(document, code)
    if section is None:
        abort(404)
    return section


@bp.route("/drafts/<id:draft_id>/sections/<section_code>", methods=["GET", "POST"])
def draft_section(draft_id, section_code):
    code = section_code
    draft = _editable_or_404(draft_id)
    latest = draft.latest
    section = _section_or_404(latest.document, code)
    questions = condition_rules.questions_before(latest.document, current_lang(), section=code)
    form = SectionForm()
    if request.method == "GET":
        sides = section.get("sides") or list(SIDES)
        builder = condition_rules.Builder.of(section.get("when"), questions)
        form = SectionForm(formdata=None, based_on=latest.number, code=section.get("code"), when=builder.text,
                           side_home=Side.HOME in sides, side_partner=Side.PARTNER in sides,
                           **{f"{key}_{lang}": (section.get(key) or {}).get(lang, "")
                              for key in ("title", "intro") for lang in ("fr", "en")})
        return render_template("organiser/draft_section.html", draft=draft, form=form, section=section, moved=None,
                               builder=builder, lang=current_lang())
    builder = condition_rules.Builder.posted(request.form, questions)
    if request.form.get("builder"):
        return _builder_step(form, "organiser/draft_section.html", builder, draft=draft, section=section)
    valid = form.validate_on_submit()
    when = _condition_posted(builder, form)
    if valid and when is not REFUSED:
        try:
            fields = {"code": form.code.data, "title": editing.text_of_fields(form.data, "title"),
                      "intro": editing.text_of_fields(form.data, "intro"),
                      "sides": editing.sides_or_default([s for s in SIDES if form[f"side_{s}"].data]),
                      "when": when}
            document = editing.replace_section(latest.document, code, fields)
            refused = condition_rules.refusals(document, when, section=form.code.data)
            if refused:
                raise EditError(" ".join(refused), "when")
        except EditError as exc:
            form[exc.field or "code"].errors = [str(exc)]
        else:
            return _save(draft, form, document, drafts.change("page_changed", code=form.code.data),
                         "organiser/draft_section.html",
                         anchor=f"#section-{form.code.data}", section=section, builder=builder)
    return render_template("organiser/draft_section.html", draft=draft, form=form, section=section, moved=None,
                           builder=builder, lang=current_lang()), 422


#: A condition that cannot be written as it was posted (its form says why).
REFUSED = object()


def _condition_posted(builder, form) -> dict | None | object:
    """The condition a form posted, or REFUSED with the reason on its field (shown with the form's other errors)."""
    try:
        return builder.condition()
    except EditError as exc:
        form.when.errors = [*form.when.errors, str(exc)]
        return REFUSED


def _builder_step(form, template: str, builder, **context):
    """A step of the condition's rule builder: the form drawn again with it, nothing saved."""
    try:
        builder.step(request.form["builder"])
    except EditError as exc:
        form.when.errors = [str(exc)]
    form.when.data = builder.text
    return render_template(template, form=form, moved=None, builder=builder, lang=current_lang(), **context)


@bp.route("/drafts/<id:draft_id>/sections/new", methods=["GET", "POST"])
def new_section(draft_id):
    draft = _editable_or_404(draft_id)
    latest = draft.latest
    form = NewSectionForm() if request.method == "POST" else NewSectionForm(formdata=None, based_on=latest.number)
    if form.validate_on_submit():
        document = latest.document
        themes = document.get("themes") or [{"code": "general"}]
        item_code = editing.propose_code(document, form.code.data, set(drafts.earlier_codes(draft.code)))
        try:
            document = editing.add_section(document, form.title_fr.data, form.title_en.data, form.code.data,
                                           item_code, themes[0].get("code"))
        except EditError as exc:
            form.code.errors = [str(exc)]
        else:
            return _save(draft, form, document, drafts.change("page_added", code=form.code.data),
                         "organiser/draft_new_section.html",
                         anchor=f"#section-{form.code.data}")
    return render_template("organiser/draft_new_section.html", draft=draft, form=form, moved=None,
                           lang=current_lang()), 200 if request.method == "GET" else 422


def _step() -> int:
    """Where a move button sends its page or question: one place up, else one down."""
    return -1 if request.form.get("direction") == "up" else 1


@bp.post("/drafts/<id:draft_id>/sections/<section_code>/move")
def move_section(draft_id, section_code):
    code = section_code
    draft = _editable_or_404(draft_id)
    document = draft.latest.document
    _section_or_404(document, code)
    return _moved_or_saved(draft, editing.move_section(document, code, _step()), drafts.change("page_moved", code=code),
                           f"#section-{code}")


@bp.post("/drafts/<id:draft_id>/sections/<section_code>/delete")
def delete_section(draft_id, section_code):
    code = section_code
    draft = _editable_or_404(draft_id)
    document = draft.latest.document
    _section_or_404(document, code)
    return _moved_or_saved(draft, editing.delete_section(document, code), drafts.change("page_deleted", code=code))


# --- Questions ----------------------------------------------------------------------------------------

#: What every page of a question's form is drawn with: the types and the fields each has.
ITEM_PAGE = {"type_fields": editing.TYPE_FIELDS, "type_labels": TYPE_LABELS}


def _item_form(document: dict, **kwargs) -> ItemForm:
    form = ItemForm(**kwargs)
    form.theme.choices = [(t.get("code"), f"{t.get('code')} — {(t.get('label') or {}).get(current_lang(), '')}")
                          for t in document.get("themes") or ()]
    form.scale.choices = [("", _("None"))] + [(name, name) for name in document.get("scales") or {}]
    # Only the fields of the question's type are drawn, sent and checked.
    own = editing.form_fields_of_type(form.type.data)
    for name in editing.form_fields_of_type(None):
        if name not in own:
            del form[name]
    return form


def _item_problems(item: dict) -> dict[str, list[str]]:
    """The item's problems found by the definition format's rules, by form field."""
    try:
        Item.model_validate(item)
    except pydantic.ValidationError as exc:
        problems: dict[str, list[str]] = {}
        for error in exc.errors():
            loc = [str(part) for part in error["loc"]]
            if definition_problems.is_pending_translation(error):
                continue  # the translation may come later (the draft's problems list it until then)
            where = loc[0] if loc else "type"
            field = {"text": "text_en" if "en" in loc else "text_fr", "partner_text": "partner_text_fr",
                     "help": "help_fr", "unit": "unit_fr"}.get(where, where)
            if field not in ItemForm.__dict__ and field not in {"text_fr", "text_en"}:
                field = "type"
            # The form names the field; a place inside it (an option, a language) is said with the message.
            message = (definition_problems.describe(item, error)[1] if len(loc) > 1
                       else definition_problems.what(error))
            problems.setdefault(field, []).append(message)
        return problems
    return {}


def _item_posted(draft, latest, form, save_document, change: str, template: str, **context):
    """An item form posted: a step of its condition's rule builder; or its item checked by the format's rules,
    its condition where it stands, then saved with ``save_document(item)``."""
    builder = context["builder"]
    if request.form.get("builder"):
        return _builder_step(form, template, draft=draft, **context)
    valid = form.validate_on_submit()
    when = _condition_posted(builder, form)
    if valid and when is not REFUSED:
        try:
            item = editing.item_from_fields(dict(form.data, when=when))
            problems = _item_problems(item)
            if not problems:
                document = save_document(item)
                refused = condition_rules.refusals(document, item.get("when"), item=item["code"])
                if refused:
                    problems = {"when": refused}
        except EditError as exc:
            problems = {exc.field or "code": [str(exc)]}
        if not problems:
            return _save(draft, form, document, drafts.change(change, code=item["code"]), template,
                         anchor=f"#item-{item['code']}", **context)
        for name, messages in problems.items():
            name = name if name in form else "type"
            form[name].errors = list(form[name].errors) + messages
    return render_template(template, draft=draft, form=form, moved=None, lang=current_lang(), **context), 422


@bp.route("/drafts/<id:draft_id>/items/<item_code>", methods=["GET", "POST"])
def draft_item(draft_id, item_code):
    code = item_code
    draft = _editable_or_404(draft_id)
    latest = draft.latest
    item = editing.item_of(latest.document, code)
    if item is None:
        abort(404)
    context = {"code": code, "item": item, **ITEM_PAGE}
    questions = condition_rules.questions_before(latest.document, current_lang(), item=code)
    if request.method == "GET":
        context["builder"] = condition_rules.Builder.of(item.get("when"), questions)
        data = editing.fields_of_item(item)
        if request.args.get("type") in TYPE_LABELS:  # the type's own step: its fields, nothing saved yet
            data["type"] = request.args["type"]
        form = _item_form(latest.document, formdata=None, based_on=latest.number, data=data)
        return render_template("organiser/draft_item.html", draft=draft, form=form, moved=None, lang=current_lang(),
                               **context)
    form = _item_form(latest.document)
    context["builder"] = condition_rules.Builder.posted(request.form, questions)
    return _item_posted(draft, latest, form, lambda new: editing.replace_item(latest.document, code, new),
                        "question_changed", "organiser/draft_item.html", **context)


@bp.route("/drafts/<id:draft_id>/sections/<section_code>/items/new", methods=["GET", "POST"])
def new_item(draft_id, section_code):
    draft = _editable_or_404(draft_id)
    latest = draft.latest
    section = _section_or_404(latest.document, section_code)
    context = {"code": None, "item": None, "section": section, **ITEM_PAGE}
    questions = condition_rules.questions_before(latest.document, current_lang(), end_of=section_code)
    if request.method == "GET":
        context["builder"] = condition_rules.Builder(questions)
        themes = [t.get("code") for t in latest.document.get("themes") or ()]
        existing = section.get("items") or [{}]
        proposed = editing.new_item(editing.propose_code(latest.document, section_code,
                                                         set(drafts.earlier_codes(draft.code))),
                                    request.args.get("type", "single"),
                                    existing[-1].get("theme") or (themes[0] if themes else ""),
                                    next(iter(latest.document.get("scales") or {}), None))
        form = _item_form(latest.document, formdata=None, based_on=latest.number,
                          data=editing.fields_of_item(proposed))
        return render_template("organiser/draft_item.html", draft=draft, form=form, moved=None, lang=current_lang(),
                               **context)
    form = _item_form(latest.document)
    context["builder"] = condition_rules.Builder.posted(request.form, questions)
    return _item_posted(draft, latest, form, lambda new: editing.add_item(latest.document, section_code, new),
                        "question_added", "organiser/draft_item.html", **context)


def _item_or_404(document: dict, code: str) -> dict:
    item = editing.item_of(document, code)
    if item is None:
        abort(404)
    return item


@bp.post("/drafts/<id:draft_id>/items/<item_code>/move")
def move_item(draft_id, item_code):
    code = item_code
    draft = _editable_or_404(draft_id)
    document = draft.latest.document
    _item_or_404(document, code)
    return _moved_or_saved(draft, editing.move_item(document, code, _step()), drafts.change("question_moved", code=code),
                           f"#item-{code}")


@bp.post("/drafts/<id:draft_id>/items/<item_code>/duplicate")
def duplicate_item(draft_id, item_code):
    code = item_code
    draft = _editable_or_404(draft_id)
    document = draft.latest.document
    _item_or_404(document, code)
    document, copied = editing.duplicate_item(document, code, set(drafts.earlier_codes(draft.code)))
    return _moved_or_saved(draft, document, drafts.change("question_copied", code=code, copy=copied),
                           f"#item-{copied}")


@bp.post("/drafts/<id:draft_id>/items/<item_code>/delete")
def delete_item(draft_id, item_code):
    code = item_code
    draft = _editable_or_404(draft_id)
    document = draft.latest.document
    _item_or_404(document, code)
    return _moved_or_saved(draft, editing.delete_item(document, code), drafts.change("question_deleted", code=code))


# --- History, publishing, files ------------------------------------------------------------------------

@bp.post("/drafts/<id:draft_id>/undo/<id:number>")
def undo_draft(draft_id, number):
    draft = _editable_or_404(draft_id)
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
    draft = _editable_or_404(draft_id)
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
    return _yaml_download(document, f"{document.get('code', 'draft')}-draft-{draft.id}.yaml")


@bp.get("/drafts/<id:draft_id>/texts.xlsx")
def draft_texts(draft_id):
    draft = draft_or_404(draft_id)
    return _xlsx_download(text_sheets.workbook(draft.latest.document), f"{draft.code}-draft-{draft.id}-texts.xlsx")


@bp.post("/drafts/<id:draft_id>/upload")
def upload_into_draft(draft_id):
    draft = _editable_or_404(draft_id)
    form = DraftUploadForm()
    if form.validate_on_submit():
        document, problems = _uploaded_document(form.definition_file.data)
        if not problems:
            return _moved_or_saved(draft, document, drafts.change("uploaded", file=form.definition_file.data.filename),
                                   done=_("The file was read into the draft."))
        return _draft_with_errors(draft, upload_problems=problems)
    return _draft_with_errors(draft, upload_problems=[(None, " ".join(form.definition_file.errors))])


@bp.post("/drafts/<id:draft_id>/texts")
def upload_texts(draft_id):
    draft = _editable_or_404(draft_id)
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
        return _moved_or_saved(draft, document, drafts.change("texts_uploaded"), anchor="#translated-texts",
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
