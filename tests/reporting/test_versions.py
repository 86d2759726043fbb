"""A new questionnaire version leaves the rounds of the old one exactly as they were.

A round on aict v1 is answered while v1 is the only version; then aict v2 is loaded and a round on
it is answered. Every answer of the v1 round, every figure and chart of its pages and every export
of it stay byte for byte what they were.
"""
import random
import re
import shutil
from datetime import timedelta

from sqlalchemy import select

from evalapp import tallies
from evalapp.clock import today
from evalapp.demo import demo_response_rows
from evalapp.extensions import db
from evalapp.invitations import invite
from evalapp.models import (
    Answer,
    Authority,
    Invitation,
    Partnership,
    QuestionnaireItem,
    QuestionnaireVersion,
    Response,
    ResponseStatus,
    Round,
)
from evalapp.models.base import utcnow
from evalapp.questionnaires import DEFINITIONS_DIR
from evalapp.questionnaires.loader import definition_of, load_all
from tests.respond.helpers import csrf_token

EXPORTS = [(layout, values) for layout in ("wide", "long", "codebook", "pairs") for values in ("labels", "codes")]


def answered_round(app, organiser_id, version: QuestionnaireVersion, title: str, seed: int) -> int:
    """A round on ``version``: three partnerships (both sides) and an authority on its own, all submitted."""
    rng = random.Random(seed)
    round_ = Round(questionnaire_version=version, title=title, owner_id=organiser_id,
                   opens_on=today() - timedelta(days=10), closes_on=today() + timedelta(days=20))
    db.session.add(round_)
    invitations = []
    for n, (home, partner) in enumerate([("Grenoble", "Ouagadougou"), ("Lyon", "Córdoba"), ("Rennes", "Sendai")]):
        pair = _partnership(_authority(home, "FR", "commune"),
                            _authority(partner, ["BF", "AR", "JP"][n], "foreign_municipality"))
        invitations += [invite(round_, pair.home_authority, pair), invite(round_, pair.partner_authority, pair)]
    invitations.append(invite(round_, _authority("Cherbourg", "FR", "commune")))
    definition = definition_of(version)
    for invitation in invitations:
        asked, rows = demo_response_rows(definition, invitation.side, invitation.partnership_id is not None,
                                         rng.uniform(2, 4.5), rng)
        response = invitation.response
        response.status, response.respondent_role = ResponseStatus.SUBMITTED, "international_staff"
        response.started_at = utcnow() - timedelta(days=2)
        response.submitted_at = response.updated_at = utcnow() - timedelta(days=1)
        db.session.add_all(Answer(response=response, **row) for answers in rows.values() for row in answers)
    tallies.refresh(tallies.not_current(round_.id))
    db.session.commit()
    return round_.id


def _partnership(home, partner) -> Partnership:
    """The partnership of the two, as the earlier round left it, or a new one."""
    db.session.flush()
    found = db.session.scalar(select(Partnership).filter_by(home_authority_id=home.id, partner_authority_id=partner.id))
    if found is None:
        found = Partnership(home_authority=home, partner_authority=partner)
        db.session.add(found)
        db.session.flush()
    return found


def _authority(name, country, kind) -> Authority:
    found = db.session.scalar(select(Authority).filter_by(name=f"Ville de {name}"))
    if found is None:
        found = Authority(name=f"Ville de {name}", kind=kind, country=country, region="R-" + country)
        db.session.add(found)
    return found


def what_is_kept(app, orga, round_id) -> dict:
    """The round's answers and questionnaire as stored, its pages without CSRF tokens, and its exports."""
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        version = round_.questionnaire_version
        kept = {
            "version": (version.id, version.code, version.version, version.checksum, version.definition),
            "items": sorted((i.code, i.section, i.theme, i.type, i.position, i.scored, i.parent_code)
                            for i in db.session.scalars(select(QuestionnaireItem).filter_by(questionnaire_version=version))),
            "answers": sorted((a.response_id, a.item_code, a.choice, a.scale_value, a.dont_know, a.number_value,
                               a.text_value, a.set_aside) for a in db.session.scalars(
                select(Answer).join(Response).join(Invitation).where(Invitation.round_id == round_id))),
        }
        partnerships = sorted({i.partnership_id for i in round_.invitations if i.partnership_id})
        invitations = sorted(i.id for i in round_.invitations)
    base = f"/o/rounds/{round_id}"
    pages = ["dashboard", "reciprocity", "texts", "report", "stories.csv",
             *(f"partnerships/{p}" for p in partnerships), *(f"authorities/{i}" for i in invitations)]
    for lang in ("en", "fr"):
        orga.post("/language", data={"csrf_token": csrf_token(orga.get("/o/").text), "lang": lang, "next": "/o/"})
        for page in pages:
            shown = orga.get(f"{base}/{page}")
            assert shown.status_code == 200, page
            kept[f"{page} {lang}"] = re.sub(r'(name="csrf_token"[^>]*value=)"[^"]+"', r"\1", shown.text)
    assert kept["dashboard en"] != kept["dashboard fr"]
    form = orga.get(f"{base}/export").text
    for layout, values in EXPORTS:
        download = orga.post(f"{base}/export", data={
            "csrf_token": csrf_token(form), "layout": layout, "preset": "custom", "headers": "codes",
            "values": values, "lang": "fr", "delimiter": ","})
        assert download.status_code == 200 and download.mimetype == "text/csv", (layout, values)
        kept[f"export {layout} {values}"] = download.data
    return kept


def test_loading_v2_leaves_every_answer_figure_chart_and_export_of_a_v1_round_as_it_was(app, orga, organiser_id,
                                                                                       tmp_path):
    only_v1 = tmp_path / "definitions"
    only_v1.mkdir()
    shutil.copy(DEFINITIONS_DIR / "aict-v1.yaml", only_v1)
    with app.app_context():
        [v1] = [result.version for result in load_all(only_v1)]
        v1_round = answered_round(app, organiser_id, v1, "Tour 2025 (v1)", seed=1)
    before = what_is_kept(app, orga, v1_round)
    # What is compared carries the round: answers of both sides, charts, a pair per partnership.
    assert len(before["answers"]) > 7 * 50 and before["dashboard fr"].count('<script type="application/json"') >= 5
    assert before["export pairs codes"].count(b"\n") == 1 + 3

    with app.app_context():
        results = load_all()
        assert [(r.version.code, r.version.version, r.created) for r in results] == [("aict", 1, False),
                                                                                     ("aict", 2, True)]
        v2_round = answered_round(app, organiser_id, results[1].version, "Tour 2026 (v2)", seed=2)
    after = what_is_kept(app, orga, v1_round)

    assert after.keys() == before.keys()
    for part in before:
        assert after[part] == before[part], part
    # And the v2 round is a round of its own, with its own codes.
    assert what_is_kept(app, orga, v2_round)["answers"] != before["answers"]
