"""The directory from the browser: authorities created, edited, searched; partnerships."""
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Authority, Partnership
from tests.respond.helpers import csrf_token


def new_authority(orga, **fields):
    page = orga.get("/o/authorities/new")
    data = {"csrf_token": csrf_token(page.text), "name": "Ville de Rennes", "kind": "commune", "country": "FR",
            "region": "Bretagne", "population": "225000", "language": "fr", "email": "", **fields}
    return orga.post("/o/authorities/new", data=data)


def test_create_edit_and_search_authorities(app, orga):
    assert new_authority(orga).status_code == 303
    assert new_authority(orga, name="Ville de Sendai", country="JP", region="Miyagi", language="en").status_code == 303
    orga.get("/o/authorities")  # shows (and clears) the confirmation messages
    listing = orga.get("/o/authorities?q=rennes").text
    assert "Ville de Rennes" in listing and "Ville de Sendai" not in listing
    assert "Japon" in orga.get("/o/authorities?q=JP").text
    with app.app_context():
        rennes = db.session.scalar(select(Authority).where(Authority.name == "Ville de Rennes"))
    page = orga.get(f"/o/authorities/{rennes.id}/edit")
    assert 'value="Ville de Rennes"' in page.text
    response = orga.post(f"/o/authorities/{rennes.id}/edit", data={
        "csrf_token": csrf_token(page.text), "name": "Ville de Rennes", "kind": "commune", "country": "FR",
        "population": "226000", "language": "fr", "email": "intl@rennes.example"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Authority, rennes.id).email == "intl@rennes.example"


def test_authority_form_refuses_bad_values_at_the_field(orga):
    response = new_authority(orga, name="", country="XX", email="not an email", population="-3")
    assert response.status_code == 200
    for field in ("name", "country", "email", "population"):
        assert f'id="{field}-error"' in response.text, field


def test_countries_are_named_in_the_interface_language(orga):
    assert "Burkina Faso" in orga.get("/o/authorities/new").text
    assert '<option value="DE">Allemagne</option>' in orga.get("/o/authorities/new").text
    orga.post("/language", data={"csrf_token": csrf_token(orga.get("/o/").text), "lang": "en", "next": "/o/"})
    assert '<option value="DE">Germany</option>' in orga.get("/o/authorities/new").text


def test_partnerships_between_two_authorities_and_several_per_authority(app, orga):
    new_authority(orga)
    new_authority(orga, name="Ville de Sendai", country="JP")
    new_authority(orga, name="Ville de Rufisque", country="SN")
    with app.app_context():
        ids = {a.name: a.id for a in db.session.scalars(select(Authority))}
    page = orga.get("/o/partnerships/new")

    def create(home, partner):
        return orga.post("/o/partnerships/new", data={
            "csrf_token": csrf_token(page.text), "home_authority_id": ids[home], "partner_authority_id": ids[partner],
            "start_year": "2008"})

    assert create("Ville de Rennes", "Ville de Sendai").status_code == 303
    assert create("Ville de Rennes", "Ville de Rufisque").status_code == 303
    assert "déjà dans l" in create("Ville de Rennes", "Ville de Sendai").text
    assert "deux collectivités différentes" in create("Ville de Rennes", "Ville de Rennes").text
    with app.app_context():
        assert len(db.session.scalars(select(Partnership)).all()) == 2
    assert "Ville de Sendai" in orga.get("/o/partnerships").text


def test_search_ignores_accents_and_finds_countries_by_name(app, orga):
    new_authority(orga, name="Ville de Nîmes", region="Occitanie")
    new_authority(orga, name="Commune de Kaya", country="BF", region="Centre-Nord")
    orga.get("/o/authorities")
    assert "Ville de Nîmes" in orga.get("/o/authorities?q=nimes").text
    by_country = orga.get("/o/authorities?q=burkina").text
    assert "Commune de Kaya" in by_country and "Ville de Nîmes" not in by_country
