"""A small round with answers chosen so that every aggregate can be computed by hand.

Partnership 1: Grenoble (home, FR, commune) and Ouagadougou (partner, BF).
Partnership 2: Lyon (home, FR, commune) and Tombouctou (partner, ML).

- Grenoble answers every reciprocity scale item 5 (one "don't know") → index 100.
- Ouagadougou answers just over half of them 1 → index 0.
- Lyon answers every one 3 → index 50.
- Tombouctou answers every one "don't know" → no index.
"""
from datetime import timedelta

from evalapp import tallies
from evalapp.extensions import db
from evalapp.invitations import invite
from evalapp.models import Answer, Authority, Partnership, ResponseStatus, Round
from evalapp.models.base import utcnow
from tests.respond.conditional import create_cond_round, invite_cond
from tests.respond.helpers import AICT, post_section, start, submit

RECIPROCITY = [i.code for i in AICT.items_by_code.values() if i.theme == "reciprocity" and i.type == "scale"]


def scale_rows(codes, value):
    return [{"item_code": c, "dont_know": True} if value == "dk" else {"item_code": c, "scale_value": value} for c in codes]


def build_round(app, round_id, extra: dict | None = None) -> dict:
    """Create the four submitted responses, with ``extra`` answer rows by name; return {name: (response id,
    invitation id, token)}."""
    half = len(RECIPROCITY) // 2 + 1
    plans = {
        "Grenoble": ("FR", "commune", "home", scale_rows(RECIPROCITY[1:], 5) + scale_rows(RECIPROCITY[:1], "dk")
                     + [{"item_code": "PRO_06", "choice": "cuf"}, {"item_code": "PRO_06", "choice": "ccre_cemr"},
                        {"item_code": "IMP_01_SOC_TER", "scale_value": 4},
                        {"item_code": "STO_01", "text_value": "<img src=x onerror=alert(1)> Notre récit"}]),
        "Ouagadougou": ("BF", "foreign_municipality", "partner", scale_rows(RECIPROCITY[:half], 1)
                        + [{"item_code": "PRO_06", "choice": "cuf"}, {"item_code": "IMP_01_SOC_TER", "scale_value": 2}]),
        "Lyon": ("FR", "commune", "home", scale_rows(RECIPROCITY, 3)
                 + [{"item_code": "PRO_06", "choice": "other", "text_value": "<b>Réseau</b> =SUM(A1)"},
                    {"item_code": "IMP_01_SOC_TER", "scale_value": 3}]),
        "Tombouctou": ("ML", "foreign_regional", "partner", scale_rows(RECIPROCITY, "dk")),
    }
    made = {}
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        authorities = {name: Authority(name=f"Ville de {name}", kind=kind, country=country, region="R-" + country)
                       for name, (country, kind, _, _) in plans.items()}
        pairs = [Partnership(home_authority=authorities["Grenoble"], partner_authority=authorities["Ouagadougou"]),
                 Partnership(home_authority=authorities["Lyon"], partner_authority=authorities["Tombouctou"])]
        db.session.add_all(pairs)
        db.session.flush()
        for n, (name, (_, _, _side, rows)) in enumerate(plans.items()):
            pair = pairs[0] if name in ("Grenoble", "Ouagadougou") else pairs[1]
            invitation = invite(round_, authorities[name], pair)
            response = invitation.response
            response.status = ResponseStatus.SUBMITTED
            response.started_at = utcnow() - timedelta(days=3)
            response.submitted_at = utcnow() - timedelta(days=2 - (n // 2))
            db.session.add_all(Answer(response=response, **row) for row in rows + (extra or {}).get(name, []))
            db.session.flush()
            made[name] = (response.id, invitation.id, invitation.token)
        db.session.commit()
        # Written directly, as a bulk load would: the catch-up counts them into the dashboards' figures.
        tallies.catch_up(round_id)
    return made


def answered_cond_round(app, organiser_id) -> int:
    """cond-v1 answered by both sides of a partnership: home says there is no agreement (yet answers AGR_02
    on the page, scripts off), so AGR_02 and what follows are not asked of it; the partner says there is one."""
    round_id = create_cond_round(app, organiser_id)
    tokens = invite_cond(app, round_id)
    client = app.test_client()
    answers = {"home": {"agreement": {"AGR_01": "no", "AGR_02": "5", "AGR_03": "water"}, "people": {"HUM_02": "dk"}},
               "partner": {"agreement": {"AGR_01": "yes", "AGR_02": "4"}, "results": {"RES_01": "4"},
                           "people": {"HUM_02": "dk"}}}
    for side, pages in answers.items():
        start(client, tokens[side])
        for code, data in pages.items():
            assert post_section(client, tokens[side], code, data).status_code == 303
        assert submit(client, tokens[side]).status_code == 303
    return round_id
