"""Builders of test data. Each opens its own app context and returns plain values,
so that tests see the database only through pages and fresh queries."""
from datetime import timedelta

from evalapp.clock import today
from evalapp.extensions import db
from evalapp.invitations import invite
from evalapp.models import Authority, Partnership, Round
from evalapp.questionnaires.loader import load_all


def create_round(app, opens_in_days=-5, closes_in_days=30, title="Tour test 2026", version=1) -> int:
    """A round on aict ``version`` (v1 unless said: the version most tests were written against)."""
    with app.app_context():
        version = next(r.version for r in load_all() if (r.version.code, r.version.version) == ("aict", version))
        round_ = Round(questionnaire_version=version, title=title,
                       opens_on=today() + timedelta(days=opens_in_days),
                       closes_on=today() + timedelta(days=closes_in_days))
        db.session.add(round_)
        db.session.commit()
        return round_.id


def create_partnership_invitations(app, round_id, home_lang="fr", partner_lang="fr") -> tuple[str, str]:
    """Invite both sides of a new partnership; return (home token, partner token)."""
    with app.app_context():
        home = Authority(name="Ville de Grenoble", kind="commune", country="FR", region="Auvergne-Rhône-Alpes",
                         language=home_lang)
        partner = Authority(name="Commune de Ouagadougou", kind="foreign_municipality", country="BF",
                            language=partner_lang)
        partnership = Partnership(home_authority=home, partner_authority=partner, start_year=1967)
        db.session.add(partnership)
        round_ = db.session.get(Round, round_id)
        tokens = (invite(round_, home, partnership).token, invite(round_, partner, partnership).token)
        db.session.commit()
        return tokens


def create_organiser(app, email="orga@example.org", password="correct horse battery", admin=False) -> int:
    from evalapp.auth.accounts import create_organiser as create

    with app.app_context():
        organiser = create(email, password, is_admin=admin)
        db.session.commit()
        return organiser.id


def set_owner(app, round_id, organiser_id):
    with app.app_context():
        db.session.get(Round, round_id).owner_id = organiser_id
        db.session.commit()


def login(client, email="orga@example.org", password="correct horse battery", **environ):
    from tests.respond.helpers import csrf_token

    extra = {"environ_base": environ} if environ else {}
    page = client.get("/o/login", **extra)
    return client.post("/o/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": password},
                       **extra)
