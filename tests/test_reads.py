"""Reading never writes: every page the application answers to a GET, in every state its data can be in,
is drawn without a write, a row lock or a commit. The only writes are the posts (and the jobs they start).

Every test checks it too (tests/conftest.py); this one makes sure that every GET of the application is
asked, and asked of data in every state: responses not started (with and without their row), in progress,
submitted, withdrawn and replaced; rounds open, closed and showing results; responses the dashboards'
figures leave out; jobs done; an export log; a directory with its history.
"""
import re

import plotly
import pytest
from sqlalchemy import insert, select, update

from evalapp import jobs, stories
from evalapp.extensions import csrf, db
from evalapp.invitations import invite, new_token, reissue, revoke
from evalapp.models import Authority, Invitation, Response, Round
from evalapp.synthetic import add_responses
from tests.api.helpers import make_token
from tests.factories import create_organiser, create_partnership_invitations, create_round, login, set_owner
from tests.reporting.fixtures import build_round
from tests.respond.helpers import AICT, csrf_token, post_section, section_data, start
from tests.writes import writes_during_reads

FIRST, SECOND = (section.code for section in AICT.sections_for("home")[:2])


def respondent_urls(token: str) -> list[str]:
    return [f"/r/{token}", f"/r/{token}/p/{FIRST}", f"/r/{token}/p/{SECOND}?check=1", f"/r/{token}/review",
            f"/r/{token}/saved", f"/r/{token}/results", f"/r/{token}/partnership-report", f"/r/{token}/start",
            f"/r/{token}/submit"]


def _without_response(app, round_id) -> str:
    """An invitation written without its response row (as an older version, or a load outside the app, left it)."""
    with app.app_context():
        authority = Authority(name="Commune sans réponse", kind="commune", country="FR")
        db.session.add(authority)
        db.session.flush()
        token = new_token()
        db.session.execute(insert(Invitation).values(round_id=round_id, authority_id=authority.id, side="home",
                                                     token=token))
        db.session.commit()
        return token


def _states(app, round_id, organiser_id, client) -> dict:
    """A round with responses in every state, another closed; return the tokens and ids the pages need."""
    made = build_round(app, round_id)  # four submitted responses, two partnerships
    in_progress, not_started = create_partnership_invitations(app, round_id)
    start(client, in_progress)
    post_section(client, in_progress, FIRST, section_data(FIRST), action="save")
    closed_id = create_round(app, opens_in_days=-30, closes_in_days=-1, title="Tour clos 2025")
    set_owner(app, closed_id, organiser_id)
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        round_.results_visible = True
        round_.partnership_reports_shared = round_.texts_shared = True
        revoke(db.session.get(Invitation, made["Tombouctou"][1]))
        alone = invite(round_, Authority(name="Commune seule", kind="commune", country="FR"))
        replaced = alone.token
        reissue(alone)
        closed = invite(db.session.get(Round, closed_id), Authority(name="Commune en retard", kind="commune",
                                                                     country="FR")).token
        stories.add_tag(made["Grenoble"][0], "STO_01", "eau")
        stories.set_selected(made["Grenoble"][0], "STO_01", True)
        db.session.commit()
        partnership_id = db.session.get(Invitation, made["Grenoble"][1]).partnership_id
        # Written in bulk: the dashboards' figures leave them out until a catch-up (a GET never counts them).
        add_responses(round_, 3, batch=10, catch_up=False)
    return {
        "tokens": {"submitted": made["Grenoble"][2], "in progress": in_progress, "not started": not_started,
                   "no response row": _without_response(app, round_id), "withdrawn": made["Tombouctou"][2],
                   "replaced": replaced, "round closed": closed},
        "round_id": round_id, "closed_id": closed_id, "partnership_id": partnership_id,
        "invitation_id": made["Lyon"][1],
    }


def _post(client, page, path, **data):
    response = client.post(path, data={"csrf_token": csrf_token(client.get(page).text), **data})
    assert response.status_code in (200, 303), (path, response.status_code)
    return response


def _organiser_records(app, admin, round_id) -> dict:
    """Exports downloaded (CSV, a workbook), exports (CSV, SPSS) and a count run as jobs, a directory change: what
    their pages list."""
    export = f"/o/rounds/{round_id}/export"
    fields = {"layout": "wide", "headers": "codes", "values": "codes", "lang": "fr", "delimiter": ",",
              "target": "spreadsheet"}
    _post(admin, export, export, preset="excel", **fields)
    _post(admin, export, export, preset="xlsx", **fields)
    app.config["EXPORT_JOB_THRESHOLD"] = 0
    job_id = int(re.search(r"/o/jobs/(\d+)", _post(admin, export, export, preset="analysis", **fields).location)[1])
    spss_job_id = int(re.search(r"/o/jobs/(\d+)", _post(admin, export, export, preset="sav", **fields).location)[1])
    _post(admin, f"/o/rounds/{round_id}/dashboard", f"/o/rounds/{round_id}/tallies/catch-up")
    jobs.wait_for_threads()
    _post(admin, "/o/authorities/new", "/o/authorities/new", name="Ville de Nantes", kind="commune", country="FR",
          language="fr", email="contact@nantes.example")
    with app.app_context():
        authority_id = db.session.scalar(select(Authority.id).where(Authority.name == "Ville de Nantes"))
        # The figures of the round are whole again: more bulk responses for the dashboards to leave out.
        add_responses(db.session.get(Round, round_id), 2, batch=10, seed=2, catch_up=False)
    # A draft being written, and one published.
    with app.app_context():
        version_id = db.session.get(Round, round_id).questionnaire_version_id
    questionnaires = "/o/questionnaires"
    draft_id = int(re.search(r"/o/drafts/(\d+)", _post(admin, questionnaires,
                                                        f"/o/questionnaires/{version_id}/copy").location)[1])
    published_id = int(re.search(r"/o/drafts/(\d+)", _post(admin, questionnaires,
                                                            f"/o/questionnaires/{version_id}/copy").location)[1])
    draft_page = admin.get(f"/o/drafts/{published_id}").text
    based_on = re.search(r'name="based_on"[^>]*value="(\d+)"', draft_page)[1]
    _post(admin, f"/o/drafts/{published_id}", f"/o/drafts/{published_id}/publish", based_on=based_on)
    return {"job_id": job_id, "spss_job_id": spss_job_id, "authority_id": authority_id, "version_id": version_id,
            "draft_id": draft_id, "published_id": published_id}


def organiser_urls(s: dict) -> list[str]:
    r = f"/o/rounds/{s['round_id']}"
    filtered = "?kind=commune&country=FR&side=home"
    d = f"/o/drafts/{s['draft_id']}"
    return [
        "/o/", "/o/rounds/new", "/o/password", "/o/account", "/o/login", "/o/admin/organisers", "/o/admin/backups",
        r, f"{r}?status=submitted&side=partner&page=1", f"{r}?status=withdrawn", f"{r}?status=revoked", f"{r}/edit", f"{r}/members",
        f"{r}/invite", f"{r}/invite?q=ville", f"{r}/invite?filter-kind=commune&filter-country=FR", f"{r}/links.csv",
        f"{r}/partnerships", f"{r}/send", f"{r}/send?target=reminder", f"{r}/jobs", f"{r}/export",
        f"{r}/export{filtered}",
        f"{r}/dashboard", f"{r}/dashboard{filtered}", f"{r}/reciprocity", f"{r}/reciprocity?side=partner",
        f"{r}/partnerships/{s['partnership_id']}", f"{r}/authorities/{s['invitation_id']}",
        f"{r}/compare?with={s['closed_id']}", f"{r}/texts", f"{r}/texts?item=STO_01&q=r%C3%A9cit&anonymous=1",
        f"{r}/stories", f"{r}/stories?i=1&anonymous=1", f"{r}/stories.csv", f"{r}/report", f"{r}/report{filtered}",
        f"{r}/report?lang=en", f"{r}/report/options", f"{r}/partnerships/{s['partnership_id']}/report",
        f"{r}/partnerships/{s['partnership_id']}/report?lang=en",
        f"/o/rounds/{s['closed_id']}", f"/o/rounds/{s['closed_id']}/dashboard",
        f"/o/jobs/{s['job_id']}", f"/o/jobs/{s['job_id']}/download",
        f"/o/jobs/{s['spss_job_id']}", f"/o/jobs/{s['spss_job_id']}/download",
        "/o/authorities", "/o/authorities?q=ville&kind=commune", "/o/authorities/new",
        f"/o/authorities/{s['authority_id']}/edit", "/o/partnerships", "/o/partnerships/new",
        "/o/import", "/o/import/authorities-template.csv", "/o/import/partnerships-template.csv",
        "/o/directory/changes", f"/o/directory/changes?authority={s['authority_id']}",
        "/o/questionnaires", f"/o/questionnaires/{s['version_id']}/definition.yaml",
        f"/o/questionnaires/{s['version_id']}/texts.xlsx",
        d, f"{d}/general", f"{d}/sections/{FIRST}", f"{d}/sections/new", f"{d}/sections/{FIRST}/items/new?type=matrix",
        f"{d}/items/{AICT.sections[0].items[0].code}", f"{d}/definition.yaml", f"{d}/texts.xlsx", f"{d}/publish",
        f"{d}/preview",
        f"{d}/preview?side=partner&lang=en&partnership=0", f"/o/drafts/{s['published_id']}",
    ]


def api_urls(s: dict) -> list[str]:
    """The API's addresses, asked with a token (its last use is the one write a GET may make: tests/writes.py)."""
    r = f"/api/v1/rounds/{s['round_id']}"
    return ["/api/v1/rounds", r, f"{r}/questionnaire", f"{r}/responses", f"{r}/responses?status=all&limit=2",
            f"{r}/responses?side=partner", f"{r}/aggregates", f"{r}/aggregates?kind=commune&country=FR",
            f"/api/v1/rounds/{s['closed_id']}/aggregates", "/api/v1/openapi.json", "/api/v1/docs"]


def test_no_page_writes_whatever_the_state_of_what_it_shows(app, organiser_id, round_id):
    admin_id = create_organiser(app, "admin@example.org", admin=True)
    admin = app.test_client()
    assert login(admin, "admin@example.org").status_code == 303
    program = app.test_client()
    program.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(app, admin_id)}"
    state = _states(app, round_id, organiser_id, app.test_client())
    state |= _organiser_records(app, admin, round_id)
    public = ["/", "/healthz", f"/assets/plotly-{plotly.__version__}.min.js", "/static/css/app.css",
              "/bootstrap/static/bootstrap5/css/bootstrap.min.css", "/o/login"]
    respondent = [url for token in state["tokens"].values() for url in respondent_urls(token)]

    asked, statuses = set(), {}
    with writes_during_reads() as writes:
        for client, urls in [(app.test_client(), public + respondent), (admin, organiser_urls(state)),
                             (program, api_urls(state))]:
            for url in urls:
                response = client.get(url)
                statuses[url] = response.status_code
                assert response.status_code < 500, url
                response.close()
                asked.add(app.url_map.bind("evalapp.test").match(url.split("?")[0])[0])

    assert writes == []
    # Every page was drawn, not refused: a respondent's page by its state, an organiser's in full.
    tokens = state["tokens"]
    assert [statuses[f"/r/{tokens[s]}"] for s in tokens] == [200, 200, 200, 200, 410, 410, 403]
    assert statuses[f"/r/{tokens['no response row']}/p/{FIRST}"] == 200
    assert {url: statuses[url] for url in organiser_urls(state) if statuses[url] != 200} == {"/o/login": 302}
    assert {url: statuses[url] for url in api_urls(state) if statuses[url] != 200} == {}
    # Every GET the application answers was asked: a page added later is checked as soon as it is listed here.
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert pages - asked == set()


@pytest.mark.writes_on_a_get
def test_a_page_that_writes_is_caught(app, client, tokens):
    """The check itself: a write during a GET is recorded with its page, a post's are not."""
    @app.route("/test-writes", methods=["GET", "POST"])
    @csrf.exempt
    def write_something():
        db.session.execute(update(Response).values(current_section="profile"))
        db.session.commit()
        return "written"

    with writes_during_reads() as writes:
        assert client.post("/test-writes").status_code == 200
        assert client.get(f"/r/{tokens[0]}").status_code == 200
        assert client.get("/test-writes?x=1").status_code == 200
    assert len(writes) == 2
    assert writes[0].startswith("GET /test-writes?x=1: UPDATE responses SET current_section=")
    assert writes[1] == "GET /test-writes?x=1: COMMIT"
