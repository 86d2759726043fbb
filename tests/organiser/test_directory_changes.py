"""The shared directory: no organiser can send the links of a round they cannot see anywhere else,
and every change to the directory is recorded (who, when, what) and shown.

Organiser A owns round R; organiser B cannot see R and runs a round of their own. Both invite
the same authority, then B changes its address in the directory.
"""
import csv
import io
import re
from dataclasses import dataclass
from html import unescape

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.i18n import date_and_time
from evalapp.models import Authority, DirectoryChange, Invitation
from tests.factories import create_organiser, create_round, login, set_owner
from tests.organiser import test_emails
from tests.organiser.test_directory_pages import new_authority
from tests.organiser.test_invitations import post_invite
from tests.respond.helpers import csrf_token

smtp = test_emails.smtp  # fixture: a local SMTP server
send = test_emails.send  # a send from the send page, run to its end

A, B = "orga@example.org", "b@example.org"
OLD, NEW = "intl@grenoble.example", "b@elsewhere.example"


@dataclass
class Setup:
    a: object  # A's client
    b: object  # B's client
    round_a: int
    round_b: int
    authority_id: int


def client_of(app, who):
    client = app.test_client()
    assert login(client, who).status_code == 303
    return client


def edit_email(client, authority_id, address):
    page = client.get(f"/o/authorities/{authority_id}/edit")
    assert page.status_code == 200
    return client.post(f"/o/authorities/{authority_id}/edit", data={
        "csrf_token": csrf_token(page.text), "name": "Ville de Grenoble", "kind": "commune", "country": "FR",
        "region": "Isère", "language": "fr", "email": address})


def token_of(app, round_id):
    with app.app_context():
        return db.session.scalar(select(Invitation.token).where(Invitation.round_id == round_id))


def links(client, round_id) -> list[dict]:
    response = client.get(f"/o/rounds/{round_id}/links.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def table_rows(html: str) -> list[list[str]]:
    """The text of each cell of each row of the page's tables (header rows aside)."""
    rows = [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)]
    return [row for row in rows if row]


def when_created(app) -> str:
    with app.app_context():
        change = db.session.scalar(select(DirectoryChange).order_by(DirectoryChange.id))
        with app.test_request_context(), force_locale("fr"):
            return date_and_time(change.changed_at)


def body(message):
    return message.get_payload(decode=True).decode(message.get_content_charset())


@pytest.fixture
def mail_app(app_with, smtp):
    controller, _ = smtp
    return app_with(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_BACKEND="smtp")


@pytest.fixture
def setup(app, mail_app, organiser_id, round_id) -> Setup:
    """A invites Grenoble (OLD) in R; B invites it in B's round; B then gives it the address NEW."""
    a = client_of(mail_app, A)
    assert new_authority(a, name="Ville de Grenoble", region="Isère", email=OLD).status_code == 303
    with app.app_context():
        authority_id = db.session.scalar(select(Authority.id))
    assert post_invite(a, round_id, "one", authority_id=authority_id).status_code == 303
    round_b = create_round(app, title="Tour de B")
    set_owner(app, round_b, create_organiser(app, B))
    b = client_of(mail_app, B)
    assert b.get(f"/o/rounds/{round_id}").status_code == 404  # B cannot see R
    assert post_invite(b, round_b, "one", authority_id=authority_id).status_code == 303
    response = edit_email(b, authority_id, NEW)
    assert response.status_code == 303
    landing = b.get(response.location).text
    assert "Ville de Grenoble est enregistrée." in landing
    assert "La nouvelle adresse sert dans vos tours : 1 invitation non soumise l&#39;utilise désormais." in landing
    # Whether rounds B cannot see hold invitations is not said, let alone how many.
    assert ("Les invitations des tours que vous n&#39;organisez pas, s&#39;il y en a, gardent l&#39;adresse "
            "choisie par leurs organisateurs") in landing
    assert "1 invitation d&#39;autres tours" not in landing
    return Setup(a, b, round_id, round_b, authority_id)


def test_another_organisers_address_change_does_not_redirect_my_rounds_links(app, smtp, setup):
    _, mailbox = smtp
    assert "1 message envoyé." in send(setup.a, setup.round_a, "not_sent").text
    assert "1 message envoyé." in send(setup.b, setup.round_b, "not_sent").text
    assert "1 message envoyé." in send(setup.a, setup.round_a, "not_submitted").text
    by_round = [(m["To"], token) for m in mailbox.messages
                for token in (token_of(app, setup.round_a), token_of(app, setup.round_b)) if token in body(m)]
    # R's invitation and reminder go where A sent them; B's own round follows B's change.
    assert by_round == [(OLD, token_of(app, setup.round_a)), (NEW, token_of(app, setup.round_b)),
                        (OLD, token_of(app, setup.round_a))]
    # The links for a mail merge too.
    assert [row["Courriel"] for row in links(setup.a, setup.round_a)] == [OLD]
    assert [row["Courriel"] for row in links(setup.b, setup.round_b)] == [NEW]
    # And the send log says where each message went.
    assert OLD in setup.a.get(f"/o/rounds/{setup.round_a}/send").text


def test_the_rounds_organisers_see_the_change_and_may_use_it(app, smtp, setup):
    with app.app_context():
        change = db.session.scalar(select(DirectoryChange).where(DirectoryChange.field == "email", DirectoryChange.action == "changed"))
        with app.test_request_context(), force_locale("fr"):
            when = date_and_time(change.changed_at)
    for page in (f"/o/rounds/{setup.round_a}", f"/o/rounds/{setup.round_a}/send"):
        notice = setup.a.get(page).text
        assert "Adresses changées dans l'annuaire" in notice, page
        for shown in ("Ville de Grenoble", OLD, NEW, B, when):
            assert shown in notice, (page, shown)
    # B's own round follows the directory: no notice there.
    assert "Adresses changées dans l'annuaire" not in setup.b.get(f"/o/rounds/{setup.round_b}").text
    # Only R's organisers may take the directory's addresses for R.
    adopt = f"/o/rounds/{setup.round_a}/addresses"
    token_b = csrf_token(setup.b.get("/o/").text)
    assert setup.b.post(adopt, data={"csrf_token": token_b}).status_code == 404
    assert setup.a.post(adopt).status_code == 400  # no CSRF token
    assert [row["Courriel"] for row in links(setup.a, setup.round_a)] == [OLD]
    response = setup.a.post(adopt, data={"csrf_token": csrf_token(setup.a.get(f"/o/rounds/{setup.round_a}").text)})
    assert response.status_code == 303
    landing = setup.a.get(response.location).text
    assert "1 invitation utilise désormais l&#39;adresse de l&#39;annuaire." in landing
    assert "Adresses changées dans l'annuaire" not in landing
    assert [row["Courriel"] for row in links(setup.a, setup.round_a)] == [NEW]
    _, mailbox = smtp
    send(setup.a, setup.round_a, "not_sent")
    assert [m["To"] for m in mailbox.messages] == [NEW]


def test_the_history_shows_who_changed_what_and_when(app, setup):
    with app.app_context():
        change = db.session.scalar(select(DirectoryChange).where(DirectoryChange.field == "email", DirectoryChange.action == "changed"))
        assert (change.organiser.email, change.old_value, change.new_value) == (B, OLD, NEW)
        with app.test_request_context(), force_locale("fr"):
            when = date_and_time(change.changed_at)
    # On the authority's page, and on the directory's recent changes, for every organiser.
    for page in (f"/o/authorities/{setup.authority_id}/edit", "/o/directory/changes"):
        rows = table_rows(setup.a.get(page).text)
        assert [when, B, "Ville de Grenoble", "modification", "Courriel", OLD, NEW] in rows, (page, rows)
        # A's creation of the authority is there too, field by field.
        assert [when_created(app), A, "Ville de Grenoble", "création", "Courriel", "", OLD] in rows, (page, rows)
    assert 'href="/o/directory/changes"' in setup.a.get("/o/authorities").text


def test_an_administrators_change_is_used_by_every_round(app, mail_app, setup):
    create_organiser(app, "admin@example.org", admin=True)
    admin = client_of(mail_app, "admin@example.org")
    response = edit_email(admin, setup.authority_id, "mairie@grenoble.example")
    landing = admin.get(response.location).text
    assert "La nouvelle adresse sert dans vos tours : 2 invitations non soumises l&#39;utilisent désormais." in landing
    assert "d&#39;autres tours" not in landing
    for client, round_id in ((setup.a, setup.round_a), (setup.b, setup.round_b)):
        assert [row["Courriel"] for row in links(client, round_id)] == ["mairie@grenoble.example"]
        assert "Adresses changées dans l'annuaire" not in client.get(f"/o/rounds/{round_id}").text


def test_a_new_invitation_takes_the_directorys_address_of_the_day(app, organiser_id, setup):
    # B's change is in the directory: a round invited after it uses the new address.
    round_c = create_round(app, title="Tour suivant")
    set_owner(app, round_c, organiser_id)
    assert post_invite(setup.a, round_c, "one", authority_id=setup.authority_id).status_code == 303
    assert [row["Courriel"] for row in links(setup.a, round_c)] == [NEW]
    assert [row["Courriel"] for row in links(setup.a, setup.round_a)] == [OLD]


def test_imports_and_partnerships_are_recorded_too(app, orga):
    from tests.directory.test_csv_import import FRENCH_EXCEL, upload

    assert upload(orga, FRENCH_EXCEL.encode("utf-8-sig")).status_code == 303
    pairs = ("collectivité;partenaire;année de début\r\n"
             "Ville de Chambéry;Commune de Ouahigouya;1991\r\n").encode("utf-8-sig")
    assert upload(orga, pairs, kind="partnerships").status_code == 303
    with app.app_context():
        ids = {a.name: a.id for a in db.session.scalars(select(Authority))}
    page = orga.get("/o/partnerships/new")
    assert orga.post("/o/partnerships/new", data={
        "csrf_token": csrf_token(page.text), "home_authority_id": ids["Ville de Chambéry"],
        "partner_authority_id": ids["Województwo Wielkopolskie"], "start_year": "2004",
        "name": "Chambéry <b>Wielkopolska</b>"}).status_code == 303
    rows = [row[1:] for row in table_rows(orga.get("/o/directory/changes").text)]
    for row in (
        [A, "Ville de Chambéry", "import", "Courriel", "", "international@chambery.example"],
        [A, "Ville de Chambéry", "import", "Type", "", "Commune"],
        [A, "Ville de Chambéry", "import", "Pays", "", "France"],
        [A, "Ville de Chambéry – Commune de Ouahigouya", "import", "Collectivité partenaire", "", "Commune de Ouahigouya"],
        [A, "Ville de Chambéry – Commune de Ouahigouya", "import", "Année de début", "", "1991"],
        [A, "Chambéry <b>Wielkopolska</b>", "création", "Collectivité partenaire", "", "Województwo Wielkopolskie"],
    ):
        assert row in rows, row
    assert "Chambéry &lt;b&gt;Wielkopolska&lt;/b&gt;" in orga.get("/o/directory/changes").text
    # An import adds and never changes: an authority already in the directory is refused, its address kept.
    again = upload(orga, FRENCH_EXCEL.replace("international@chambery", "other@chambery").encode("utf-8-sig"))
    assert again.status_code == 200 and "déjà dans l" in again.text
    with app.app_context():
        assert db.session.get(Authority, ids["Ville de Chambéry"]).email == "international@chambery.example"


def test_the_recent_changes_come_a_page_at_a_time(app, orga):
    from tests.directory.test_csv_import import upload

    rows = "".join(f"Commune {n};commune;FR;Bretagne;1000;fr;mairie@commune{n}.example\r\n" for n in range(30))
    assert upload(orga, ("nom;type;pays;région;population;langue;courriel\r\n" + rows).encode()).status_code == 303
    first = orga.get("/o/directory/changes")
    assert "Page 1 sur 3" in first.text and len(table_rows(first.text)) == 100
    last = orga.get("/o/directory/changes?page=3")
    assert len(table_rows(last.text)) == 30 * 7 - 200 and "Commune 0" in last.text
    # One authority's whole history.
    with app.app_context():
        commune = db.session.scalar(select(Authority).where(Authority.name == "Commune 3"))
    own = table_rows(orga.get(f"/o/directory/changes?authority={commune.id}").text)
    assert len(own) == 7 and {row[2] for row in own} == {"Commune 3"}
    assert orga.get("/o/directory/changes?authority=999999").status_code == 404
