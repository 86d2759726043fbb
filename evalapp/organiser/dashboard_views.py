"""What the answers say: dashboards of a round, of a partnership, of an authority.

    /o/rounds/<id>/dashboard                        overview, themes, items, impact matrix, choices
    /o/rounds/<id>/reciprocity                      partnerships ranked by gap, a dumbbell each
    /o/rounds/<id>/partnerships/<pid>               one partnership, item by item
    /o/rounds/<id>/authorities/<invitation id>      one authority's radar
    /o/rounds/<id>/compare                          the same authorities across rounds
    /o/rounds/<id>/texts                            free-text answers, searchable, anonymous or not
    /o/rounds/<id>/stories                          stories one by one: tags and the panel's selection
    /o/rounds/<id>/stories.csv                      the selected stories
    /o/rounds/<id>/tallies/catch-up         (POST)  count the responses the figures leave out

Every page keeps its filters (type, country, region, side) in the URL. Pages only read: their
counts come from the round's tallies (evalapp/tallies.py), and each says how many responses
those leave out, if any.
"""
from datetime import date

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user

from evalapp import stories
from evalapp.directory.countries import countries_by_name, country_name
from evalapp.extensions import db
from evalapp.i18n import current_lang
from evalapp.jobs import active_job
from evalapp.jobs.counts import JOB_KIND as COUNT_JOB
from evalapp.jobs.counts import start_count
from evalapp.models import AUTHORITY_TYPES, SIDE_LABELS, Round
from evalapp.organiser.access import invitation_or_404, round_or_404
from evalapp.organiser.blueprint import bp
from evalapp.organiser.job_views import job_helpers
from evalapp.questionnaires.loader import definition_of
from evalapp.reporting import aggregate, gaps, pages
from evalapp.rounds import visible_rounds
from evalapp.spreadsheets import csv_download, csv_text
from evalapp.urls import page_number, whole_number


def _filter_choices(round_: Round) -> dict:
    """The values the filters offer: those present among the round's invited authorities."""
    rows = aggregate.facets(round_.id)
    lang = current_lang()
    return {
        "kinds": sorted({(k, str(AUTHORITY_TYPES[k])) for k, _, _ in rows}, key=lambda p: p[1]),
        "countries": countries_by_name((c for _, c, _ in rows), lang),
        "regions": sorted({r for _, _, r in rows if r}),
    }


def _context(round_: Round, **extra) -> dict:
    definition = definition_of(round_.questionnaire_version)
    lang = current_lang()
    filters = aggregate.Filters.from_args(request.args)
    return {
        "round": round_, "definition": definition, "lang": lang, "filters": filters,
        "choices": _filter_choices(round_), "min_n": current_app.config["MIN_GROUP_SIZE"],
        "n": aggregate.count_submitted(round_.id, filters), "coverage": aggregate.coverage(round_),
        "counting": active_job(COUNT_JOB, round_.id), "today": date.today(), **job_helpers(), **extra,
    }


def _side_text(lang):
    return lambda item: item.text.get(lang)


def _dashboard_charts(round_, ctx):
    definition, lang, filters, min_n = ctx["definition"], ctx["lang"], ctx["filters"], ctx["min_n"]
    text = _side_text(lang)
    return {
        "overview": pages.overview_charts(round_, min_n, filters, lambda day: format_date(day, "d MMM y")),
        "themes": pages.theme_chart(round_, definition, lang, filters, min_n),
        "items": pages.item_charts(round_, definition, text, lang, filters, min_n),
        "choices": pages.choice_charts(round_, definition, text, lang, filters, min_n),
    }


@bp.get("/rounds/<id:round_id>/dashboard")
def dashboard(round_id):
    round_ = round_or_404(round_id)
    ctx = _context(round_)
    return render_template("organiser/dashboard.html", charts=_dashboard_charts(round_, ctx), **ctx)


#: How long the button counts before answering; pressed again, it goes on where it stopped.
@bp.post("/rounds/<id:round_id>/tallies/catch-up")
def catch_up(round_id):
    """Count the responses the figures do not hold yet, as a job: respondents' submissions go on meanwhile."""
    round_ = round_or_404(round_id)
    start_count(round_, current_user)
    return redirect(url_for(".dashboard", round_id=round_.id), code=303)


@bp.get("/rounds/<id:round_id>/reciprocity")
def reciprocity(round_id):
    round_ = round_or_404(round_id)
    ctx = _context(round_)
    charts, comparisons = pages.reciprocity_charts(round_, ctx["definition"], ctx["lang"], ctx["filters"])
    return render_template("organiser/reciprocity.html", charts=charts, comparisons=comparisons,
                           gap_legend=gaps.legend(ctx["definition"]), **ctx)


@bp.get("/rounds/<id:round_id>/partnerships/<id:partnership_id>")
def partnership_page(round_id, partnership_id):
    round_ = round_or_404(round_id)
    ctx = _context(round_)
    comparison = next(iter(aggregate.partnership_comparisons(round_, partnership_id=partnership_id)), None)
    if comparison is None:
        abort(404)
    items = aggregate.item_comparison(round_, comparison.home_response_id, comparison.partner_response_id)
    questions = {row.code: pages.question_text(ctx["definition"], row.code, ctx["lang"]) or row.code for row in items}
    return render_template("organiser/partnership_compare.html", comparison=comparison,
                           groups=gaps.item_groups(ctx["definition"], items), questions=questions,
                           main_chart=pages.partnership_chart(comparison, ctx["definition"], ctx["lang"]), **ctx)


@bp.get("/rounds/<id:round_id>/authorities/<id:invitation_id>")
def authority_page(round_id, invitation_id):
    round_ = round_or_404(round_id)
    invitation = invitation_or_404(round_, invitation_id)
    ctx = _context(round_)
    chart = pages.authority_radar(round_, invitation, ctx["definition"], ctx["lang"], ctx["min_n"], with_partner=True)
    return render_template("organiser/authority_results.html", invitation=invitation, main_chart=chart, **ctx)


@bp.get("/rounds/<id:round_id>/compare")
def compare_rounds(round_id):
    round_ = round_or_404(round_id)
    ctx = _context(round_)
    same_questionnaire = [
        r for r in db.session.scalars(visible_rounds(current_user))
        if r.questionnaire_version.code == round_.questionnaire_version.code
    ]
    chosen_ids = {whole_number(v) for v in request.args.getlist("with")} | {round_.id}
    chosen = sorted((r for r in same_questionnaire if r.id in chosen_ids), key=lambda r: (r.opens_on, r.id))
    comparison = pages.rounds_comparison(chosen, ctx["lang"], ctx["min_n"]) if len(chosen) > 1 else None
    return render_template("organiser/compare.html", candidates=same_questionnaire, chosen=chosen,
                           comparison=comparison, **ctx)


def _text_items(definition):
    return [i for s in definition.sections for i in s.items if i.kind.free_text]


@bp.get("/rounds/<id:round_id>/texts")
def texts(round_id):
    round_ = round_or_404(round_id)
    ctx = _context(round_)
    items = _text_items(ctx["definition"]) + [i for s in ctx["definition"].sections for i in s.items if i.other]
    code = request.args.get("item", "")
    codes = [code] if code in {i.code for i in items} else [i.code for i in items]
    search = request.args.get("q", "").strip()[:200]
    # A page at a time: a round of 100,000 responses holds hundreds of thousands of texts.
    texts, total, page = aggregate.text_answers_page(round_, codes, ctx["filters"], search,
                                                     page_number(), TEXTS_PER_PAGE)
    return render_template("organiser/texts.html", items=items, item_code=code, search=search, texts=texts,
                           total=total, page=page, pages=max(1, -(-total // TEXTS_PER_PAGE)),
                           anonymous=request.args.get("anonymous") == "1", **ctx)


TEXTS_PER_PAGE = 100


def _story_codes(definition) -> list[str]:
    return [i.code for i in _text_items(definition) if i.kind.narrative]



@bp.route("/rounds/<id:round_id>/stories", methods=["GET", "POST"])
def stories_page(round_id):
    round_ = round_or_404(round_id)
    ctx = _context(round_)
    codes = _story_codes(ctx["definition"])
    if request.method == "POST":
        response_id, item_code = whole_number(request.form.get("response_id")), request.form.get("item_code", "")
        if response_id is None or item_code not in codes \
                or not aggregate.text_answers(round_, [item_code], response_id=response_id):
            abort(404)
        action = request.form.get("action")
        if action == "tag":
            tag = stories.normalise_tag(request.form.get("tag", ""))
            if tag:
                stories.add_tag(response_id, item_code, tag)
        elif action == "untag":
            stories.remove_tag(response_id, item_code, request.form.get("tag", ""))
        elif action in ("select", "unselect"):
            stories.set_selected(response_id, item_code, action == "select")
        db.session.commit()
        anonymous = 1 if request.form.get("anonymous") == "1" else None
        return redirect(url_for(".stories_page", round_id=round_id, i=request.form.get("i", 0), anonymous=anonymous),
                        code=303)
    tags, selected = aggregate.story_marks(round_)
    # One story at a time, read from the database: a round of 100,000 responses holds as many stories.
    shown, total, page = aggregate.text_answers_page(round_, codes, aggregate.Filters(), "",
                                                     whole_number(request.args.get("i"), 0) + 1, per_page=1)
    story, index = (shown[0] if shown else None), page - 1
    questions = {i.code: i.text.get(ctx["lang"]) for i in _text_items(ctx["definition"])}
    return render_template("organiser/stories.html", total=total, story=story, index=index, tags=tags,
                           selected=selected, questions=questions, tag_chart=pages.tag_chart(round_),
                           anonymous=request.args.get("anonymous") == "1", **ctx)


@bp.get("/rounds/<id:round_id>/stories.csv")
def stories_csv(round_id):
    round_ = round_or_404(round_id)
    codes = _story_codes(definition_of(round_.questionnaire_version))
    tags, _selected = aggregate.story_marks(round_)
    rows = ([s.response_id, s.authority, s.side, s.item_code, ", ".join(tags.get((s.response_id, s.item_code), [])), s.text]
            for s in aggregate.text_answers(round_, codes, selected_only=True))
    filename = f"evalapp-round-{round_.id}-selected-stories-{date.today().isoformat()}.csv"
    return csv_download(csv_text(["response_id", "authority", "side", "item_code", "tags", "story"], rows), filename)


def _filters_text(ctx) -> str:
    """The filters as people read them: "Commune, Burkina Faso, home side"."""
    f, lang = ctx["filters"], ctx["lang"]
    parts = []
    if f.kind in AUTHORITY_TYPES:
        parts.append(str(AUTHORITY_TYPES[f.kind]))
    if f.country:
        parts.append(country_name(f.country, lang))
    if f.region:
        parts.append(f.region)
    if f.side:
        parts.append(str(SIDE_LABELS.get(f.side, f.side)))
    return ", ".join(parts)



