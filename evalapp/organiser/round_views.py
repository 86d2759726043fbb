"""Rounds and their invitations.

    /o/                                         rounds I can see
    /o/rounds/new                               create a round
    /o/rounds/<id>                              counts, response rate, invitations (filters)
    /o/rounds/<id>/edit                         title, dates, questionnaire (until answered)
    /o/rounds/<id>/open|close|delete            POST
    /o/rounds/<id>/members                      organisers added to the round
    /o/rounds/<id>/invite                       invite one, by filter, by partnership
    /o/rounds/<id>/links.csv                    open links for a mail merge
    /o/rounds/<id>/partnerships                 both sides answered, one, neither
    /o/rounds/<id>/send                         invitations and reminders by email
    /o/rounds/<id>/addresses                    POST: send the links to the directory's addresses
    /o/rounds/<id>/invitations/<id>/revoke      POST
    /o/rounds/<id>/invitations/<id>/reissue     POST
"""
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from evalapp import mailing, rounds
from evalapp.auth.accounts import find_by_email
from evalapp.clock import today
from evalapp.directory.countries import countries_by_name, country_choices, country_name
from evalapp.directory.search import authority_search, partnership_search
from evalapp.extensions import db
from evalapp.i18n import current_lang, long_date, ngettext
from evalapp.invitations import (
    address_differences,
    count_matching,
    invitation_url,
    invite,
    invite_partnership,
    open_invitations,
    reissue,
    revoke,
    use_directory_addresses,
)
from evalapp.jobs import active_job
from evalapp.jobs.invitations import JOB_KIND as INVITE_JOB
from evalapp.jobs.invitations import describe_filters, start_invite
from evalapp.models import (
    AUTHORITY_TYPES,
    SIDE_LABELS,
    STATUS_LABELS,
    Authority,
    Invitation,
    InvitationEmail,
    Partnership,
    QuestionnaireVersion,
    Round,
)
from evalapp.organiser.access import invitation_or_404, round_or_404
from evalapp.organiser.blueprint import bp
from evalapp.organiser.forms import (
    InviteAuthorityForm,
    InviteFilterForm,
    InvitePartnershipForm,
    MemberForm,
    RoundForm,
    SendForm,
    kind_choices,
)
from evalapp.organiser.job_views import job_helpers
from evalapp.questionnaires.drafts import offered_versions
from evalapp.spreadsheets import csv_download, csv_text
from evalapp.urls import paginate

PAGE_SIZE = 100


@bp.get("/", endpoint="rounds")
def rounds_list():
    visible = db.session.scalars(rounds.visible_rounds(current_user)).all()
    summaries = rounds.summaries([r.id for r in visible])
    return render_template("organiser/rounds.html", rounds=[(r, summaries[r.id]) for r in visible])


def _version_choices(current: QuestionnaireVersion | None = None):
    """The versions a round may use: published and not withdrawn (and the round's own, even withdrawn)."""
    versions = list(db.session.scalars(offered_versions()))
    if current is not None and current not in versions:
        versions.insert(0, current)
    lang = current_lang()
    return [(v.id, f"{v.definition['title'][lang]} (v{v.version})") for v in versions]


@bp.route("/rounds/new", methods=["GET", "POST"])
def new_round():
    form = RoundForm()
    form.questionnaire_version_id.choices = _version_choices()
    if request.method == "GET":
        form.opens_on.data = today()
        form.closes_on.data = today() + timedelta(days=60)
    if form.validate_on_submit():
        round_ = Round(owner_id=current_user.id)
        form.populate_obj(round_)
        db.session.add(round_)
        db.session.commit()
        flash(_("Round created. Now invite the authorities."), "success")
        return redirect(url_for(".invite_page", round_id=round_.id), code=303)
    return render_template("organiser/round_form.html", form=form, round=None)


@bp.route("/rounds/<id:round_id>/edit", methods=["GET", "POST"])
def edit_round(round_id):
    round_ = round_or_404(round_id)
    form = RoundForm(obj=round_)
    form.questionnaire_version_id.choices = _version_choices(round_.questionnaire_version)
    answered = rounds.has_responses(round_)
    if form.validate_on_submit():
        try:
            rounds.change_questionnaire(round_, form.questionnaire_version_id.data)
        except rounds.RoundError:
            form.questionnaire_version_id.errors = [_("Authorities have started answering: the questionnaire can no longer change.")]
        else:
            for name in ("title", "description", "opens_on", "closes_on", "allow_reopen", "results_visible",
                         "partnership_reports_shared", "texts_shared"):
                setattr(round_, name, form[name].data)
            db.session.commit()
            flash(_("Round saved."), "success")
            return redirect(url_for(".round_page", round_id=round_.id), code=303)
    # Once answered, the questionnaire is shown, not offered: a page drawn before the first answer is refused above.
    questionnaire = dict(form.questionnaire_version_id.choices)[round_.questionnaire_version_id] if answered else None
    return render_template("organiser/round_form.html", form=form, round=round_, questionnaire=questionnaire)


@bp.get("/rounds/<id:round_id>")
def round_page(round_id):
    round_ = round_or_404(round_id)
    filters = rounds.InvitationFilters(**{k: request.args.get(k, "") for k in ("status", "kind", "country", "side")})
    page = paginate(rounds.invitations_query(round_, filters), per_page=PAGE_SIZE)
    lang = current_lang()
    return render_template(
        "organiser/round.html", round=round_, summary=rounds.summary(round_), page=page, filters=filters,
        countries=countries_by_name(rounds.countries_in_round(round_), lang),
        kinds=AUTHORITY_TYPES, today=today(), invitation_url=invitation_url, country_name=country_name,
        differences=address_differences(round_),
    )


@bp.post("/rounds/<id:round_id>/close")
def close_round(round_id):
    round_ = round_or_404(round_id)
    round_.status = "closed"
    db.session.commit()
    flash(_("The round is closed: links now show that answers are no longer accepted."), "success")
    return redirect(url_for(".round_page", round_id=round_id), code=303)


@bp.post("/rounds/<id:round_id>/open")
def open_round(round_id):
    round_ = round_or_404(round_id)
    round_.status = "open"
    db.session.commit()
    if round_.closes_on < today():
        flash(_("The round is open again, but its closing date has passed: change the dates so that links accept answers."), "warning")
    else:
        flash(_("The round is open."), "success")
    return redirect(url_for(".round_page", round_id=round_id), code=303)


@bp.post("/rounds/<id:round_id>/delete")
def delete_round(round_id):
    round_ = round_or_404(round_id)
    try:
        rounds.delete_round(round_)
    except rounds.RoundError:
        flash(_("Authorities have started answering this round: it cannot be deleted. Close it instead."), "warning")
        return redirect(url_for(".round_page", round_id=round_id), code=303)
    db.session.commit()
    flash(_("Round deleted."), "success")
    return redirect(url_for(".rounds"), code=303)


@bp.route("/rounds/<id:round_id>/members", methods=["GET", "POST"])
def members(round_id):
    round_ = round_or_404(round_id)
    form = MemberForm()
    if form.validate_on_submit():
        organiser = find_by_email(form.email.data)
        if organiser is None or not organiser.active:
            form.email.errors = [_("No organiser account has this email.")]
        else:
            if organiser not in round_.members and organiser.id != round_.owner_id:
                round_.members.append(organiser)
                db.session.commit()
            flash(_("%(email)s can now see and run this round.", email=organiser.email), "success")
            return redirect(url_for(".members", round_id=round_id), code=303)
    return render_template("organiser/members.html", round=round_, form=form)


@bp.post("/rounds/<id:round_id>/members/<id:organiser_id>/remove")
def remove_member(round_id, organiser_id):
    round_ = round_or_404(round_id)
    round_.members = [m for m in round_.members if m.id != organiser_id]
    db.session.commit()
    return redirect(url_for(".members", round_id=round_id), code=303)


#: Authorities, and partnerships, the invite page's search lists at most.
SEARCH_LIMIT = 25


def _filter_form(counting: bool) -> InviteFilterForm:
    """Inviting by filter: sent in the address to count first (``counting``), then posted to start the job."""
    if counting:
        form = InviteFilterForm(formdata=request.args, prefix="filter", meta={"csrf": False})
    else:
        form = InviteFilterForm(prefix="filter")
    form.kind.choices = kind_choices(blank=_("Any type"))
    form.country.choices = [("", _("Any country"))] + country_choices(current_lang())
    return form


def _found(round_: Round, q: str) -> dict | None:
    """What the search finds, to invite one by one: authorities and partnerships, and which are invited already."""
    if not q:
        return None
    authorities = db.session.scalars(authority_search(q).limit(SEARCH_LIMIT + 1)).all()
    partnerships = db.session.scalars(partnership_search(q).limit(SEARCH_LIMIT + 1)).all()
    ids = [a.id for a in authorities[:SEARCH_LIMIT]]
    pairs = [p.id for p in partnerships[:SEARCH_LIMIT]]
    invited = db.session.execute(select(Invitation.authority_id, Invitation.partnership_id).where(
        Invitation.round_id == round_.id,
        or_(Invitation.authority_id.in_(ids), Invitation.partnership_id.in_(pairs)))).all()
    return {"authorities": authorities[:SEARCH_LIMIT], "partnerships": partnerships[:SEARCH_LIMIT],
            "more": len(authorities) > SEARCH_LIMIT or len(partnerships) > SEARCH_LIMIT,
            "invited_alone": {a for a, p in invited if p is None}, "invited_pairs": {p for _, p in invited if p}}


@bp.route("/rounds/<id:round_id>/invite", methods=["GET", "POST"])
def invite_page(round_id):
    round_ = round_or_404(round_id)
    counting = request.method == "GET" and any(name.startswith("filter-") for name in request.args)
    by_filter = _filter_form(counting)
    how = request.form.get("how")
    if request.method == "POST":
        if how == "filter":
            if by_filter.validate_on_submit():
                job, started = start_invite(round_, by_filter.kind.data, by_filter.country.data, current_user)
                if not started:
                    flash(_("This round is already inviting by filter: here is that job. Invite again once it has "
                            "ended."), "warning")
                return redirect(url_for(".job_page", job_id=job.id), code=303)
        elif how in ("one", "pair"):
            form = InviteAuthorityForm(prefix="one") if how == "one" else InvitePartnershipForm(prefix="pair")
            if not form.validate_on_submit():
                abort(400)
            if how == "one":
                invited = [invite(round_, db.get_or_404(Authority, form.authority_id.data))]
            else:
                invited = invite_partnership(round_, db.get_or_404(Partnership, form.partnership_id.data))
            db.session.commit()
            flash(ngettext("%(num)s invitation ready. Its link is on the round's page.",
                           "%(num)s invitations ready. Their links are on the round's page.", len(invited)), "success")
            return redirect(url_for(".round_page", round_id=round_id), code=303)
        else:
            abort(400)
    q = request.args.get("q", "").strip()
    counted = None
    if counting and by_filter.validate():
        counted = count_matching(round_, by_filter.kind.data, by_filter.country.data)
    return render_template("organiser/invite.html", round=round_, by_filter=by_filter, q=q, found=_found(round_, q),
                           counted=counted, running=active_job(INVITE_JOB, round_.id), country_name=country_name,
                           kinds=AUTHORITY_TYPES, describe_filters=describe_filters, search_limit=SEARCH_LIMIT,
                           **job_helpers())


@bp.get("/rounds/<id:round_id>/links.csv")
def links_csv(round_id):
    round_ = round_or_404(round_id)
    lang = current_lang()
    # Ready for a mail merge in the organiser's language: readable headers and values.
    headers = [_("Authority"), _("Type"), _("Country"), _("Email"), _("Language"), _("Partner"), _("Side"),
               _("Status"), _("Deadline"), _("Link")]
    deadline = long_date(round_.closes_on)
    rows = (
        [i.authority.name, str(AUTHORITY_TYPES[i.authority.kind]), country_name(i.authority.country, lang),
         i.email, i.authority.language, i.partner.name if i.partner else "",
         str(SIDE_LABELS[i.side]) if i.partner else "", str(STATUS_LABELS[i.response.status]), deadline,
         invitation_url(i)]
        for i in open_invitations(round_)
    )
    filename = f"evalapp-round-{round_.id}-links-{date.today().isoformat()}.csv"
    return csv_download(csv_text(headers, rows), filename)


@bp.get("/rounds/<id:round_id>/partnerships")
def partnerships_status(round_id):
    round_ = round_or_404(round_id)
    statuses = rounds.partnership_statuses(round_)
    counts = {state: sum(1 for s in statuses if s.state == state) for state in ("both", "one", "neither")}
    return render_template("organiser/partnership_status.html", round=round_, statuses=statuses, counts=counts)


@bp.route("/rounds/<id:round_id>/send", methods=["GET", "POST"])
def send(round_id):
    round_ = round_or_404(round_id)
    form = SendForm()
    if request.method == "GET" and request.args.get("target") in mailing.TARGETS:
        form.target.data = request.args["target"]
    configured = mailing.mail_configured()
    if form.validate_on_submit():
        if not configured:
            abort(400)
        job, started = mailing.start_send(round_, form.target.data, current_user)
        if not started:
            flash(_("A send is already under way for this round: here it is. Send again once it has ended."),
                  "warning")
        return redirect(url_for(".job_page", job_id=job.id), code=303)
    log = db.session.scalars(
        select(InvitationEmail).join(Invitation).where(Invitation.round_id == round_.id)
        .order_by(InvitationEmail.id.desc()).limit(200)
    ).all()
    return render_template("organiser/send.html", round=round_, form=form, configured=configured, log=log,
                           counts=mailing.recipient_counts(round_), differences=address_differences(round_),
                           active=active_job(mailing.JOB_KIND, round_.id), last=mailing.last_send(round_),
                           without_address=mailing.without_address(round_), **job_helpers())


@bp.post("/rounds/<id:round_id>/addresses", endpoint="use_directory_addresses")
def use_addresses(round_id):
    round_ = round_or_404(round_id)
    count = use_directory_addresses(round_)
    db.session.commit()
    flash(ngettext("%(num)s invitation now uses the directory's address.",
                   "%(num)s invitations now use the directory's address.", count), "success")
    return redirect(url_for(".round_page", round_id=round_id), code=303)


@bp.post("/rounds/<id:round_id>/invitations/<id:invitation_id>/revoke")
def revoke_invitation(round_id, invitation_id):
    invitation = invitation_or_404(round_or_404(round_id), invitation_id)
    revoke(invitation)
    db.session.commit()
    flash(_("The link of %(authority)s is withdrawn. Its answers are kept, out of the dashboards and exports "
            "until a new link is given.", authority=invitation.authority.name), "success")
    return redirect(url_for(".round_page", round_id=round_id), code=303)


@bp.post("/rounds/<id:round_id>/invitations/<id:invitation_id>/reissue")
def reissue_invitation(round_id, invitation_id):
    invitation = invitation_or_404(round_or_404(round_id), invitation_id)
    reissue(invitation)
    db.session.commit()
    flash(_("%(authority)s has a new link; the old one no longer works. Answers already given are kept.",
            authority=invitation.authority.name), "success")
    return redirect(url_for(".round_page", round_id=round_id), code=303)
