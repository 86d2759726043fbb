"""A realistic demo: about thirty authorities in partnerships, most of them having answered.

Answers are drawn around a level of their own for each partnership and side, so that
charts show differences between themes and gaps between partners. A fixed random seed
makes the demo the same on every machine.
"""
import random
from datetime import timedelta

from sqlalchemy import select

from evalapp import tallies
from evalapp.auth.accounts import create_organiser, find_by_email
from evalapp.clock import today
from evalapp.directory import operations
from evalapp.directory.countries import fold
from evalapp.extensions import db
from evalapp.invitations import invitation_url, invite
from evalapp.models import Answer, Authority, ResponseStatus, Round, Side
from evalapp.models.base import utcnow
from evalapp.questionnaires.definition import Definition, Item
from evalapp.questionnaires.loader import definition_of, load_all
from evalapp.questionnaires.types import DemoTexts

DEMO_TITLE = "Évaluation 2026 de l'action internationale (démo)"
#: The demo organiser's login, printed by `flask seed-demo`: for a local trial only.
DEMO_EMAIL = "demo@evalapp.test"
DEMO_PASSWORD = "demo-evalapp-2026"

# (home authority, partner authority, start year)
PARTNERSHIPS = [
    (("Ville de Grenoble", "commune", "FR", "Auvergne-Rhône-Alpes", 158000, "fr"),
     ("Commune de Ouagadougou", "foreign_municipality", "BF", "Centre", 2500000, "fr"), 1967),
    (("Ville de Lyon", "commune", "FR", "Auvergne-Rhône-Alpes", 522000, "fr"),
     ("Municipalidad de Córdoba", "foreign_municipality", "AR", "Córdoba", 1400000, "en"), 1998),
    (("Département de l'Isère", "departement", "FR", "Auvergne-Rhône-Alpes", 1270000, "fr"),
     ("Région de Tombouctou", "foreign_regional", "ML", "Tombouctou", 680000, "fr"), 1984),
    (("Région Bretagne", "region", "FR", "Bretagne", 3400000, "fr"),
     ("Województwo Wielkopolskie", "foreign_regional", "PL", "Wielkopolska", 3500000, "en"), 1993),
    (("Ville de Rennes", "commune", "FR", "Bretagne", 225000, "fr"),
     ("Ville de Sendai", "foreign_municipality", "JP", "Miyagi", 1090000, "en"), 2008),
    (("Métropole de Lille", "intercommunalite", "FR", "Hauts-de-France", 1180000, "fr"),
     ("Ville de Saint-Louis", "foreign_municipality", "SN", "Saint-Louis", 260000, "fr"), 2001),
    (("Ville de Nantes", "commune", "FR", "Pays de la Loire", 320000, "fr"),
     ("Ville de Rufisque", "foreign_municipality", "SN", "Dakar", 300000, "fr"), 1992),
    (("Département du Finistère", "departement", "FR", "Bretagne", 915000, "fr"),
     ("Province de Mopti", "foreign_regional", "ML", "Mopti", 2000000, "fr"), 1986),
    (("Ville de Strasbourg", "commune", "FR", "Grand Est", 290000, "fr"),
     ("Stadt Stuttgart", "foreign_municipality", "DE", "Baden-Württemberg", 630000, "en"), 1962),
    (("Ville de Chambéry", "commune", "FR", "Auvergne-Rhône-Alpes", 60000, "fr"),
     ("Commune de Ouahigouya", "foreign_municipality", "BF", "Nord", 120000, "fr"), 1991),
    (("Région Occitanie", "region", "FR", "Occitanie", 6000000, "fr"),
     ("Diputació de Girona", "foreign_regional", "ES", "Catalunya", 790000, "en"), 2004),
    (("Ville de Besançon", "commune", "FR", "Bourgogne-Franche-Comté", 120000, "fr"),
     ("Ville de Douroula", "foreign_municipality", "BF", "Boucle du Mouhoun", 20000, "fr"), 2005),
    (("Communauté d'agglomération du Grand Poitiers", "intercommunalite", "FR", "Nouvelle-Aquitaine", 195000, "fr"),
     ("Municipalité de Marrakech", "foreign_municipality", "MA", "Marrakech-Safi", 930000, "fr"), 2011),
    (("Ville de Villeurbanne", "commune", "FR", "Auvergne-Rhône-Alpes", 155000, "fr"),
     ("Commune d'Abomey", "foreign_municipality", "BJ", "Zou", 90000, "fr"), 2000),
]
ALONE = [
    ("Ville de Cherbourg-en-Cotentin", "commune", "FR", "Normandie", 78000, "fr"),
    ("Département de la Gironde", "departement", "FR", "Nouvelle-Aquitaine", 1650000, "fr"),
]

STORIES = [
    "Les agents du service des eaux des deux villes ont travaillé ensemble pendant deux ans : "
    "le taux de recouvrement a doublé et nos propres équipes ont revu leurs méthodes.",
    "Des lycéens des deux territoires ont monté ensemble un festival ; pour la première fois, "
    "des habitants qui ne connaissaient pas le jumelage en ont parlé au conseil de quartier.",
    "The joint steering committee now meets on both sides in turn, and the budget is decided together.",
    "La diaspora burkinabè de la ville s'est impliquée dans le comité de jumelage, "
    "ce qui a changé notre manière de travailler avec les associations.",
    "L'évaluation nous a obligés à formuler des objectifs communs : nous avons découvert "
    "que nos partenaires attendaient surtout un appui à la formation des élus.",
    "Le centre de santé construit ensemble est géré par un comité mixte ; nos infirmières y ont "
    "appris autant qu'elles ont enseigné.",
    "Our partner's planning department now shares its data with ours; both cities use the same "
    "method to map flood risks.",
    "Pour la première fois, un conseil municipal a été tenu en commun par visioconférence, "
    "avec traduction, et les décisions ont été prises à égalité.",
    "La coopération a survécu à deux changements de majorité : c'est devenu une politique de la "
    "collectivité et non plus le projet d'un élu.",
    "Young people from both towns now run the exchange programme themselves, with a budget of their own.",
    "Les associations de migrants de la ville sont devenues des partenaires à part entière, "
    "consultées avant chaque mission.",
]
OTHER_TEXTS = ["Coopération entre universités", "Réseau régional des jumelages", "Fondation privée",
               "Agence de l'eau", "Chambre de commerce", "Diaspora organisée en association"]
DEMO_TEXTS = DemoTexts(stories=tuple(STORIES), others=tuple(OTHER_TEXTS),
                       short=("Eau et assainissement", "Jeunesse", "Culture", "Gouvernance locale"))


def _authority(spec) -> Authority:
    name, kind, country, region, population, language = spec
    authority = db.session.scalar(select(Authority).filter_by(name=name))
    if authority is None:
        authority = operations.create_authority(
            {"name": name, "kind": kind, "country": country, "region": region, "population": population,
             "language": language, "email": _demo_email(name)}, by=None)
    return authority


def _demo_email(name: str) -> str:
    slug = "".join(ch for ch in fold(name) if ch.isalnum())[:30]
    return f"international@{slug}.example"


def seed(rng_seed: int = 2026) -> tuple[Round, bool]:
    """Create the demo round once; return it and whether it was created now. Flushes only."""
    organiser = find_by_email(DEMO_EMAIL) or create_organiser(
        DEMO_EMAIL, DEMO_PASSWORD, "Organisateur de démonstration", is_admin=True)
    existing = db.session.scalar(select(Round).filter_by(title=DEMO_TITLE))
    if existing is not None:
        return existing, False
    results = load_all()
    version = next(r.version for r in results if r.version.code == "aict")
    start = today() - timedelta(days=30)
    round_ = Round(
        questionnaire_version=version, title=DEMO_TITLE,
        description="Tour d'évaluation de démonstration : réciprocité, impact territorial, "
                    "facteur humain et changement organisationnel.",
        opens_on=start, closes_on=start + timedelta(days=90), owner=organiser,
    )
    db.session.add(round_)
    invitations = []
    for home_spec, partner_spec, year in PARTNERSHIPS:
        home, partner = _authority(home_spec), _authority(partner_spec)
        partnership = operations.create_partnership(
            {"home_authority_id": home.id, "partner_authority_id": partner.id, "start_year": year,
             "name": f"{home.name} – {partner.name}"}, by=None)
        invitations += [invite(round_, home, partnership), invite(round_, partner, partnership)]
    for spec in ALONE:
        authority = _authority(spec)
        db.session.flush()
        invitations.append(invite(round_, authority))

    rng = random.Random(rng_seed)
    definition = definition_of(version)
    levels = {}
    for number, invitation in enumerate(invitations):
        # Leave a few not started and a few in progress; most have submitted.
        fate = ResponseStatus.SUBMITTED if number % 7 not in (3, 5) else (
            ResponseStatus.IN_PROGRESS if number % 7 == 3 else ResponseStatus.NOT_STARTED)
        if fate == ResponseStatus.NOT_STARTED:
            continue
        key = invitation.partnership_id or -invitation.id
        base = levels.setdefault(key, rng.uniform(2.3, 4.2))
        # The home side tends to see the relationship more favourably than the partner.
        level = base + (0.4 if invitation.side == Side.HOME else -0.3)
        response = invitation.response
        response.respondent_role = rng.choice(["elected", "international_staff", "international_staff", "other_staff"])
        response.started_at = utcnow() - timedelta(days=rng.randint(3, 28), hours=rng.randint(0, 23))
        response.updated_at = response.started_at + timedelta(hours=rng.randint(1, 50))
        sections = definition.sections_for(invitation.side)
        if fate == ResponseStatus.IN_PROGRESS:
            sections = sections[: len(sections) // 2]
            response.status = ResponseStatus.IN_PROGRESS
        else:
            response.status = ResponseStatus.SUBMITTED
            response.submitted_at = response.updated_at
        response.current_section = sections[-1].code
        for section in sections:
            for item in section.items_for(invitation.side):
                db.session.add_all(Answer(response=response, **row)
                                   for row in demo_answer_rows(definition, item, level, rng))
    tallies.refresh(tallies.not_current(round_.id))  # answers written here, as a respondent's would be
    return round_, True


def demo_answer_rows(definition: Definition, item: Item, level: float, rng: random.Random) -> list[dict]:
    """Plausible answers to one item for a respondent whose overall view is ``level`` (1–5)."""
    theme_shift = {"reciprocity": -0.2, "impact": 0.1, "human": -0.5, "organisation": 0.2}.get(item.theme, 0)
    return item.kind.demo_rows(item, level + theme_shift, rng, DEMO_TEXTS)


def open_links(round_: Round) -> list[str]:
    """One line per invitation not yet submitted: authority, side and link."""
    lines = []
    for invitation in sorted(round_.invitations, key=lambda i: i.id):
        if invitation.response and invitation.response.is_submitted:
            continue
        status = invitation.response.status if invitation.response else ResponseStatus.NOT_STARTED
        lines.append(f"  {invitation_url(invitation)}  {invitation.authority.name} ({invitation.side}, {status})")
    return lines
