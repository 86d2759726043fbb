"""A draft seen as the respondent will see it: /o/drafts/<draft>/preview.

Any page (the welcome page, a section, the review page) as home or partner, in French or English,
in a partnership or alone. The answers typed are carried from page to page in the form, so that
conditions work with scripts off as on; nothing is written.
"""
import json

from flask import abort, g, render_template, request
from flask_babel import force_locale
from flask_wtf import FlaskForm
from markupsafe import Markup

from evalapp.i18n import current_lang
from evalapp.organiser.blueprint import bp
from evalapp.organiser.draft_views import draft_or_404
from evalapp.organiser.editor_forms import PreviewForm
from evalapp.questionnaires import conditions, drafts
from evalapp.questionnaires.types import AnswerRow
from evalapp.questionnaires.types.html import Page
from evalapp.respond.answers import page_values
from evalapp.respond.conditions import conditional_notes
from evalapp.respond.review import reviewed_sections


@bp.route("/drafts/<id:draft_id>/preview", methods=["GET", "POST"])
def preview_draft(draft_id):
    """A page of the draft as a respondent sees it, for a side and a language; the answers typed are
    carried from page to page in the form (so that conditions work), and nothing is written."""
    draft = draft_or_404(draft_id)
    choice = PreviewForm(request.args, meta={"csrf": False})
    if not request.args or not choice.validate():
        choice = PreviewForm(formdata=None, meta={"csrf": False}, lang=current_lang())
    side, lang, partnership = choice.side.data, choice.lang.data, choice.partnership.data == "1"
    checked = drafts.check(draft.latest.document, drafts.next_version_number(draft.code))
    if checked.definition is None:
        return render_template("organiser/draft_preview.html", draft=draft, choice=choice, problems=checked.problems,
                               lang=current_lang()), 200
    definition = checked.definition
    carried = _carried_values(request.form.get("carried"))
    current_code = request.values.get("page") or START
    g.input_lang = lang
    with force_locale(lang):
        values = dict(carried)
        section = definition.section(side, current_code)
        refused = None  # a page posted with answers a respondent's page would refuse
        if request.method == "POST" and section is not None:
            if not FlaskForm().validate_on_submit():
                abort(400)
            form = _preview_form_class(definition, section, side, lang)(formdata=request.form)
            if form.validate():
                values.update(page_values(form))
            else:
                refused = form
        asked = conditions.asked(definition, side, partnership, values)
        pages = asked.sections_of(definition, side)
        destination = preview_destination(pages, current_code, request.form.get("action", ""))
        if refused is not None:
            # As on a respondent's page: the same page again, with what was typed and the message at each field.
            destination = section
        common = dict(definition=definition, side=side, lang=lang, pages=pages, steps=len(pages) + 1,
                      carried=_carry(values), draft=draft, choice=choice)
        notes = {}
        # Drawn by templates, which escape every text of the draft.
        if destination == START:
            body = render_template("organiser/_preview_welcome.html", partnership=partnership, **common)
        elif destination == REVIEW:
            body = render_template("organiser/_preview_review.html", step=len(pages) + 1,
                                   answers=reviewed_sections(definition, pages, side, _rows_of(definition, pages, side,
                                                                                               asked, values),
                                                             lang, asked), **common)
        else:
            section = destination
            drawn = conditions.page_items(definition, section, side, partnership, values)
            items = [item for item, _condition in drawn]
            notes = conditional_notes(definition, drawn, side, lang)
            form = refused or _preview_form_class(definition, section, side, lang)(formdata=None, data=values)
            body = render_template("organiser/_preview_page.html", section=section, items=items, notes=notes,
                                   form=form, step=pages.index(section) + 1 if section in pages else 1,
                                   question_page=Page(side=side, lang=lang, input_lang=lang), **common)
    return render_template("organiser/draft_preview.html", draft=draft, choice=choice, problems=[], body=Markup(body),
                           page=destination if isinstance(destination, str) else "section", notes=notes,
                           lang=current_lang(), preview_lang=lang), 200 if refused is None else 422


#: The preview's pages around the sections: the welcome page and the review page (codes no section may have).
START, REVIEW = "start", "review"


def preview_destination(pages: list, current: str, action: str):
    """Where a preview goes from page ``current`` (START, REVIEW or a section's code) on ``action`` (next,
    previous, or staying): START, REVIEW or one of ``pages``, the sections asked."""
    codes = [page.code for page in pages]
    if current == START:
        return (pages[0] if pages else REVIEW) if action == "next" else START
    if current == REVIEW:
        return (pages[-1] if pages else START) if action == "previous" else REVIEW
    if current not in codes:
        return pages[0] if pages else REVIEW
    index = codes.index(current)
    if action == "next":
        return pages[index + 1] if index + 1 < len(pages) else REVIEW
    if action == "previous":
        return pages[index - 1] if index else START
    return pages[index]


def _rows_of(definition, pages: list, side: str, asked, values: dict) -> dict:
    """The answers typed in a preview as saved answers are read (rows by code), for its review page."""
    answers: dict = {}
    for section in pages:
        for item in asked.items_of(section, side):
            for row in item.kind.rows(item, values):
                answers.setdefault(row["item_code"], []).append(AnswerRow.of(row))
    return answers


def _preview_form_class(definition, section, side: str, lang: str):
    attrs = {}
    for item in section.items_for(side):
        attrs.update(item.kind.fields(item, definition, side, lang))
    return type("PreviewPageForm", (FlaskForm,), attrs)


def _carried_values(sent: str | None) -> dict:
    try:
        values = json.loads(sent or "{}")
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def _carry(values: dict) -> str:
    return json.dumps({name: value for name, value in values.items() if value not in (None, "", [])},
                      default=str, separators=(",", ":"))
