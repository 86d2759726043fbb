"""A realistic demo: about thirty authorities in partnerships, most of them having answered.

Two rounds: this year's, open, on the latest AICT questionnaire, and last year's, closed, on
aict v1, which the same authorities answered, so that rounds on two versions can be compared.
Answers are drawn around a level of their own for each partnership and side, so that
charts show differences between themes and gaps between partners; each answers only what
its invitation and its earlier answers ask. A fixed random seed makes the demo the same on
every machine.
"""
import random
from datetime import timedelta

from sqlalchemy import select

from evalapp import stories, tallies
from evalapp.auth.accounts import create_organiser, find_by_email
from evalapp.clock import today
from evalapp.directory import operations
from evalapp.directory.countries import fold
from evalapp.extensions import db
from evalapp.invitations import invitation_url, invite
from evalapp.models import Answer, Authority, Invitation, ResponseStatus, Round, Side
from evalapp.models.base import utcnow
from evalapp.questionnaires.conditions import Asked, asked_by_answers, everything
from evalapp.questionnaires.definition import Definition, Item
from evalapp.questionnaires.loader import definition_of, load_all
from evalapp.questionnaires.types import AnswerRow, DemoTexts
from evalapp.reporting import aggregate

DEMO_TITLE = "Évaluation 2026 de l'action internationale (démo)"
#: Last year's round, closed, on aict v1: the same authorities' earlier answers.
EARLIER_TITLE = "Évaluation 2025 de l'action internationale (démo)"
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
    """Create the demo rounds once; return this year's and whether it was created now. Flushes only."""
    organiser = find_by_email(DEMO_EMAIL) or create_organiser(
        DEMO_EMAIL, DEMO_PASSWORD, "Organisateur de démonstration", is_admin=True)
    existing = db.session.scalar(select(Round).filter_by(title=DEMO_TITLE))
    if existing is not None:
        return existing, False
    aict = sorted((r.version for r in load_all() if r.version.code == "aict"), key=lambda v: v.version)
    start = today() - timedelta(days=30)
    earlier = Round(
        questionnaire_version=aict[0], title=EARLIER_TITLE, status="closed",
        description="Tour de l'an dernier, clos, sur la version 1 du questionnaire : à comparer avec celui de "
                    "cette année.",
        opens_on=start - timedelta(days=365), closes_on=start - timedelta(days=275), owner=organiser,
    )
    round_ = Round(
        questionnaire_version=aict[-1], title=DEMO_TITLE,
        description="Tour d'évaluation de démonstration : réciprocité, impact territorial, "
                    "facteur humain et changement organisationnel.",
        opens_on=start, closes_on=start + timedelta(days=90), owner=organiser,
    )
    db.session.add_all([earlier, round_])
    invitations, earlier_invitations = [], []
    for home_spec, partner_spec, year in PARTNERSHIPS:
        home, partner = _authority(home_spec), _authority(partner_spec)
        partnership = operations.create_partnership(
            {"home_authority_id": home.id, "partner_authority_id": partner.id, "start_year": year,
             "name": f"{home.name} – {partner.name}"}, by=None)
        for round_of, listed in ((round_, invitations), (earlier, earlier_invitations)):
            listed += [invite(round_of, home, partnership), invite(round_of, partner, partnership)]
    for spec in ALONE:
        authority = _authority(spec)
        db.session.flush()
        invitations.append(invite(round_, authority))
        earlier_invitations.append(invite(earlier, authority))

    rng = random.Random(rng_seed)
    levels: dict = {}
    for number, invitation in enumerate(invitations):
        # Leave a few not started and a few in progress; most have submitted.
        fate = ResponseStatus.SUBMITTED if number % 7 not in (3, 5) else (
            ResponseStatus.IN_PROGRESS if number % 7 == 3 else ResponseStatus.NOT_STARTED)
        if invitation is invitations[-1]:
            fate = ResponseStatus.NOT_STARTED  # an authority invited on its own, left for a visitor to try
        _answer(invitation, fate, _level(levels, invitation, rng), rng, days_ago=0)
    for number, invitation in enumerate(earlier_invitations):
        # Last year nearly everyone submitted, seeing things a little less favourably than now.
        fate = ResponseStatus.SUBMITTED if number % 9 != 4 else ResponseStatus.NOT_STARTED
        _answer(invitation, fate, _level(levels, invitation, rng) - 0.4, rng, days_ago=365)
    for answered in (earlier, round_):  # answers written here, as a respondent's would be
        tallies.refresh(tallies.not_current(answered.id))
    _select_stories(round_)
    # Both partners of each partnership may read their partnership's report once both submitted.
    round_.partnership_reports_shared = True
    return round_, True


#: How many stories of this year's round the demo's organisers selected (Most Significant Change).
STORIES_SELECTED = 2


def _select_stories(round_: Round) -> None:
    """Select the first stories of the round, as a panel would, so that its report shows some."""
    definition = definition_of(round_.questionnaire_version)
    codes = [i.code for s in definition.sections for i in s.items if i.kind.free_text and i.kind.narrative]
    for story in aggregate.text_answers(round_, codes)[:STORIES_SELECTED]:
        stories.set_selected(story.response_id, story.item_code, True)


def _level(levels: dict, invitation: Invitation, rng: random.Random) -> float:
    """The overall view (1–5) of an invitation's side: its partnership's (or its own), the same every round."""
    key = invitation.partnership_id or -invitation.authority_id
    base = levels.setdefault(key, rng.uniform(2.3, 4.2))
    # The home side tends to see the relationship more favourably than the partner.
    return base + (0.4 if invitation.side == Side.HOME else -0.3)


#: The answer to aict's "type of authority" (PRO_01) that each kind of authority of the directory gives.
KIND_ANSWERS = {"commune": "commune", "intercommunalite": "intercommunality", "departement": "departement",
                "region": "region", "foreign_municipality": "commune", "foreign_regional": "region"}


def profile_facts(invitation: Invitation) -> dict[str, list[dict]]:
    """What an authority says of itself on aict's profile page, by item code: its type, population and the
    partnership's start year as the directory has them, and budgets and staff in proportion to its size (the
    partnership's share never above the whole). The same every round: drawn from the authority's name."""
    authority = invitation.authority
    rng = random.Random(authority.name)
    facts = {}
    if authority.population:
        # Euros a year: about 1 € per inhabitant in France, less abroad.
        per_inhabitant = rng.uniform(0.3, 1.5) if authority.country == "FR" else rng.uniform(0.05, 0.4)
        budget = round(authority.population * per_inhabitant, -3)
        staff = min(40, max(0.5, round(budget / 50_000 * rng.uniform(0.7, 1.3) * 2) / 2))  # full-time equivalents
        facts = {"PRO_02": authority.population, "PRO_04": budget, "PRO_05": staff}
        if invitation.partnership is not None:
            facts |= {"PRO_08": round(budget * rng.uniform(0.1, 0.6), -3),
                      "PRO_09": min(staff, max(0.5, round(staff * rng.uniform(0.2, 0.7) * 2) / 2))}
    if invitation.partnership is not None and invitation.partnership.start_year:
        facts["PRO_03"] = invitation.partnership.start_year
    rows = {code: [{"item_code": code, "number_value": value}] for code, value in facts.items()}
    if authority.kind in KIND_ANSWERS:
        rows["PRO_01"] = [{"item_code": "PRO_01", "choice": KIND_ANSWERS[authority.kind]}]
    return rows


def _answer(invitation: Invitation, fate: str, level: float, rng: random.Random, days_ago: int) -> None:
    """Give the invitation's response the status ``fate`` and, unless not started, answers around ``level``.

    Only what the response is asked: its invitation's side and partnership, and its earlier answers.
    """
    if fate == ResponseStatus.NOT_STARTED:
        return
    definition = definition_of(invitation.round.questionnaire_version)
    response = invitation.response
    response.respondent_role = rng.choice(["elected", "international_staff", "international_staff", "other_staff"])
    response.started_at = utcnow() - timedelta(days=days_ago + rng.randint(3, 28), hours=rng.randint(0, 23))
    response.updated_at = response.started_at + timedelta(hours=rng.randint(1, 50))
    side = invitation.side
    asked, drawn = demo_response_rows(definition, side, invitation.partnership_id is not None, level, rng,
                                      facts=profile_facts(invitation))
    sections = asked.sections_of(definition, side)
    if fate == ResponseStatus.IN_PROGRESS:
        sections = sections[: len(sections) // 2]
        response.status = ResponseStatus.IN_PROGRESS
    else:
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = response.updated_at
    response.current_section = sections[-1].code
    for section in sections:
        for item in asked.items_of(section, side):
            db.session.add_all(Answer(response=response, **row) for row in drawn[item.code])


def demo_response_rows(definition: Definition, side: str, partnership: bool, level: float,
                       rng: random.Random, facts: dict[str, list[dict]] | None = None
                       ) -> tuple[Asked, dict[str, list[dict]]]:
    """Plausible answers of a whole response whose overall view is ``level``, to what it is asked.

    ``facts``: answer rows by item code that replace those drawn (what an authority knows of itself).
    Returns what it is asked, given its invitation and the answers drawn, and the answer rows of the
    items asked, by item code: an answer to a question not asked would count where it should not.
    """
    drawn = {item.code: demo_answer_rows(definition, item, level, rng)
             for section in definition.sections_for(side) for item in section.items_for(side)}
    drawn |= {code: rows for code, rows in (facts or {}).items() if code in drawn}
    if not definition.conditional:
        return everything(definition, side), drawn
    answers: dict[str, list[AnswerRow]] = {}
    for rows in drawn.values():
        for row in rows:
            answers.setdefault(row["item_code"], []).append(AnswerRow.of(row))
    asked = asked_by_answers(definition, side, partnership, answers)
    return asked, {code: rows for code, rows in drawn.items() if code in asked.items}


def demo_answer_rows(definition: Definition, item: Item, level: float, rng: random.Random) -> list[dict]:
    """Plausible answers to one item for a respondent whose overall view is ``level`` (1–5)."""
    theme_shift = {"reciprocity": -0.2, "impact": 0.1, "human": -0.5, "organisation": 0.2}.get(item.theme, 0)
    return item.kind.demo_rows(item, level + theme_shift, rng, DEMO_TEXTS)


def earlier_round() -> Round | None:
    """Last year's demo round, on aict v1 (None before ``seed``)."""
    return db.session.scalar(select(Round).filter_by(title=EARLIER_TITLE))


def open_links(round_: Round) -> list[str]:
    """One line per invitation not yet submitted: authority, side and link."""
    lines = []
    for invitation in sorted(round_.invitations, key=lambda i: i.id):
        if invitation.response and invitation.response.is_submitted:
            continue
        status = invitation.response.status if invitation.response else ResponseStatus.NOT_STARTED
        side = invitation.side if invitation.partnership_id else f"{invitation.side}, invited on its own"
        lines.append(f"  {invitation_url(invitation)}  {invitation.authority.name} ({side}, {status})")
    return lines
