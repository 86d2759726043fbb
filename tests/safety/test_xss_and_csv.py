"""No one let in: script- and formula-bearing texts stay inert on every page, chart, email and CSV file.

One round is seeded through the forms people use, with a payload in every text an organiser or
an authority types: authority names and regions, the partnership's name, round titles and
description, story tags, every free-text answer and every "other, specify" field of both sides.
"""
import csv
import email
import email.policy
import io
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from itertools import product
from urllib.parse import urlencode

import pytest
from markupsafe import escape
from sqlalchemy import select

from evalapp import jobs
from evalapp.clock import today
from evalapp.extensions import db
from evalapp.models import Authority, Invitation, Partnership
from evalapp.organiser.forms import ExportForm
from evalapp.questionnaires.loader import load_all
from evalapp.reporting.charts import safe
from tests.factories import create_organiser, login
from tests.respond.helpers import AICT, csrf_token, post_section, start, submit, valid_answer

HTML = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)',
        '</script><script>alert(1)</script>', '{{7*7}}']
FORMULAS = ['=HYPERLINK("http://x")', '+1+1', '-1+1', '@SUM(1)']
#: What a spreadsheet runs as a formula at the start of a cell (tab and carriage return too).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# What the organisers type.
TITLE = '=1+1 </script><script>alert(1)</script> Tour {{7*7}}'
DESCRIPTION = '"><img src=x onerror=alert(1)> javascript:alert(1) {{7*7}} description'
EARLIER_TITLE = '<script>alert(1)</script> Tour précédent {{7*7}}'
HOME = '=HYPERLINK("http://x") <script>alert(1)</script> Grenoble'
PARTNER = '\t+1+1 "><img src=x onerror=alert(1)> Ouagadougou'
HOME_REGION = '-1+1 {{7*7}} Isère'
PARTNER_REGION = '\r@SUM(1) javascript:alert(1) Kadiogo'
PAIR_NAME = '@SUM(1) </script><script>alert(1)</script> Jumelage'
TAG = '+tag "><svg onload=alert(1)>'
IMPORTED_FILE = "{{7*7}} <b onmouseover=alert(1)>annuaire.csv"


def typed_answers(side: str) -> dict[str, dict[str, str]]:
    """Every text field of the side's questionnaire, by section, with a payload of its own."""
    fields = [(s.code, item.code if item.type in ("short_text", "long_text") else item.code + "__other")
              for s in AICT.sections_for(side) for item in s.items_for(side)
              if item.type in ("short_text", "long_text") or item.other]
    typed: dict[str, dict[str, str]] = {}
    for n, (section, name) in enumerate(fields):
        typed.setdefault(section, {})[name] = f"{FORMULAS[n % 4]} {HTML[n % 5]} {name} {side}"
    return typed


ANSWERS = {side: typed_answers(side) for side in ("home", "partner")}
#: The long texts: the stories organisers read one by one.
STORIES = [v for typed_side in ANSWERS.values() for typed in typed_side.values() for name, v in typed.items()
           if name in AICT.items_by_code and AICT.items_by_code[name].type == "long_text"]


def section_data(side: str, code: str) -> dict:
    """A page of answers: the payloads in every text, "other" chosen wherever it is offered."""
    data = {}
    for item in AICT.section(side, code).items_for(side):
        if item.other:
            data[item.code] = "other" if item.type == "single" else ["other"]
        elif item.type not in ("short_text", "long_text"):
            data.update(valid_answer(item))
    return {**data, **ANSWERS[side].get(code, {})}


@dataclass
class Seed:
    round_id: int
    earlier_id: int
    partnership_id: int
    authority_ids: list[int]
    invitation_ids: list[int]
    tokens: dict[str, str]  # by side
    #: (job id, what its page shows)
    job_ids: list[tuple[int, list[str]]] = field(default_factory=list)
    #: A questionnaire version, and a draft copied from it whose texts are typed texts (TITLE).
    version_id: int | None = None
    draft_id: int | None = None


# --- What must never be on a page ---------------------------------------------------------------

#: Tags the templates never write: any of them on a page came from someone's text.
FOREIGN_TAGS = {"img", "svg", "iframe", "object", "embed"}
#: What Plotly may read as markup in a figure's texts: line breaks and hover boxes, nothing of people's.
PLOTLY_TAGS = {"<br>", "<extra>", "</extra>"}


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.json_blocks = [], []
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in FOREIGN_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"{name}= attribute on <{tag}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f'{name}="javascript:..." on <{tag}>')
        if tag == "script":
            self._in_json = attrs.get("type") == "application/json"
            if not self._in_json and not (attrs.get("src") or "").startswith("/"):
                self.problems.append(f"inline script {attrs}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json = False

    def handle_data(self, data):
        if self._in_json:
            self.json_blocks.append(data)


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def strings_in(value):
    """Every string of a decoded JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


def chart_texts(html: str) -> str:
    return " ".join(t for block in parse(html).json_blocks for t in strings_in(json.loads(block)))


def flat(text: str) -> str:
    return " ".join(text.split())


def shows(html: str, value: str) -> bool:
    """The value is on the page, escaped (whitespace as the page lays it out)."""
    return flat(str(escape(value))) in flat(html)


def chart_shows(html: str, value: str) -> bool:
    """The value is in a figure, as Plotly must get it: escaped, perhaps broken over lines."""
    return flat(safe(value)) in flat(chart_texts(html).replace("<br>", " "))


EVERY_TEXT = [TITLE, DESCRIPTION, EARLIER_TITLE, HOME, PARTNER, HOME_REGION, PARTNER_REGION, PAIR_NAME, TAG,
              *[v for side in ANSWERS.values() for section in side.values() for v in section.values()]]


def assert_inert(html: str, where):
    parser = parse(html)
    assert not parser.problems, (where, parser.problems)
    lowered = html.lower()
    assert "<script>alert" not in lowered and "<img src=x" not in lowered and "<svg onload" not in lowered, where
    for block in parser.json_blocks:
        # No character that could end the block early, and JSON that Plotly can read.
        assert not re.search(r"[<>]", block), (where, "raw < or > in figure JSON")
        tags = set(re.findall(r"</?[a-z][^>]*>", " ".join(strings_in(json.loads(block)))))
        assert tags <= PLOTLY_TAGS, (where, tags - PLOTLY_TAGS)
    for value in EVERY_TEXT:
        if "{{7*7}}" in value:
            assert not shows(html, value.replace("{{7*7}}", "49")), (where, "template evaluated", value)


# --- The round, typed in through the forms --------------------------------------------------------

def send_form(client, url, data, status=303, form_page=None):
    """Post a form as a browser would; the page it leads to (flash messages included) must be inert."""
    page = client.get(form_page or url)
    response = client.post(url, data={"csrf_token": csrf_token(page.text), **data})
    assert response.status_code == status, (url, response.status_code)
    landing = client.get(response.location) if status == 303 else response
    if landing.mimetype == "text/html":
        assert_inert(landing.text, url)
    return response


def create_round(orga, title, description):
    page = orga.get("/o/rounds/new")
    # aict v1, which the answers below are written for (AICT).
    version = re.search(r'<option[^>]*value="(\d+)"[^>]*>[^<]*\(v1\)</option>', page.text).group(1)
    response = send_form(orga, "/o/rounds/new", {
        "title": title, "description": description, "questionnaire_version_id": version,
        "opens_on": (today() - timedelta(days=1)).isoformat(), "closes_on": (today() + timedelta(days=30)).isoformat(),
        "allow_reopen": "y", "results_visible": "y", "partnership_reports_shared": "y", "texts_shared": "y"})
    return int(re.search(r"/o/rounds/(\d+)/invite", response.location).group(1))


def create_authority(orga, name, kind, country, region, language, email):
    send_form(orga, "/o/authorities/new", {"name": name, "kind": kind, "country": country, "region": region,
                                           "population": "160000", "language": language, "email": email})


def seed_round(app, orga) -> Seed:
    round_id = create_round(orga, TITLE, DESCRIPTION)
    earlier_id = create_round(orga, EARLIER_TITLE, DESCRIPTION)
    create_authority(orga, HOME, "commune", "FR", HOME_REGION, "fr", "intl@grenoble.example")
    create_authority(orga, PARTNER, "foreign_municipality", "BF", PARTNER_REGION, "en", "mairie@ouaga.example")
    with app.app_context():
        home_id, partner_id = (db.session.scalar(select(Authority.id).where(Authority.name == name)) for name in (HOME, PARTNER))
    send_form(orga, "/o/partnerships/new", {"home_authority_id": home_id, "partner_authority_id": partner_id,
                                            "start_year": "1967", "name": PAIR_NAME})
    with app.app_context():
        partnership_id = db.session.scalar(select(Partnership.id))
    send_form(orga, f"/o/rounds/{round_id}/invite", {"how": "pair", "pair-partnership_id": partnership_id})
    with app.app_context():
        invitations = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
        invitation_ids = [i.id for i in invitations]
    # Withdrawing a link and issuing a new one name the authority in a message.
    for action in ("revoke", "reissue"):
        send_form(orga, f"/o/rounds/{round_id}/invitations/{invitation_ids[1]}/{action}", {},
                  form_page=f"/o/rounds/{round_id}")
    with app.app_context():
        tokens = {i.side: i.token for i in db.session.scalars(select(Invitation))}
    for side, token in tokens.items():
        respondent = app.test_client()
        start(respondent, token)
        for section in AICT.sections_for(side):
            assert post_section(respondent, token, section.code, section_data(side, section.code)).status_code == 303
    # Invitations and reminders by email, each a job: the send page lists them with the authorities' names.
    sends = []
    for target in ("not_sent", "not_submitted"):
        sends.append(int(send_form(orga, f"/o/rounds/{round_id}/send", {"target": target}).location.rsplit("/", 1)[1]))
        jobs.wait_for_threads()
    return Seed(round_id, earlier_id, partnership_id, [home_id, partner_id], invitation_ids, tokens,
                job_ids=[(job_id, [TITLE]) for job_id in sends])


@pytest.fixture
def seeded(app, app_with):
    """(app, organiser's client, Seed): groups of one are shown, emails kept in the app's outbox."""
    shown = app_with(MIN_GROUP_SIZE=1, MAIL_BACKEND="locmem")
    with shown.app_context():
        load_all()
        db.session.commit()
    create_organiser(shown, "admin@example.org", admin=True)
    orga = shown.test_client()
    assert login(orga, "admin@example.org").status_code == 303
    s = seed_round(shown, orga)
    s.version_id, s.draft_id = seed_draft(shown)
    return shown, orga, s


def seed_draft(app) -> tuple[int, int]:
    """A draft of the next aict version whose question REC_01 and page reciprocity are worded TITLE."""
    from evalapp.models import Organiser, QuestionnaireVersion
    from evalapp.questionnaires import drafts, editing

    with app.app_context():
        organiser = db.session.scalar(select(Organiser).filter_by(email="admin@example.org"))
        version = db.session.scalar(select(QuestionnaireVersion).filter_by(code="aict", version=2))
        draft = drafts.start_new_version(organiser, version)
        document = draft.latest.document
        item = dict(editing.item_of(document, "REC_01"), text={"fr": TITLE, "en": TITLE})
        document = editing.replace_item(document, "REC_01", item)
        document = editing.replace_section(document, "reciprocity", {
            "code": "reciprocity", "title": {"fr": TITLE, "en": TITLE}, "intro": None, "sides": None, "when": None})
        drafts.save(draft, document, 1, organiser, drafts.change("uploaded", file=TITLE))
        db.session.commit()
        return version.id, draft.id


def finish(app, orga, s: Seed):
    """Both sides submit; every story is coded and selected; an export is logged with a filter."""
    for token in s.tokens.values():
        assert submit(app.test_client(), token).status_code == 303
    stories = f"/o/rounds/{s.round_id}/stories"
    for i in range(len(STORIES)):
        page = orga.get(f"{stories}?i={i}").text
        story = {k: re.search(rf'name="{k}" value="([^"]+)"', page).group(1) for k in ("response_id", "item_code")}
        for action in ("tag", "select"):
            send_form(orga, stories, {**story, "i": i, "action": action, "tag": TAG}, form_page=f"{stories}?i={i}")
    send_form(orga, f"/o/rounds/{s.round_id}/export?{urlencode({'region': HOME_REGION})}", {
        "layout": "wide", "preset": "excel", "headers": "codes", "values": "codes", "lang": "fr", "delimiter": ",",
        "region": HOME_REGION}, status=200)
    # The same export as a job, made at once (as for a round over EXPORT_JOB_THRESHOLD responses).
    from evalapp.jobs.exports import create_export_job
    from evalapp.models import Round
    from evalapp.reporting.aggregate import Filters
    from evalapp.reporting.export import ExportOptions

    with app.app_context():
        job = create_export_job(db.session.get(Round, s.round_id), "wide",
                                ExportOptions.excel(filters=Filters(region=HOME_REGION)), None)
        db.session.commit()
        jobs.send_job(job)
        s.job_ids.append((job.id, [TITLE, HOME_REGION]))
    jobs.wait_for_threads()
    # A directory import refused by its job: its page quotes the file's name and the values it refuses.
    app.config["IMPORT_JOB_THRESHOLD"] = 0
    page = orga.get("/o/import")
    refused = orga.post("/o/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page.text), "kind": "authorities",
        "file": (io.BytesIO(f"nom;type;pays\r\nVille;{TAG};FR\r\n".encode()), IMPORTED_FILE)})
    app.config["IMPORT_JOB_THRESHOLD"] = 5000
    jobs.wait_for_threads()
    s.job_ids.append((int(refused.location.rsplit("/", 1)[1]), [TAG, IMPORTED_FILE]))


# --- Every page -----------------------------------------------------------------------------------

def answers_of(side: str, section: str | None = None) -> list[str]:
    return [v for code, typed in ANSWERS[side].items() if section in (None, code) for v in typed.values()]


#: The "other" texts of multiple choices: the dashboard lists them under their chart.
MULTIPLE_OTHERS = [v for side in ANSWERS for typed in ANSWERS[side].values() for name, v in typed.items()
                   if name.endswith("__other") and AICT.items_by_code[name.removesuffix("__other")].type == "multiple"]
NAMES = {"home": HOME, "partner": PARTNER}
OTHER_SIDE = {"home": "partner", "partner": "home"}

#: What each page shows of the seeded texts, escaped: a list, or a function of the page's arguments.
#: A GET route missing here fails the test: say what the new page shows, and it is checked too.
SHOWN = {
    "index": [], "healthz": [], "auth.login": [], "auth.change_password": [], "auth.organisers": [],
    "auth.account": [], "api.docs": [],
    "organiser.rounds": [TITLE, EARLIER_TITLE],
    "organiser.new_round": [],
    "organiser.edit_round": [TITLE, DESCRIPTION],
    "organiser.round_page": [TITLE, HOME, PARTNER],
    "organiser.members": [TITLE],
    "organiser.invite_page": [TITLE, HOME, PARTNER, PAIR_NAME],
    "organiser.partnerships_status": [TITLE, HOME, PARTNER],
    "organiser.send": [TITLE, HOME, PARTNER],
    "organiser.export_page": [TITLE, HOME_REGION],
    "organiser.dashboard": [TITLE, HOME_REGION, PARTNER_REGION, *MULTIPLE_OTHERS],
    "organiser.reciprocity": [TITLE, HOME, PARTNER],
    "organiser.partnership_page": [TITLE, HOME, PARTNER],
    "organiser.partnership_report_page": [TITLE, HOME, PARTNER],
    "organiser.report_options": [TITLE],
    "organiser.authority_page": [TITLE, HOME, PARTNER],
    "organiser.compare_rounds": [TITLE, EARLIER_TITLE],
    "organiser.texts": [TITLE, HOME, PARTNER, *answers_of("home"), *answers_of("partner")],
    "organiser.stories_page": [TITLE, TAG],
    "organiser.report": [TITLE, HOME, PARTNER, *MULTIPLE_OTHERS],
    "organiser.authorities": [HOME, PARTNER, HOME_REGION, PARTNER_REGION],
    "organiser.new_authority": [],
    "organiser.edit_authority": lambda a: list(a["authority"]),
    "organiser.partnerships": [HOME, PARTNER, PAIR_NAME],
    "organiser.new_partnership": [HOME, PARTNER],
    "organiser.import_csv": [],
    "organiser.directory_changes": [HOME, PARTNER, HOME_REGION, PARTNER_REGION, PAIR_NAME],
    "organiser.job_page": lambda a: a["job_shows"],
    "organiser.round_jobs": [TITLE, HOME_REGION],
    "organiser.backups": [],
    "organiser.questionnaires": [],
    "organiser.draft_page": [TITLE],
    "organiser.draft_general": [],
    "organiser.draft_section": [TITLE],
    "organiser.new_section": [],
    "organiser.new_item": [],
    "organiser.draft_item": [TITLE],
    "organiser.preview_draft": [],
    "organiser.publish_draft": [],
    # A respondent sees their own answers and names, never the other side's answers.
    "respond.welcome": lambda a: [TITLE, NAMES[a["side"]], *(
        answers_of(a["side"]) if a["submitted"] else [NAMES[OTHER_SIDE[a["side"]]], DESCRIPTION])],
    "respond.section": lambda a: [NAMES[a["side"]], *answers_of(a["side"], a["code"])],
    "respond.review": lambda a: [NAMES[a["side"]], *answers_of(a["side"])],
    "respond.saved": lambda a: [NAMES[a["side"]]],
    "respond.results": lambda a: [NAMES[a["side"]]],
    "respond.partnership_report": lambda a: [TITLE, NAMES[a["side"]], NAMES[OTHER_SIDE[a["side"]]]],
}
#: What the figures of a page show (names in legends and titles, round titles on an axis, tags).
CHARTS = {
    "organiser.reciprocity": [HOME, PARTNER], "organiser.partnership_page": [HOME, PARTNER],
    "organiser.partnership_report_page": [HOME, PARTNER],
    "organiser.authority_page": [HOME, PARTNER], "organiser.report": [HOME, PARTNER],
    "organiser.compare_rounds": [TITLE, EARLIER_TITLE], "organiser.stories_page": [TAG],
    "respond.results": lambda a: [NAMES[a["side"]]],
}
#: Files, not pages: those of the application, and the CSV downloads (see test_every_csv_download...).
NOT_PAGES = {"static", "bootstrap.static", "assets.plotly_js",
             # A questionnaire's definition file and its texts for translators (tests/organiser/test_questionnaire_editor.py).
             "organiser.version_yaml", "organiser.version_texts", "organiser.draft_yaml", "organiser.draft_texts",
             # A job's file: the export page's file byte for byte (tests/jobs/test_export_jobs.py).
             "organiser.job_download",
             # JSON read with a token, its texts exact as typed, as application/json with nosniff (tests/api/).
             "api.rounds_list", "api.round_detail", "api.questionnaire", "api.responses", "api.aggregates",
             "api.openapi_json",
             # A form's address opened as a page: a redirect to the welcome or review page (tests/respond/test_path.py).
             "respond.page_of_a_form"}
CSV_DOWNLOADS = {"organiser.links_csv", "organiser.stories_csv", "organiser.import_template"}
#: The respondent's pages while answering, and once submitted (the others then lead back to the welcome page).
WHILE_ANSWERING = {"respond.welcome", "respond.section", "respond.review", "respond.saved"}
ONCE_SUBMITTED = {"respond.welcome", "respond.results", "respond.partnership_report"}
#: Query strings a page is also opened with: texts people typed, sent back in the address.
REFLECTED = {"region": HOME_REGION, "q": HTML[1], "next": HTML[2], "item": HTML[0], "with": HTML[3], "i": HTML[4]}
#: The query a page is first opened with (its texts then checked), and others it is opened with too.
QUERY = {"organiser.compare_rounds": lambda s: {"with": s.earlier_id},
         # A search the names of both sides answer (and the partnership, by its sides).
         "organiser.invite_page": lambda s: {"q": "alert"}}
VARIANTS = {
    "organiser.texts": [{"anonymous": "1"}, {"q": HTML[1]}],
    "organiser.stories_page": [{"i": i} for i in range(1, len(STORIES))] + [{"anonymous": "1"}],
    "organiser.authorities": [{"q": "ouagadougou"}],
    "organiser.invite_page": [{"filter-kind": "commune", "filter-country": "FR"}],
}


def arguments(s: Seed) -> dict[str, list[dict]]:
    """The values of each URL argument, with what the page then shows."""
    sides = {token: side for side, token in s.tokens.items()}
    return {
        "round_id": [{"round_id": s.round_id}],
        "partnership_id": [{"partnership_id": s.partnership_id}],
        "invitation_id": [{"invitation_id": i} for i in s.invitation_ids],
        "authority_id": [{"authority_id": i, "authority": pair}
                         for i, pair in zip(s.authority_ids, [(HOME, HOME_REGION), (PARTNER, PARTNER_REGION)], strict=True)],
        "token": [{"token": token, "side": side} for token, side in sides.items()],
        "job_id": [{"job_id": i, "job_shows": shows} for i, shows in s.job_ids],
        "version_id": [{"version_id": s.version_id}],
        "draft_id": [{"draft_id": s.draft_id}],
        "section_code": [{"section_code": "reciprocity"}],
        "item_code": [{"item_code": "REC_01"}],
    }


def pages(app, s: Seed, submitted: bool):
    """(endpoint, path, query, arguments, first visit?) of every GET page, filled with the seeded round's ids."""
    fillers = arguments(s)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES | CSV_DOWNLOADS:
            continue
        if rule.endpoint not in SHOWN:
            pytest.fail(f"{rule.endpoint} ({rule.rule}) is a page this test does not know: add it to SHOWN")
        if rule.endpoint.startswith("respond."):
            if rule.endpoint not in WHILE_ANSWERING | ONCE_SUBMITTED:
                pytest.fail(f"{rule.endpoint}: say when a respondent sees it (WHILE_ANSWERING, ONCE_SUBMITTED)")
            if rule.endpoint not in (ONCE_SUBMITTED if submitted else WHILE_ANSWERING):
                continue
        elif not submitted:
            continue
        unknown = rule.arguments - set(fillers) - {"code"}
        if unknown:
            pytest.fail(f"{rule.endpoint} ({rule.rule}): no value for {unknown}; add them to arguments()")
        for combination in product(*(fillers[name] for name in sorted(rule.arguments - {"code"}))):
            args = {"submitted": submitted}
            for part in combination:
                args.update(part)
            codes = [sec.code for sec in AICT.sections_for(args["side"])] if "code" in rule.arguments else [None]
            for code in codes:
                args = {**args, "code": code}
                path = rule.build({k: args[k] for k in rule.arguments})[1]
                first = QUERY[rule.endpoint](s) if rule.endpoint in QUERY else {}
                for query in [first, *VARIANTS.get(rule.endpoint, []), REFLECTED]:
                    yield rule.endpoint, path, query, args, query is first


def expected(table, endpoint, args) -> list[str]:
    entry = table.get(endpoint, [])
    return entry(args) if callable(entry) else entry


def walk(app, clients, s: Seed, submitted: bool) -> set[str]:
    """Open every page, as a respondent, a visitor (the login page) or the organiser; return the texts seen."""
    seen = set()
    for endpoint, path, query, args, first in pages(app, s, submitted):
        who = args["side"] if endpoint.startswith("respond.") else "visitor" if endpoint == "auth.login" else "organiser"
        client = clients[who]
        response = client.get(path, query_string=query)
        where = (endpoint, path, query)
        assert response.status_code == 200, where
        assert response.headers["Cache-Control"] == "no-store", where
        html = response.get_data(as_text=True)
        assert_inert(html, where)
        if first:
            missing = [v for v in expected(SHOWN, endpoint, args) if not shows(html, v)]
            missing += [("chart", v) for v in expected(CHARTS, endpoint, args) if not chart_shows(html, v)]
            assert not missing, (where, missing)
        seen.update(v for v in EVERY_TEXT if shows(html, v))
    return seen


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_and_chart_shows_what_people_typed_as_inert_text(seeded, lang):
    app, orga, s = seeded
    clients = {"home": app.test_client(), "partner": app.test_client(), "visitor": app.test_client(), "organiser": orga}
    for client in clients.values():
        with client.session_transaction() as session:
            session["lang"] = lang
    seen = walk(app, clients, s, submitted=False)
    finish(app, orga, s)
    seen |= walk(app, clients, s, submitted=True)
    # Every text typed was seen somewhere (a value that silently vanished would prove nothing).
    assert not [v for v in EVERY_TEXT if v not in seen]


def test_forms_sent_back_with_an_error_show_what_was_typed_as_inert_text(seeded):
    app, orga, s = seeded
    respondent = app.test_client()
    item = AICT.items_by_code["PRO_01"]
    # An "other" text with another option chosen: the page comes back with the text in its field.
    page = post_section(respondent, s.tokens["home"], "profile", {
        **section_data("home", "profile"), "PRO_01": item.options[0].code, "PRO_01__other": PARTNER.strip()})
    assert page.status_code == 422
    sent_back = [page.text]
    yesterday, today_ = (today() - timedelta(days=1)).isoformat(), today().isoformat()
    sent_back.append(send_form(orga, "/o/rounds/new", {"title": TITLE, "description": DESCRIPTION,
                                                       "opens_on": today_, "closes_on": yesterday}, status=200).text)
    sent_back.append(send_form(orga, "/o/authorities/new", {"name": HOME, "kind": "commune", "country": "FR",
                                                            "region": HOME_REGION, "email": HTML[1]}, status=200).text)
    for html, typed in zip(sent_back, [[PARTNER.strip()], [TITLE, DESCRIPTION], [HOME, HOME_REGION, HTML[1]]], strict=True):
        assert_inert(html, typed)
        assert not [value for value in typed if not shows(html, value)]


# --- Emails ---------------------------------------------------------------------------------------

def test_emails_are_plain_text_that_names_everyone_as_typed_under_a_one_line_subject(seeded):
    app, orga, s = seeded
    with app.app_context():
        messages = [email.message_from_bytes(m.message().as_bytes(), policy=email.policy.default)
                    for m in app.extensions["mailman"].outbox]
    # An invitation and a reminder each, in the authority's language.
    assert sorted((m["To"], str(m["Subject"])) for m in messages) == [
        ("intl@grenoble.example", f"Invitation : {TITLE}"), ("intl@grenoble.example", f"Relance : {TITLE}"),
        ("mairie@ouaga.example", f"Invitation: {TITLE}"), ("mairie@ouaga.example", f"Reminder: {TITLE}")]
    for message in messages:
        # No HTML part that could run anything: the texts are shown as typed, not as markup nor escaped.
        assert not message.is_multipart() and message.get_content_type() == "text/plain"
        assert {k.lower() for k in message.keys()} == {"content-type", "mime-version", "content-transfer-encoding",
                                                       "subject", "from", "to", "date", "message-id"}
        body = message.get_content()
        assert TITLE in body and HOME in body and PARTNER in body and "&lt;" not in body and "&#34;" not in body


def test_a_line_break_in_a_round_title_adds_no_mail_header_and_the_send_goes_through(seeded):
    app, orga, s = seeded
    page = orga.get(f"/o/rounds/{s.round_id}/edit").text
    # Authorities have answered: the page sends the round's questionnaire as it is, in a hidden field.
    version = re.search(r'<input type="hidden" name="questionnaire_version_id" value="(\d+)"', page).group(1)
    orga.post(f"/o/rounds/{s.round_id}/edit", data={
        "csrf_token": csrf_token(page), "title": "Tour\r\nBcc: evil@example.org", "questionnaire_version_id": version,
        "opens_on": (today() - timedelta(days=1)).isoformat(), "closes_on": (today() + timedelta(days=30)).isoformat()})
    outbox = app.extensions["mailman"].outbox
    outbox.clear()
    response = send_form(orga, f"/o/rounds/{s.round_id}/send", {"target": "not_submitted"})
    jobs.wait_for_threads()
    assert "2 messages envoyés." in orga.get(response.location).text
    with app.app_context():
        for message in (m.message() for m in outbox):
            assert message.get_all("Bcc") is None and message["To"] in ("intl@grenoble.example", "mairie@ouaga.example")
            assert "\n" not in message["Subject"] and "\r" not in message["Subject"]


# --- CSV files ------------------------------------------------------------------------------------

def is_number(cell: str) -> bool:
    return re.fullmatch(r"-?\d+([.,]\d+)?", cell) is not None


def read_cells(response, delimiter=";") -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert re.fullmatch(r'attachment; filename="[\w.-]+\.csv"', response.headers["Content-Disposition"])
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def assert_neutralised(rows, texts, where):
    """Formulas get a leading apostrophe; numbers and other cells stay as they are; every text is there."""
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        if cell.startswith("'"):
            assert cell[1:].startswith(FORMULA_STARTS) and not is_number(cell[1:]), (where, cell)
        else:
            assert not cell.startswith(FORMULA_STARTS) or is_number(cell), (where, cell)
    missing = [text for text in texts if "'" + text not in cells]
    assert not missing, (where, missing)


def assert_exact(rows, texts, where):
    """Files for analysis tools: every text exactly as typed, no apostrophe added to any cell."""
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS)], where
    missing = [text for text in texts if text not in cells]
    assert not missing, (where, missing)


def export(orga, round_id, layout, headers, values, lang, delimiter, target="spreadsheet", **filters):
    page = orga.get(f"/o/rounds/{round_id}/export")
    return orga.post(f"/o/rounds/{round_id}/export", data={
        "csrf_token": csrf_token(page.text), "layout": layout, "preset": "custom", "headers": headers,
        "values": values, "lang": lang, "delimiter": delimiter, "bom": "y" if delimiter == ";" else "",
        "target": target, **filters})


#: What each export carries of the seeded texts (every one starts with a formula character).
EVERY_ANSWER = answers_of("home") + answers_of("partner")
EXPORTED = {"wide": [HOME, PARTNER, HOME_REGION, PARTNER_REGION, *EVERY_ANSWER], "long": [HOME, PARTNER, *EVERY_ANSWER],
            "pairs": [HOME, PARTNER, *EVERY_ANSWER], "codebook": []}


def test_every_csv_for_a_spreadsheet_neutralises_formulas_and_keeps_numbers(seeded):
    app, orga, s = seeded
    assert {r.endpoint for r in app.url_map.iter_rules() if r.rule.endswith(".csv")} == CSV_DOWNLOADS
    assert all(text.startswith(FORMULA_STARTS) for text in [HOME, PARTNER, HOME_REGION, PARTNER_REGION, TAG, *EVERY_ANSWER])
    # The links for a mail merge: those not yet submitted.
    assert_neutralised(read_cells(orga.get(f"/o/rounds/{s.round_id}/links.csv")), [HOME, PARTNER], "links")
    finish(app, orga, s)
    assert_neutralised(read_cells(orga.get(f"/o/rounds/{s.round_id}/stories.csv")), [HOME, PARTNER, TAG, *STORIES],
                       "stories")
    for kind in ("authorities", "partnerships"):
        assert_neutralised(read_cells(orga.get(f"/o/import/{kind}-template.csv")), [], kind)
    layouts = [choice.value for choice in ExportForm.layout.kwargs["choices"]]
    assert set(layouts) == set(EXPORTED)
    numbers = [i for section in AICT.sections_for("home") for i in section.items_for("home") if i.type == "number"]
    for layout, options in product(layouts, [("codes", "codes", "fr", ","), ("text", "labels", "en", ";")]):
        rows = read_cells(export(orga, s.round_id, layout, *options), options[-1])
        assert_neutralised(rows, EXPORTED[layout], (layout, options))
        if layout == "wide" and options[0] == "codes":
            home = dict(zip(rows[0], next(r for r in rows if r[1] == "'" + HOME), strict=True))
            assert numbers and all(is_number(home[i.code]) and float(home[i.code]) == i.min for i in numbers)
            assert home["response_id"].isdigit() and home["partnership_id"] == str(s.partnership_id)
    # A filter typed in the address goes into the file's name, which stays a plain name.
    rows = read_cells(export(orga, s.round_id, "long", "codes", "codes", "fr", ",", region=HOME_REGION), ",")
    assert {row[1] for row in rows[1:]} == {"'" + HOME}


def test_every_export_for_analysis_tools_gives_the_texts_exactly_as_typed(seeded):
    app, orga, s = seeded
    finish(app, orga, s)
    assert [choice.value for choice in ExportForm.target.kwargs["choices"]] == ["spreadsheet", "analysis"]
    for layout, options in product(EXPORTED, [("codes", "codes", "fr", ","), ("text", "labels", "en", ";")]):
        rows = read_cells(export(orga, s.round_id, layout, *options, target="analysis"), options[-1])
        assert_exact(rows, EXPORTED[layout], (layout, options))


# --- The directory's import report ----------------------------------------------------------------

def upload(orga, text: str, kind: str):
    page = orga.get("/o/import")
    return orga.post("/o/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page.text), "kind": kind, "check_only": "y",
        "file": (io.BytesIO(text.encode()), "annuaire.csv")})


@pytest.mark.parametrize("kind, text, shown", [
    ("authorities", f"name;type;country;{HTML[0]}\r\nVille;commune;FR;x\r\n", [HTML[0]]),
    ("authorities", f"name;type;country;population;language;email\r\n{HTML[3]};{HTML[0]};x{HTML[1]};{HTML[4]};x;{HTML[2]}\r\n",
     [HTML[0], HTML[1], HTML[4], HTML[2]]),
    ("partnerships", f"home_authority;partner_authority;start_year\r\nx{HTML[1]};{HTML[0]};{HTML[4]}\r\n",
     [HTML[1], HTML[0], HTML[4]]),
])
def test_the_import_report_quotes_the_file_as_inert_text(seeded, kind, text, shown):
    app, orga, s = seeded
    response = upload(orga, text, kind)
    assert response.status_code == 200 and "import-report" in response.text
    assert_inert(response.text, kind)
    assert not [value for value in shown if not shows(response.text, value)]
