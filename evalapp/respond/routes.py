"""The respondent's pages under /r/<token>: welcome, one page per section, review, submit.

Views are thin: find the invitation, check the round's dates, call a function of
``answers``, commit, render or redirect.
"""
import functools
import re

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from evalapp import i18n
from evalapp.clock import today
from evalapp.extensions import csrf, db, limiter, read_without_transaction
from evalapp.i18n import current_lang
from evalapp.invitations import is_revoked_token, locked_response, not_started
from evalapp.models import Invitation, Round
from evalapp.questionnaires.loader import definition_of
from evalapp.questionnaires.types.html import Page
from evalapp.reporting import aggregate, pages
from evalapp.reporting import partnership_report as partnership_reports
from evalapp.respond import answers as answer_ops
from evalapp.respond import reading, shapes
from evalapp.respond.conditions import conditional_notes
from evalapp.respond.csrf import RespondentForm, for_invitation, form_token
from evalapp.respond.forms import (
    StartForm,
    answer_field_names,
    other_field_name,
    section_form_class,
)
from evalapp.respond.review import reviewed_sections

bp = Blueprint("respond", __name__, url_prefix="/r")
# Its forms carry a token bound to the invitation (respond/csrf.py), not to the session cookie.
csrf.exempt(bp)
# Guessing links: every "not found" from one address counts; the link's owner never gets one.
limiter.limit(lambda: current_app.config["NOT_FOUND_LIMIT_PER_ADDRESS"],
              deduct_when=lambda response: response.status_code == 404)(bp)
bp.context_processor(lambda: {"respondent_form_token": form_token, "question_page": Page})


@bp.before_request
def reads_only():
    """A respondent's page drawn (GET) only reads: outside a transaction, two round trips fewer."""
    if request.method in ("GET", "HEAD"):
        read_without_transaction()


@functools.cache
def _invitation_by_token():
    """The invitation of a token with everything a page needs, in one query; built once, since
    building a statement and its cache key cost more than PostgreSQL takes to run it."""
    return (select(Invitation).where(Invitation.token == bindparam("token"))
            .options(joinedload(Invitation.response), joinedload(Invitation.authority),
                     joinedload(Invitation.round).joinedload(Round.questionnaire_version)))


# Tokens are URL-safe base64; anything else is refused before touching the database.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
def load_invitation(token: str, lock: bool = False) -> Invitation:
    """Return the invitation of ``token`` (with its response) or answer 404, telling nothing about why.

    With ``lock`` (the posts, which write), the response row is locked until the request ends, so
    that saves and submits of one response run one after the other (PostgreSQL; SQLite locks the
    whole file), and created first if the invitation has none. Without, a missing response reads
    as not started: a page that is only read writes nothing.
    """
    if not TOKEN_PATTERN.match(token):
        abort(404)
    invitation = db.session.scalar(_invitation_by_token(), {"token": token})
    if invitation is None:
        abort(410 if is_revoked_token(token) else 404)
    if invitation.revoked_at is not None:
        abort(410)
    if lock:
        locked_response(invitation)
    elif invitation.response is None:
        not_started(invitation)
    g.default_lang = invitation.authority.language
    return invitation


def closed_page(invitation: Invitation):
    """The page for a round not open today, or None when answers are accepted."""
    state = invitation.round.state_on(today())
    if state == "open":
        return None
    return render_template("respond/closed.html", invitation=invitation, state=state), 403


def context(invitation: Invitation, answers=None) -> dict:
    """What every page needs; ``sections`` are those the response is asked, given its ``answers``
    (read here when the questionnaire has conditions and the caller has not read them)."""
    definition = definition_of(invitation.round.questionnaire_version)
    if answers is None and definition.conditional:
        answers = answer_ops.answers_by_code(invitation.response)
    asked = answer_ops.asked_of(definition, invitation, answers or {})
    return {
        "invitation": invitation,
        "definition": definition,
        "sections": asked.sections_of(definition, invitation.side),
        "asked": asked,
        "side": invitation.side,
        "lang": current_lang(),
    }


@bp.get("/<token>")
def welcome(token):
    invitation = load_invitation(token)
    response = invitation.response
    ctx = context(invitation)
    if response.is_submitted:
        return render_template("respond/submitted.html", response=response, form=for_invitation(RespondentForm, token),
                               answers=_reviewed_sections(ctx, response), can_reopen=_can_reopen(invitation),
                               partnership_report=_partnership_report_ready(invitation), **ctx)
    closed = closed_page(invitation)
    if closed:
        return closed
    form = for_invitation(StartForm, token, data={"respondent_role": response.respondent_role})
    return render_template("respond/welcome.html", form=form, response=response, **ctx)


@bp.post("/<token>/start")
def start(token):
    invitation = load_invitation(token, lock=True)
    response = invitation.response
    if response.is_submitted:
        return redirect(url_for(".welcome", token=token), code=303)
    closed = closed_page(invitation)
    if closed:
        return closed
    action = request.form.get("action", "")
    if action.startswith("lang-"):
        i18n.choose_language(action.removeprefix("lang-"))
    ctx = context(invitation)
    form = for_invitation(StartForm, token)
    if action.startswith("lang-"):
        # The welcome page again in the other language, with the role ticked still ticked.
        form.validate()
        form.respondent_role.errors = []
        return render_template("respond/welcome.html", form=form, response=response, **ctx)
    if not form.validate():
        return render_template("respond/welcome.html", form=form, response=response, **ctx), 422
    answer_ops.start(response, form.respondent_role.data, ctx["sections"][0].code)
    db.session.commit()
    return redirect(_url_of(token, response.current_section or ctx["sections"][0].code), code=303)


@bp.route("/<token>/p/<code>", methods=["GET", "POST"])
def section(token, code):
    # An ordinary GET: drawn from its kept shape (respond/shapes.py), reading only what that needs (reading.py).
    ordinary = request.method == "GET" and shapes.drawn_alike()
    read = reading.ordinary_page(token, code) if ordinary and TOKEN_PATTERN.match(token) else None
    invitation = read.invitation if read else load_invitation(token, lock=request.method == "POST")
    response = invitation.response
    if response.is_submitted:
        if request.method == "POST":
            flash(_("This questionnaire has already been submitted; answers can no longer be changed."), "warning")
        return redirect(url_for(".welcome", token=token), code=303)
    closed = closed_page(invitation)
    if closed:
        return closed
    action = request.form.get("action", "")
    # Numbers are read as the page they were typed on writes them, whatever the language next.
    g.input_lang = request.form.get("page_lang") if request.form.get("page_lang") in ("fr", "en") else current_lang()
    if action.startswith("lang-"):
        # Switching language saves the page first, then shows it again in the new language.
        i18n.choose_language(action.removeprefix("lang-"))
    # What is asked may depend on every saved answer; without conditions, a page drawn reads its own
    # answers only, and a POST reads them when saving.
    definition = definition_of(invitation.round.questionnaire_version)
    if definition.conditional:
        answers = answer_ops.answers_by_code(response)
    elif read:
        answers = read.answers
    elif request.method == "GET":
        answers = answer_ops.answers_on_page(response, invitation.round.questionnaire_version_id, code)
    else:
        answers = {}
    ctx = context(invitation, answers)
    definition, sections = ctx["definition"], ctx["sections"]
    current = definition.section(invitation.side, code)
    if current is None:
        abort(404)
    if current not in sections:
        # Not asked, given earlier answers: on to the next page that is.
        if request.method == "POST":  # drawn before another copy of the questionnaire changed those answers
            flash(_("The page you sent is no longer asked, given an answer changed since on another page: what "
                    "was typed on it was not saved."), "warning")
        return redirect(_url_of(token, _next_asked(definition, invitation.side, sections, current)), code=303)
    index = sections.index(current)
    drawn = answer_ops.page_items(definition, current, invitation, answers)
    items = [item for item, _condition in drawn]
    notes = conditional_notes(definition, drawn, invitation.side, ctx["lang"])

    form_class = section_form_class(definition, current, invitation.side, ctx["lang"])
    names = answer_field_names(items)
    conflicts = {}
    page = dict(section=current, items=items, step=index + 1, steps=len(sections) + 1,
                previous=sections[index - 1] if index else None, notes=notes, definition=definition,
                sections=sections, side=invitation.side, lang=ctx["lang"])
    if request.method == "GET":
        saved = answer_ops.form_data(items, answers)
        loaded = answer_ops.fingerprints(names, saved)
        if ordinary:
            # As every respondent with the same questions sees it, filled in with this response's own.
            return shapes.section_page(
                invitation, page, lambda: for_invitation(form_class, token, formdata=None),
                shapes.Filling(token=token, round_title=invitation.round.title,
                               authority_name=invitation.authority.name, form_token=form_token(token),
                               loaded=loaded, data=saved))
        form = for_invitation(form_class, token, formdata=None, data=saved)
        if request.args.get("check"):
            _mark_missing(form, items, answers, ctx["asked"])
        status = 200
    else:
        form = for_invitation(form_class, token)
        # With errors, the page comes back with the fingerprints it was drawn with.
        loaded, status = request.form.get("loaded", ""), 422
        if form.validate():
            mine = {name: value for name, value in answer_ops.page_values(form).items() if name in names}
            keep_saved = {name for name in names if request.form.get(f"resolve-{name}") == "saved"}
            merged, before = answer_ops.save_page(response, items, mine,
                                                  answer_ops.read_fingerprints(loaded), keep_saved)
            answer_ops.set_aside_not_asked(definition, invitation)
            if not merged.conflicts:
                # Answers on this page may open or close later pages.
                sections = context(invitation)["sections"]
                destination = _destination(action, sections, sections.index(current))
                if destination != SAVED:
                    # Coming back later resumes where the respondent was going.
                    response.current_section = destination
                db.session.commit()
                return redirect(_url_of(token, destination), code=303)
            db.session.commit()
            # What this copy changed is saved, except where another copy changed the same answer
            # since: the page again, with this copy's answer there and the saved one beside it.
            form = for_invitation(form_class, token, formdata=None,
                                  data={**merged.values, **{name: mine[name] for name in merged.conflicts}})
            loaded, status = answer_ops.fingerprints(names, merged.values), 409
            conflicts = _saved_answers_of(ctx, items, merged.conflicts, before)

    return render_template(
        "respond/section.html", **{**ctx, **page},
        form=form, loaded=loaded, conflicts=conflicts, focus=request.args.get("focus"), response=response,
    ), status


def _saved_answers_of(ctx, items, names, answers) -> dict[str, str]:
    """The saved answer of each field in ``names``, as the respondent reads it."""
    texts = {}
    for item in items:
        for line in item.kind.lines(item, ctx["definition"], ctx["side"], answers, ctx["lang"]):
            texts[line.code] = line.answer
            if item.other:
                texts[other_field_name(item)] = line.answer
    return {name: texts[name] for name in names}


REVIEW, SAVED = "review", "saved"


def _destination(action: str, sections, index: int) -> str:
    """Where a save leads: a section code, REVIEW or SAVED."""
    codes = [s.code for s in sections]
    if action == "previous" and index > 0:
        return codes[index - 1]
    if action == "next":
        return codes[index + 1] if index + 1 < len(codes) else REVIEW
    if action == "save":
        return SAVED
    if action.startswith("goto-") and action.removeprefix("goto-") in codes + [REVIEW]:
        return action.removeprefix("goto-")
    return codes[index]


def _next_asked(definition, side: str, sections, current) -> str:
    """The first page asked after ``current`` (which is not), or REVIEW."""
    following = definition.sections_for(side)
    following = following[following.index(current) + 1:]
    return next((s.code for s in following if s in sections), REVIEW)


def _url_of(token: str, destination: str) -> str:
    if destination in (REVIEW, SAVED):
        return url_for(f".{destination}", token=token)
    return url_for(".section", token=token, code=destination)


def _mark_missing(form, items, answers, asked):
    for item in items:
        if item.required and item.code in asked.items and not answer_ops.is_answered(item, answers):
            for code in item.answer_codes:
                form[code].errors = [_("This question must be answered before submitting.")]


@bp.get("/<token>/saved")
def saved(token):
    invitation = load_invitation(token)
    if invitation.response.is_submitted:
        return redirect(url_for(".welcome", token=token), code=303)
    return render_template("respond/saved.html", **context(invitation))


@bp.get("/<token>/review")
def review(token):
    invitation = load_invitation(token)
    response = invitation.response
    if response.is_submitted:
        return redirect(url_for(".welcome", token=token), code=303)
    closed = closed_page(invitation)
    if closed:
        return closed
    answers = answer_ops.answers_by_code(response)
    return _render_review(context(invitation, answers), response, problems=None, answers=answers)


def _render_review(ctx, response, problems, status=200, form=None, answers=None):
    answers = answers if answers is not None else answer_ops.answers_by_code(response)
    return render_template(
        "respond/review.html", response=response, answers=_reviewed_sections(ctx, response, answers),
        problems=problems, step=len(ctx["sections"]) + 1, steps=len(ctx["sections"]) + 1,
        can_reopen=_can_reopen(ctx["invitation"]), form=form or for_invitation(RespondentForm, response.invitation.token),
        **ctx,
    ), status


def _reviewed_sections(ctx, response, answers=None):
    """Every section with its questions and answers as text, and its count of answered items."""
    answers = answers if answers is not None else answer_ops.answers_by_code(response)
    return reviewed_sections(ctx["definition"], ctx["sections"], ctx["side"], answers, ctx["lang"], ctx["asked"])


@bp.post("/<token>/submit")
def submit(token):
    invitation = load_invitation(token, lock=True)
    response = invitation.response
    if response.is_submitted:
        # A second click, a replayed request or another tab: nothing more to do.
        return redirect(url_for(".welcome", token=token), code=303)
    closed = closed_page(invitation)
    if closed:
        return closed
    answers = answer_ops.answers_by_code(response)
    ctx = context(invitation, answers)
    form = for_invitation(RespondentForm, token)
    if not form.validate():
        return _render_review(ctx, response, problems=None, status=422, form=form, answers=answers)
    problems = answer_ops.missing_required(ctx["definition"], invitation.side, answers, ctx["asked"])
    if problems:
        return _render_review(ctx, response, problems, status=422, answers=answers)
    answer_ops.set_aside_not_asked(ctx["definition"], invitation)
    answer_ops.submit(response)
    db.session.commit()
    flash(_("Thank you: your answers have been submitted."), "success")
    return redirect(url_for(".welcome", token=token), code=303)


def _partnership_report_ready(invitation: Invitation) -> bool:
    """Whether the partnership's report is there for this authority: shared by the round, both sides submitted."""
    return bool(invitation.round.partnership_reports_shared and invitation.partnership_id
                and aggregate.partner_response(invitation) is not None)


def _can_reopen(invitation: Invitation) -> bool:
    return invitation.round.allow_reopen and invitation.round.state_on(today()) == "open"


@bp.get("/<token>/start")
@bp.get("/<token>/submit")
def page_of_a_form(token):
    """A form's address opened as a page: the welcome page or the review page that a refused start or
    submission left in the address bar, reopened from a new tab, a bookmark or a restarted browser. The
    page it came from, rather than "method not allowed"; nothing is read or written here."""
    destination = ".review" if request.path.endswith("/submit") else ".welcome"
    return redirect(url_for(destination, token=token), code=303)


@bp.post("/<token>/reopen")
def reopen(token):
    """Reopen a submitted response to change it, when the round allows it and is still open."""
    invitation = load_invitation(token, lock=True)
    if not _can_reopen(invitation):
        abort(403)
    if not for_invitation(RespondentForm, token).validate():
        flash(_("Your answers were not reopened: the page was not sent as expected. Please try again."), "warning")
        return redirect(url_for(".welcome", token=token), code=303)
    answer_ops.reopen(invitation.response)
    db.session.commit()
    flash(_("Your answers are open again. Submit them again once changed."), "success")
    return redirect(url_for(".review", token=token), code=303)


@bp.post("/<token>/language")
def language(token):
    """The language switch of the pages without answers to send (review, saved, submitted...)."""
    load_invitation(token)
    if for_invitation(RespondentForm, token).validate():
        i18n.choose_language(request.form.get("lang", ""))
    back = i18n.safe_next(request.form.get("next"), "")
    here = url_for(".welcome", token=token)
    return redirect(back if back.startswith(here) else here, code=303)


@bp.get("/<token>/results")
def results(token):
    """An authority's own results, when it has submitted and the organisers allow it."""
    invitation = load_invitation(token)
    if not (invitation.round.results_visible and invitation.response.is_submitted):
        abort(404)
    ctx = context(invitation)
    chart = pages.authority_radar(invitation.round, invitation, ctx["definition"], ctx["lang"],
                                  current_app.config["MIN_GROUP_SIZE"], with_partner=False)
    return render_template("respond/results.html", chart=chart, **ctx)


@bp.get("/<token>/partnership-report")
def partnership_report(token):
    """The partnership's report, for each of its two authorities once both submitted, when the round shares it."""
    invitation = load_invitation(token)
    round_ = invitation.round
    if not (round_.partnership_reports_shared and invitation.response.is_submitted and invitation.partnership_id):
        abort(404)
    comparison = partnership_reports.find(round_, invitation.partnership_id)
    if comparison is None:
        abort(404)
    ctx = context(invitation)
    report = partnership_reports.build(round_, comparison, ctx["definition"], ctx["lang"], _("don't know"))
    return render_template("respond/partnership_report.html", report=report, round=round_, **ctx)
