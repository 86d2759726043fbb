"""The test questionnaire with conditions (tests/questionnaires/definitions/cond-v1.yaml), and rounds of it."""
from datetime import timedelta
from pathlib import Path

from evalapp.clock import today
from evalapp.extensions import db
from evalapp.invitations import invite
from evalapp.models import Authority, Partnership, Round
from evalapp.questionnaires.loader import load_all, read_definition

COND_DIR = Path(__file__).parent.parent / "questionnaires" / "definitions"
COND_PATH = COND_DIR / "cond-v1.yaml"
COND_YAML = COND_PATH.read_text(encoding="utf-8")
COND = read_definition(COND_PATH)


def create_cond_round(app, organiser_id=None) -> int:
    with app.app_context():
        version = load_all(COND_DIR)[0].version
        round_ = Round(questionnaire_version=version, title="Tour à conditions", owner_id=organiser_id,
                       opens_on=today() - timedelta(days=5), closes_on=today() + timedelta(days=30))
        db.session.add(round_)
        db.session.commit()
        return round_.id


def invite_cond(app, round_id, lang="fr") -> dict[str, str]:
    """Invite both sides of a partnership and an authority on its own: tokens by "home", "partner", "alone"."""
    with app.app_context():
        home = Authority(name="Ville de Grenoble", kind="commune", country="FR", region="Auvergne-Rhône-Alpes",
                         language=lang)
        partner = Authority(name="Commune de Ouagadougou", kind="foreign_municipality", country="BF", language=lang)
        alone = Authority(name="Ville de Lyon", kind="commune", country="FR", region="Auvergne-Rhône-Alpes",
                          language=lang)
        partnership = Partnership(home_authority=home, partner_authority=partner, start_year=1967)
        db.session.add_all([partnership, alone])
        round_ = db.session.get(Round, round_id)
        tokens = {"home": invite(round_, home, partnership).token, "partner": invite(round_, partner, partnership).token,
                  "alone": invite(round_, alone).token}
        db.session.commit()
        return tokens
