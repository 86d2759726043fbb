"""The shared directory: every change to it is recorded (who, when, what) and shown."""
import re
from html import unescape

from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Authority
from tests.respond.helpers import csrf_token

A = "orga@example.org"


def table_rows(html: str) -> list[list[str]]:
    """The text of each cell of each row of the page's tables (header rows aside)."""
    rows = [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)]
    return [row for row in rows if row]


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
