"""A draft's pages and questions: their forms, with a condition's rule builder, and their buttons.

    /o/drafts/<draft>/sections/new                             a new page
    /o/drafts/<draft>/sections/<section>                       a page's title, introduction, sides, condition
    /o/drafts/<draft>/sections/<section>/move|delete           POST
    /o/drafts/<draft>/sections/<section>/items/new             a new question on the page
    /o/drafts/<draft>/items/<item>                             a question
    /o/drafts/<draft>/items/<item>/move|duplicate|delete       POST

Saved, or refused when someone saved the draft meanwhile, through draft_views.save and moved_or_saved.
"""

import pydantic
from flask import abort, render_template, request
from flask_babel import gettext as _

from evalapp.i18n import current_lang
from evalapp.models import SIDES, Side
from evalapp.organiser.blueprint import bp
from evalapp.organiser.draft_views import editable_or_404, moved_or_saved, save
from evalapp.organiser.editor_forms import TYPE_LABELS, ItemForm, NewSectionForm, SectionForm
from evalapp.questionnaires import condition_rules, drafts, editing
from evalapp.questionnaires import problems as definition_problems
from evalapp.questionnaires.definition import Item
from evalapp.questionnaires.editing import EditError

# --- Pages --------------------------------------------------------------------------------------------

def _or_404(found):
    if found is None:
        abort(404)
    return found


def _section_or_404(document: dict, code: str) -> dict:
    return _or_404(editing.section_of(document, code))


def _item_or_404(document: dict, code: str) -> dict:
    return _or_404(editing.item_of(document, code))


def _for_button(draft_id: int, find, code: str) -> tuple:
    """The editable draft and its latest document, for a button's change to the page or question ``code`` that
    ``find`` (editing.section_of, editing.item_of) finds there; 404 when it is not there."""
    draft = editable_or_404(draft_id)
    _or_404(find(draft.latest.document, code))
    return draft, draft.latest.document


@bp.route("/drafts/<id:draft_id>/sections/<section_code>", methods=["GET", "POST"])
def draft_section(draft_id, section_code):
    code = section_code
    draft = editable_or_404(draft_id)
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
            return save(draft, form, document, drafts.change("page_changed", code=form.code.data),
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
    draft = editable_or_404(draft_id)
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
            return save(draft, form, document, drafts.change("page_added", code=form.code.data),
                        "organiser/draft_new_section.html",
                        anchor=f"#section-{form.code.data}")
    return render_template("organiser/draft_new_section.html", draft=draft, form=form, moved=None,
                           lang=current_lang()), 200 if request.method == "GET" else 422


def _step() -> int:
    """Where a move button sends its page or question: one place up, else one down."""
    return -1 if request.form.get("direction") == "up" else 1


@bp.post("/drafts/<id:draft_id>/sections/<section_code>/move")
def move_section(draft_id, section_code):
    draft, document = _for_button(draft_id, editing.section_of, section_code)
    return moved_or_saved(draft, editing.move_section(document, section_code, _step()),
                          drafts.change("page_moved", code=section_code), f"#section-{section_code}")


@bp.post("/drafts/<id:draft_id>/sections/<section_code>/delete")
def delete_section(draft_id, section_code):
    draft, document = _for_button(draft_id, editing.section_of, section_code)
    return moved_or_saved(draft, editing.delete_section(document, section_code),
                          drafts.change("page_deleted", code=section_code))


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
            return save(draft, form, document, drafts.change(change, code=item["code"]), template,
                        anchor=f"#item-{item['code']}", **context)
        for name, messages in problems.items():
            name = name if name in form else "type"
            form[name].errors = list(form[name].errors) + messages
    return render_template(template, draft=draft, form=form, moved=None, lang=current_lang(), **context), 422


@bp.route("/drafts/<id:draft_id>/items/<item_code>", methods=["GET", "POST"])
def draft_item(draft_id, item_code):
    code = item_code
    draft = editable_or_404(draft_id)
    latest = draft.latest
    item = _item_or_404(latest.document, code)
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
    draft = editable_or_404(draft_id)
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


@bp.post("/drafts/<id:draft_id>/items/<item_code>/move")
def move_item(draft_id, item_code):
    draft, document = _for_button(draft_id, editing.item_of, item_code)
    return moved_or_saved(draft, editing.move_item(document, item_code, _step()),
                          drafts.change("question_moved", code=item_code), f"#item-{item_code}")


@bp.post("/drafts/<id:draft_id>/items/<item_code>/duplicate")
def duplicate_item(draft_id, item_code):
    draft, document = _for_button(draft_id, editing.item_of, item_code)
    document, copied = editing.duplicate_item(document, item_code, set(drafts.earlier_codes(draft.code)))
    return moved_or_saved(draft, document, drafts.change("question_copied", code=item_code, copy=copied),
                          f"#item-{copied}")


@bp.post("/drafts/<id:draft_id>/items/<item_code>/delete")
def delete_item(draft_id, item_code):
    draft, document = _for_button(draft_id, editing.item_of, item_code)
    return moved_or_saved(draft, editing.delete_item(document, item_code),
                          drafts.change("question_deleted", code=item_code))

