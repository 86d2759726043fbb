"""Rounds from the browser: create, edit, open and close, delete; the round's page."""
import csv
import html
import io
from datetime import timedelta

from sqlalchemy import select

from evalapp.clock import today
from evalapp.extensions import db
from evalapp.models import Invitation, QuestionnaireVersion, Round
from tests.respond.helpers import csrf_token, fill_everything, start, submit


def create_via_form(orga, **overrides):
    page = orga.get("/o/rounds/new")
    assert page.status_code == 200
    version = page.text.split('name="questionnaire_version_id"')[1].split('value="')[1].split('"')[0]
    data = {"csrf_token": csrf_token(page.text), "title": "Tour 2027", "description": "Deuxième tour",
            "questionnaire_version_id": version, "opens_on": today().isoformat(),
            "closes_on": (today() + timedelta(days=30)).isoformat(), **overrides}
    return orga.post("/o/rounds/new", data=data)


def test_create_a_round_from_a_questionnaire_version(app, orga, round_id):
    response = create_via_form(orga, allow_reopen="y")
    assert response.status_code == 303 and "/invite" in response.location
    with app.app_context():
        created = db.session.scalar(select(Round).where(Round.title == "Tour 2027"))
        assert created.allow_reopen and created.status == "open" and created.owner_id is not None
    assert "Tour 2027" in orga.get("/o/").text


def test_closing_date_before_opening_is_refused_at_the_field(orga, round_id):
    response = create_via_form(orga, closes_on=(today() - timedelta(days=1)).isoformat())
    assert response.status_code == 200
    assert "La date de clôture doit suivre la date d" in response.text and 'id="closes_on-error"' in response.text


def test_close_and_reopen_a_round(app, orga, round_id, tokens):
    token = csrf_token(orga.get(f"/o/rounds/{round_id}").text)
    orga.post(f"/o/rounds/{round_id}/close", data={"csrf_token": token})
    closed = app.test_client().get(f"/r/{tokens[0]}")
    assert closed.status_code == 403 and "est clos" in closed.text
    orga.post(f"/o/rounds/{round_id}/open", data={"csrf_token": token})
    assert app.test_client().get(f"/r/{tokens[0]}").status_code == 200


def test_a_round_with_responses_keeps_its_questionnaire_and_cannot_be_deleted(app, orga, round_id, tokens):
    with app.app_context():
        v1 = db.session.scalar(select(QuestionnaireVersion.id))
        other = QuestionnaireVersion(code="aict", version=99, definition=db.session.get(QuestionnaireVersion, v1).definition,
                                     checksum="x" * 64)
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    respondent = app.test_client()
    start(respondent, tokens[0])
    page = orga.get(f"/o/rounds/{round_id}/edit")
    data = {"csrf_token": csrf_token(page.text), "title": "Renamed", "questionnaire_version_id": other_id,
            "opens_on": today().isoformat(), "closes_on": (today() + timedelta(days=3)).isoformat()}
    response = orga.post(f"/o/rounds/{round_id}/edit", data=data)
    assert "le questionnaire ne peut plus changer" in response.text
    response = orga.post(f"/o/rounds/{round_id}/delete", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 303
    with app.app_context():
        kept = db.session.get(Round, round_id)
        assert kept is not None and kept.questionnaire_version_id == v1 and kept.title != "Renamed"


def test_an_answered_rounds_settings_show_its_questionnaire_and_still_save(app, orga, round_id, tokens):
    start(app.test_client(), tokens[0])
    page = orga.get(f"/o/rounds/{round_id}/edit")
    assert '<select' not in page.text.split('name="questionnaire_version_id"')[0].rsplit("<div", 1)[1]
    assert page.text.count("le questionnaire ne peut plus changer") == 1
    with app.app_context():
        kept = db.session.get(Round, round_id)
        version, title = kept.questionnaire_version_id, kept.questionnaire_version.definition["title"]["fr"]
    assert f"{title} (v" in html.unescape(page.text)
    hidden = page.text.split('name="questionnaire_version_id" value="')[1].split('"')[0]
    data = {"csrf_token": csrf_token(page.text), "title": "Renamed", "questionnaire_version_id": hidden,
            "opens_on": today().isoformat(), "closes_on": (today() + timedelta(days=3)).isoformat()}
    assert orga.post(f"/o/rounds/{round_id}/edit", data=data).status_code == 303
    with app.app_context():
        renamed = db.session.get(Round, round_id)
        assert renamed.title == "Renamed" and renamed.questionnaire_version_id == version


def test_a_round_nobody_answered_can_be_deleted(app, orga, round_id, tokens):
    token = csrf_token(orga.get(f"/o/rounds/{round_id}").text)
    assert orga.post(f"/o/rounds/{round_id}/delete", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert db.session.get(Round, round_id) is None
        assert db.session.scalars(select(Invitation)).all() == []


def test_round_page_counts_statuses_rate_and_activity_and_watches_them_change(app, orga, round_id, tokens):
    page = orga.get(f"/o/rounds/{round_id}")
    assert 'id="count-not_started">2<' in page.text and 'id="count-submitted">0<' in page.text
    assert 'id="response-rate">0' in page.text
    respondent = app.test_client()
    start(respondent, tokens[1])
    assert 'id="count-in_progress">1<' in orga.get(f"/o/rounds/{round_id}").text
    fill_everything(respondent, tokens[1], side="partner")
    submit(respondent, tokens[1])
    page = orga.get(f"/o/rounds/{round_id}")
    assert 'id="count-submitted">1<' in page.text and 'id="response-rate">50' in page.text
    # Each invitation with its link to copy.
    for token in tokens:
        assert f"http://evalapp.test/r/{token}" in page.text


def test_invitations_filter_by_status_type_country_and_side(app, orga, round_id, tokens):
    respondent = app.test_client()
    fill_everything(respondent, tokens[0])
    submit(respondent, tokens[0])
    home, partner = (f'id="link-{n}"' for n in invitation_ids(app, tokens))

    def listed(query):
        page = orga.get(f"/o/rounds/{round_id}?{query}").text
        return [name for name, marker in (("home", home), ("partner", partner)) if marker in page]

    assert listed("") == ["home", "partner"]
    assert listed("status=submitted") == ["home"]
    assert listed("status=not_started") == ["partner"]
    assert listed("country=BF") == ["partner"]
    assert listed("kind=commune") == ["home"]
    assert listed("side=partner") == ["partner"]
    assert listed("status=submitted&country=BF") == []


def invitation_ids(app, tokens):
    with app.app_context():
        return [db.session.scalar(select(Invitation.id).where(Invitation.token == t)) for t in tokens]


def test_open_links_csv_for_a_mail_merge(app, orga, round_id, tokens):
    respondent = app.test_client()
    fill_everything(respondent, tokens[0])
    submit(respondent, tokens[0])
    response = orga.get(f"/o/rounds/{round_id}/links.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [r["Lien"] for r in rows] == [f"http://evalapp.test/r/{tokens[1]}"]  # submitted ones are not open
    assert rows[0]["Collectivité"] == "Commune de Ouagadougou" and rows[0]["Partenaire"] == "Ville de Grenoble"
    assert rows[0]["Côté"] == "partenaire" and rows[0]["Pays"] == "Burkina Faso" and rows[0]["État"] == "pas commencé"


def test_links_csv_neutralises_formulas_in_names(app, orga, round_id):
    from evalapp.invitations import invite
    from evalapp.models import Authority

    with app.app_context():
        evil = Authority(name="=HYPERLINK(\"http://x\")", kind="commune", country="FR")
        db.session.add(evil)
        invite(db.session.get(Round, round_id), evil)
        db.session.commit()
    text = orga.get(f"/o/rounds/{round_id}/links.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_reopening_a_submitted_response_when_the_round_allows_it(app, orga, round_id, tokens):
    respondent = app.test_client()
    fill_everything(respondent, tokens[0])
    submit(respondent, tokens[0])
    assert "Modifier mes réponses" not in respondent.get(f"/r/{tokens[0]}").text
    with app.app_context():
        db.session.get(Round, round_id).allow_reopen = True
        db.session.commit()
    page = respondent.get(f"/r/{tokens[0]}")
    assert "Modifier mes réponses" in page.text
    response = respondent.post(f"/r/{tokens[0]}/reopen", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 303 and response.location.endswith("/review")
    review = respondent.get(response.location).text
    assert "Envoyer mes réponses" in review
    assert "elles pourront encore être modifiées jusqu" in review and "ne pourront plus" not in review
    assert submit(respondent, tokens[0]).status_code == 303


def test_reopening_is_refused_when_not_allowed(app, round_id, tokens):
    respondent = app.test_client()
    fill_everything(respondent, tokens[0])
    submit(respondent, tokens[0])
    page = respondent.get(f"/r/{tokens[0]}")
    assert respondent.post(f"/r/{tokens[0]}/reopen", data={"csrf_token": csrf_token(page.text)}).status_code == 403


def test_partnership_status_both_one_neither(app, orga, round_id, tokens):
    respondent = app.test_client()
    fill_everything(respondent, tokens[0])
    submit(respondent, tokens[0])
    page = orga.get(f"/o/rounds/{round_id}/partnerships").text
    assert "un seul côté" in page
    fill_everything(respondent, tokens[1], side="partner")
    submit(respondent, tokens[1])
    assert "les deux" in orga.get(f"/o/rounds/{round_id}/partnerships").text


def test_links_follow_the_address_the_site_is_reached_at(app_with, organiser_id, round_id, tokens):
    from tests.factories import login

    app = app_with(BASE_URL=None)
    client = app.test_client()
    login(client)
    page = client.get(f"/o/rounds/{round_id}", base_url="http://localhost:5066")
    assert f"http://localhost:5066/r/{tokens[0]}" in page.text


def test_long_invitation_lists_are_paged_and_pages_keep_the_filters(orga, round_id, tokens, monkeypatch):
    from evalapp.organiser import round_views

    monkeypatch.setattr(round_views, "PAGE_SIZE", 1)
    first = orga.get(f"/o/rounds/{round_id}?side=").text
    assert "Page 1 sur 2" in first and f"/o/rounds/{round_id}?page=2&amp;status=&amp;kind=&amp;country=&amp;side=" in first
    second = orga.get(f"/o/rounds/{round_id}?page=2").text
    assert "Page 2 sur 2" in second and (f"/r/{tokens[0]}" in first) != (f"/r/{tokens[0]}" in second)
