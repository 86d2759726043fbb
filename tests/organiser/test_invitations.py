"""Inviting authorities: one, by filter, by partnership; withdrawing and replacing links."""
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Answer, Authority, Invitation, Partnership, Response
from tests.respond.helpers import csrf_token, post_section, section_data, start


def add_directory(app):
    with app.app_context():
        lyon = Authority(name="Ville de Lyon", kind="commune", country="FR")
        isere = Authority(name="Département de l'Isère", kind="departement", country="FR")
        cordoba = Authority(name="Municipalidad de Córdoba", kind="foreign_municipality", country="AR", language="en")
        pair = Partnership(home_authority=lyon, partner_authority=cordoba, start_year=1998)
        db.session.add_all([lyon, isere, cordoba, pair])
        db.session.commit()
        return {"lyon": lyon.id, "isere": isere.id, "cordoba": cordoba.id, "pair": pair.id}


def invitations(app, round_id):
    with app.app_context():
        rows = db.session.execute(
            select(Authority.name, Invitation.side, Invitation.partnership_id)
            .join(Invitation, Invitation.authority_id == Authority.id).where(Invitation.round_id == round_id)
        ).all()
        return sorted(tuple(r) for r in rows)


def post_invite(orga, round_id, how, **fields):
    page = orga.get(f"/o/rounds/{round_id}/invite")
    data = {f"{how}-csrf_token": csrf_token(page.text), "how": how}
    data.update({f"{how}-{k}": v for k, v in fields.items()})
    return orga.post(f"/o/rounds/{round_id}/invite", data=data)


def test_invite_one_authority(app, orga, round_id):
    ids = add_directory(app)
    response = post_invite(orga, round_id, "one", authority_id=ids["isere"])
    assert response.status_code == 303
    assert invitations(app, round_id) == [("Département de l'Isère", "home", None)]


def test_invite_by_filter(app, orga, round_id):
    add_directory(app)
    post_invite(orga, round_id, "filter", kind="commune", country="FR")
    assert invitations(app, round_id) == [("Ville de Lyon", "home", None)]


def test_invite_a_partnership_gives_each_side_its_variant_and_is_idempotent(app, orga, round_id):
    ids = add_directory(app)
    post_invite(orga, round_id, "pair", partnership_id=ids["pair"])
    post_invite(orga, round_id, "pair", partnership_id=ids["pair"])
    assert invitations(app, round_id) == [
        ("Municipalidad de Córdoba", "partner", ids["pair"]), ("Ville de Lyon", "home", ids["pair"])]
    with app.app_context():
        token = db.session.scalar(select(Invitation.token).where(Invitation.authority_id == ids["cordoba"]))
    page = app.test_client().get(f"/r/{token}")
    assert '<html lang="en">' in page.text and "Ville de Lyon" in page.text


def test_withdrawn_link_answers_410_and_a_new_link_keeps_the_answers(app, orga, round_id, tokens):
    respondent = app.test_client()
    start(respondent, tokens[0])
    post_section(respondent, tokens[0], "profile", section_data("profile"))
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id).where(Invitation.token == tokens[0]))
    token = csrf_token(orga.get(f"/o/rounds/{round_id}").text)
    orga.post(f"/o/rounds/{round_id}/invitations/{invitation_id}/revoke", data={"csrf_token": token})
    gone = respondent.get(f"/r/{tokens[0]}")
    assert gone.status_code == 410 and "Lien retiré" in gone.text
    assert "lien retiré" in orga.get(f"/o/rounds/{round_id}?status=revoked").text

    orga.post(f"/o/rounds/{round_id}/invitations/{invitation_id}/reissue", data={"csrf_token": token})
    with app.app_context():
        new_token = db.session.get(Invitation, invitation_id).token
        answers = db.session.scalars(select(Answer).join(Response).where(Response.invitation_id == invitation_id)).all()
    assert new_token != tokens[0] and answers
    assert respondent.get(f"/r/{tokens[0]}").status_code == 410
    assert respondent.get(f"/r/{tokens[0]}/p/profile").status_code == 410
    resumed = app.test_client().get(f"/r/{new_token}/p/profile")
    assert resumed.status_code == 200 and 'value="{}"'.format(section_data("profile")["PRO_03"]) in resumed.text
