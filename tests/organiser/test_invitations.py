"""Inviting authorities: one, by filter, by partnership; withdrawing and replacing links."""
from sqlalchemy import insert, select

from evalapp import jobs
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


def in_english(client):
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def test_invite_by_filter_says_how_many_first_then_invites_them_as_a_job(app, orga, round_id):
    add_directory(app)
    in_english(orga)
    counted = orga.get(f"/o/rounds/{round_id}/invite?filter-kind=commune&filter-country=FR")
    assert "1 authority matches (Commune, France)." in counted.text and "Invite 1 authority" in counted.text
    started = post_invite(orga, round_id, "filter", kind="commune", country="FR")
    assert started.status_code == 303 and started.location.startswith("/o/jobs/")
    jobs.wait_for_threads()
    assert invitations(app, round_id) == [("Ville de Lyon", "home", None)]
    done = orga.get(started.location).text
    assert "Done" in done and "1 authority matching is invited, 1 of them by this job" in done
    # Counted again: nothing new to invite.
    again = orga.get(f"/o/rounds/{round_id}/invite?filter-kind=commune&filter-country=FR").text
    assert "1 of them is already invited and keeps its link." in again and "no new invitation" in again
    assert 'name="how" value="filter"' not in again
    everyone = orga.get(f"/o/rounds/{round_id}/invite?filter-kind=&filter-country=").text
    assert "3 authorities match (every authority of the directory)." in everyone and "Invite 2 authorities" in everyone


def test_invite_by_filter_skips_authorities_invited_for_a_partnership(app, orga, round_id):
    """An authority with a link for its partnership is not given a second one: it would be mailed twice
    and counted twice in the response rate."""
    ids = add_directory(app)
    in_english(orga)
    post_invite(orga, round_id, "pair", partnership_id=ids["pair"])
    counted = orga.get(f"/o/rounds/{round_id}/invite?filter-kind=&filter-country=").text
    assert "3 authorities match (every authority of the directory)." in counted
    assert "2 of them are already invited and keep their links." in counted and "Invite 1 authority" in counted
    started = post_invite(orga, round_id, "filter")
    jobs.wait_for_threads()
    assert orga.get(started.location).status_code == 200
    assert invitations(app, round_id) == [("Département de l'Isère", "home", None), ("Municipalidad de Córdoba", "partner", ids["pair"]),
                                          ("Ville de Lyon", "home", ids["pair"])]


def test_a_filter_not_offered_is_refused_at_its_field(app, orga, round_id):
    add_directory(app)
    page = orga.get(f"/o/rounds/{round_id}/invite?filter-kind=castle&filter-country=XX")
    assert page.status_code == 200 and page.text.count('class="field-error"') == 2
    assert post_invite(orga, round_id, "filter", kind="castle").status_code == 200
    assert post_invite(orga, round_id, "one", authority_id="10" * 12).status_code == 400
    assert post_invite(orga, round_id, "one", authority_id=99).status_code == 404
    assert invitations(app, round_id) == []


def test_the_invite_page_stays_small_and_finds_authorities_and_partnerships_by_a_search(app, orga, round_id):
    ids = add_directory(app)
    with app.app_context():
        db.session.execute(insert(Authority), [{"name": f"Commune numéro {i}", "sort_name": f"commune numero {i}",
                                                "kind": "commune", "country": "FR"} for i in range(3000)])
        db.session.commit()
    in_english(orga)
    page = orga.get(f"/o/rounds/{round_id}/invite")
    # No list of every authority: only the types and the countries of the filter.
    assert "Commune numéro" not in page.text and page.text.count("<option") < 300 and len(page.data) < 60_000
    found = orga.get(f"/o/rounds/{round_id}/invite?q=lyon").text
    assert "Ville de Lyon" in found and "Municipalidad de Córdoba" in found  # Lyon, and its partnership
    assert f'name="one-authority_id" value="{ids["lyon"]}"' in found
    assert f'name="pair-partnership_id" value="{ids["pair"]}"' in found
    many = orga.get(f"/o/rounds/{round_id}/invite?q=numero").text
    assert many.count('name="one-authority_id"') == 25 and "Only the first 25 of each are shown" in many
    assert post_invite(orga, round_id, "one", authority_id=ids["lyon"]).status_code == 303
    assert ">invited<" in orga.get(f"/o/rounds/{round_id}/invite?q=lyon").text


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
