"""An authority answers through its invitation link: welcome, pages, review, submit."""
import pytest
from sqlalchemy import func, select

from evalapp.extensions import db
from evalapp.models import Answer, Invitation, Response
from tests.factories import create_partnership_invitations, create_round
from tests.respond.helpers import AICT, csrf_token, fill_everything, post_section, section_data, start, submit


@pytest.fixture
def tokens(app):
    return create_partnership_invitations(app, create_round(app))


@pytest.fixture
def token(tokens):
    return tokens[0]


def response_of(app, token):
    with app.app_context():
        response = db.session.scalar(select(Response).join(Invitation).where(Invitation.token == token))
        answers = {}
        for a in db.session.scalars(select(Answer).where(Answer.response_id == response.id)):
            answers.setdefault(a.item_code, []).append(a)
        return response, answers


def test_welcome_page_shows_round_authority_partner_deadline_and_duration(client, token):
    page = client.get(f"/r/{token}")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="fr">' in html
    for text in ("Tour test 2026", "Ville de Grenoble", "Commune de Ouagadougou", "Date limite",
                 f"environ {AICT.estimated_minutes} minutes", "Commencer le questionnaire"):
        assert text in html


def test_start_asks_in_which_capacity_one_answers(client, token):
    page = client.get(f"/r/{token}")
    response = client.post(f"/r/{token}/start", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 422
    assert "Veuillez indiquer à quel titre vous répondez." in response.text
    response = start(client, token, role="elected")
    assert response.status_code == 303 and response.location.endswith(f"/r/{token}/p/profile")


def test_section_page_has_progress_fields_named_by_code_and_navigation(client, token):
    start(client, token)
    html = client.get(f"/r/{token}/p/reciprocity").text
    steps = len(AICT.sections_for("home")) + 1
    assert f"Étape 3 sur {steps}" in html and f'<progress max="{steps}" value="3"' in html
    assert 'name="REC_01"' in html and 'value="dk"' in html and "Ne sait pas / non concerné" in html
    assert "<fieldset" in html and "<legend>" in html
    for button in ("Précédent", "Enregistrer et finir plus tard", "Suivant"):
        assert button in html


def test_next_saves_the_page_and_previous_finds_every_answer(app, client, token):
    start(client, token)
    data = section_data("profile")
    response = post_section(client, token, "profile", data)
    assert response.location.endswith("/p/context")
    response = post_section(client, token, "context", {}, action="previous")
    assert response.location.endswith("/p/profile")
    html = client.get(f"/r/{token}/p/profile").text
    assert f'value="{data["PRO_03"]}"' in html
    first_choice = data["PRO_01"]
    assert f'value="{first_choice}"\n               checked' in html or f'value="{first_choice}" checked' in html.replace("\n               ", " ")
    _, answers = response_of(app, token)
    assert answers["PRO_03"][0].number_value == float(data["PRO_03"])


def test_save_and_finish_later_then_resume_where_one_left_off(client, token):
    start(client, token)
    post_section(client, token, "profile", section_data("profile"))
    response = post_section(client, token, "context", section_data("context"), action="save")
    assert response.location.endswith(f"/r/{token}/saved")
    assert "Vos réponses sont enregistrées" in client.get(response.location).text
    # Days later, with the same link:
    fresh = client.application.test_client()
    welcome = fresh.get(f"/r/{token}")
    assert "Reprendre là où je m'étais arrêté" in welcome.text
    response = start(fresh, token)
    assert response.location.endswith("/p/context")
    assert 'value="{}"'.format(section_data("context")["CTX_01"][0]) in fresh.get(response.location).text


def test_switching_language_midway_keeps_every_answer(app, client, token):
    start(client, token)
    post_section(client, token, "profile", section_data("profile"))
    data = section_data("context")
    response = post_section(client, token, "context", data, action="lang-en")
    assert response.status_code == 303 and response.location.endswith("/p/context")
    html = client.get(response.location).text
    assert '<html lang="en">' in html and "Step 2 of" in html
    _, answers = response_of(app, token)
    assert {a.choice for a in answers["CTX_01"]} == set(data["CTX_01"])
    assert "PRO_03" in answers
    # The rest of the site is in English from now on.
    assert "Review and submit" in client.get(f"/r/{token}/review").text


def test_review_lists_answers_and_submit_shows_them_read_only_with_the_time(app, client, token):
    fill_everything(client, token)
    review = client.get(f"/r/{token}/review")
    assert "Vérifier et envoyer" in review.text and "Eau et assainissement" in review.text
    response = submit(client, token)
    assert response.status_code == 303
    page = client.get(f"/r/{token}")
    assert "Réponses envoyées le" in page.text and " à " in page.text
    assert "Eau et assainissement" in page.text and "<textarea" not in page.text
    stored, _ = response_of(app, token)
    assert stored.status == "submitted" and stored.submitted_at is not None and stored.respondent_role == "international_staff"


def test_submit_with_required_items_missing_points_to_each_page_and_field(app, client, token):
    start(client, token)
    data = section_data("profile")
    del data["PRO_01"]
    post_section(client, token, "profile", data)
    response = submit(client, token)
    assert response.status_code == 422
    missing = [i.code for s in AICT.sections_for("home") for i in s.items_for("home")
               if i.required and (s.code != "profile" or i.code == "PRO_01")]
    assert len(missing) > 2 and "PRO_03" not in missing
    for code in missing:
        assert f"#q-{code}" in response.text
    assert "#q-PRO_03" not in response.text
    assert "/p/profile?check=1#q-PRO_01" in response.text
    page = client.get(f"/r/{token}/p/profile?check=1")
    assert 'id="PRO_01-error"' in page.text and "Cette question doit recevoir une réponse" in page.text
    stored, _ = response_of(app, token)
    assert stored.status == "in_progress"


def test_a_second_submit_never_makes_a_second_response(app, client, token):
    fill_everything(client, token)
    page = client.get(f"/r/{token}/review")
    form = {"csrf_token": csrf_token(page.text)}
    first = client.post(f"/r/{token}/submit", data=form)
    submitted_at = response_of(app, token)[0].submitted_at
    second = client.post(f"/r/{token}/submit", data=form)
    assert first.status_code == second.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 2  # one per invitation
    stored, answers = response_of(app, token)
    assert stored.submitted_at == submitted_at and answers


def test_submitted_answers_cannot_be_changed(app, client, token):
    fill_everything(client, token)
    page = client.get(f"/r/{token}/p/profile")
    html_token = csrf_token(client.get(f"/r/{token}/review").text)
    submit(client, token)
    before = response_of(app, token)[1]["PRO_03"][0].number_value
    response = client.post(f"/r/{token}/p/profile", data={"csrf_token": html_token, "PRO_03": "2000", "action": "next"})
    assert response.status_code == 303
    assert "déjà été envoyé" in client.get(response.location).text
    assert response_of(app, token)[1]["PRO_03"][0].number_value == before
    assert page.status_code == 200


def test_partner_side_reads_the_mirror_wording(client, tokens):
    _, partner_token = tokens
    start(client, partner_token)
    mirrored = next(i for s in AICT.sections_for("partner") for i in s.items_for("partner") if i.partner_text)
    section = next(s for s in AICT.sections_for("partner") if mirrored in s.items)
    html = client.get(f"/r/{partner_token}/p/{section.code}").text
    assert mirrored.partner_text.fr.split("«")[0][:40] in html.replace("&#39;", "'")
    home_only = [i.code for s in AICT.sections for i in s.items if i.sides == ["home"]]
    assert home_only
    for code in home_only:
        assert f'name="{code}"' not in "".join(client.get(f"/r/{partner_token}/p/{s.code}").text for s in AICT.sections_for("partner"))


def test_the_list_of_steps_saves_the_page_before_leaving_it(app, client, token):
    start(client, token)
    data = section_data("context")
    response = post_section(client, token, "context", data, action="goto-reciprocity")
    assert response.status_code == 303 and response.location.endswith("/p/reciprocity")
    _, answers = response_of(app, token)
    assert {a.choice for a in answers["CTX_01"]} == set(data["CTX_01"])


def test_resuming_goes_to_the_page_the_respondent_was_heading_to(client, token):
    start(client, token)
    post_section(client, token, "profile", section_data("profile"))  # Next, to "context"
    fresh = client.application.test_client()
    assert start(fresh, token).location.endswith("/p/context")


def test_language_switch_applies_at_once_even_when_the_page_has_an_error(client, token):
    start(client, token)
    response = post_section(client, token, "profile", {**section_data("profile"), "PRO_03": "1800"}, action="lang-en")
    assert response.status_code == 422
    assert '<html lang="en">' in response.text and "Enter a number between 1945 and 2026." in response.text


def test_english_numbers_are_read_the_english_way(app, client, token):
    start(client, token)
    client.post("/language", data={"csrf_token": csrf_token(client.get("/").text), "lang": "en", "next": "/"})
    assert post_section(client, token, "profile", {**section_data("profile"), "PRO_02": "302,302",
                                                   "PRO_05": "1.5"}).status_code == 303
    _, answers = response_of(app, token)
    assert answers["PRO_02"][0].number_value == 302302 and answers["PRO_05"][0].number_value == 1.5
    assert 'value="302,302"' in client.get(f"/r/{token}/p/profile").text


def test_none_cannot_be_ticked_with_other_answers(app, client, token):
    start(client, token)
    item = AICT.items_by_code["PRO_06"]
    real = next(o.code for o in item.options if not o.exclusive)
    response = post_section(client, token, "profile", {**section_data("profile"), "PRO_06": ["none", real]})
    assert response.status_code == 422 and "ne peut pas être coché avec d" in response.text


def test_switching_language_reads_numbers_as_the_page_wrote_them(app, client, token):
    start(client, token)
    client.post("/language", data={"csrf_token": csrf_token(client.get("/").text), "lang": "en", "next": "/"})
    page = client.get(f"/r/{token}/p/profile")
    # The English page shows and accepts "4,311,425"; switching to French must still read it.
    data = {**section_data("profile"), "PRO_02": "4,311,425", "PRO_05": "291.2", "page_lang": "en"}
    response = client.post(f"/r/{token}/p/profile", data={"csrf_token": csrf_token(page.text), "action": "lang-fr", **data})
    assert response.status_code == 303
    _, answers = response_of(app, token)
    assert answers["PRO_02"][0].number_value == 4311425 and answers["PRO_05"][0].number_value == 291.2
    assert 'value="4\u202f311\u202f425"' in client.get(f"/r/{token}/p/profile").text


def test_language_switch_after_a_refused_start_comes_back_to_the_welcome_page(client, token):
    page = client.get(f"/r/{token}")
    refused = client.post(f"/r/{token}/start", data={"csrf_token": csrf_token(page.text)},
                          headers={"Referer": f"http://localhost/r/{token}"})
    assert refused.status_code == 422
    assert f'name="next" value="http://localhost/r/{token}"' in refused.text
    switched = client.post("/language", data={"csrf_token": csrf_token(refused.text), "lang": "en",
                                               "next": f"http://localhost/r/{token}"})
    assert switched.location == f"/r/{token}"
