"""An authority answers through its invitation link: welcome, pages, review, submit."""
import re

import pytest
from sqlalchemy import func, select

from evalapp.extensions import db
from evalapp.models import Answer, Invitation, Response
from tests.factories import create_partnership_invitations, create_round
from tests.respond.helpers import (
    AICT,
    csrf_token,
    fill_everything,
    form_as_shown,
    post_section,
    section_data,
    start,
    submit,
)


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
    missing = [i.answer_codes[0] for s in AICT.sections_for("home") for i in s.items_for("home")
               if i.required and (s.code != "profile" or i.code == "PRO_01")]
    assert len(missing) > 2 and "PRO_03" not in missing
    for code in missing:
        assert f"focus={code}" in response.text
    assert "focus=PRO_03" not in response.text
    link = re.search(r'href="(/r/[^"]+/p/profile\?[^"]+focus=PRO_01)"', response.text).group(1).replace("&amp;", "&")
    page = client.get(link)
    assert 'id="PRO_01-error"' in page.text and "Cette question doit recevoir une réponse" in page.text
    # The link moves the focus to the question, not only the scroll: its first choice has autofocus,
    # and nothing else on the page does.
    assert re.findall(r'<[^>]*\bautofocus\b[^>]*>', page.text) == [
        re.search(r'<input type="radio" id="PRO_01-0"[^>]*>', page.text).group(0)]
    stored, _ = response_of(app, token)
    assert stored.status == "in_progress"
    # The refused submission left /submit in the address bar: opened again, it is the review page.
    again = client.get(f"/r/{token}/submit", follow_redirects=True)
    assert again.status_code == 200 and again.request.path == f"/r/{token}/review"
    assert f'action="/r/{token}/submit"' in again.text


def test_the_welcome_form_s_address_opened_as_a_page_is_the_welcome_page(client, token):
    page = client.get(f"/r/{token}")
    assert client.post(f"/r/{token}/start", data={"csrf_token": csrf_token(page.text)}).status_code == 422
    again = client.get(f"/r/{token}/start", follow_redirects=True)
    assert again.status_code == 200 and again.request.path == f"/r/{token}"
    assert f'action="/r/{token}/start"' in again.text


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


def test_the_welcome_pages_language_switch_keeps_the_role_ticked(app, client, token):
    page = client.get(f"/r/{token}")
    # The switch's buttons belong to the welcome page's form.
    assert re.search(r'<button type="submit" form="start" name="action" value="lang-en"', page.text)
    switched = client.post(f"/r/{token}/start", data={"csrf_token": csrf_token(page.text), "action": "lang-en",
                                                      "respondent_role": "elected"})
    assert switched.status_code == 200 and '<html lang="en">' in switched.text
    assert re.search(r'<input type="radio" id="respondent_role-0" name="respondent_role" value="elected" checked',
                     switched.text)
    assert "field-error" not in switched.text
    # Nothing is started by a switch; starting then goes on in English.
    assert response_of(app, token)[0].status == "not_started"
    started = client.post(f"/r/{token}/start", data={"csrf_token": csrf_token(switched.text),
                                                     "respondent_role": "elected"})
    assert started.status_code == 303 and "Your authority" in client.get(started.location).text


def test_language_switch_after_a_refused_start_shows_the_welcome_page_in_the_other_language(client, token):
    page = client.get(f"/r/{token}")
    refused = client.post(f"/r/{token}/start", data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 422
    switched = client.post(f"/r/{token}/start", data={"csrf_token": csrf_token(refused.text), "action": "lang-en"})
    assert switched.status_code == 200 and "Start the questionnaire" in switched.text


def switch_to(client, token, lang):
    review = client.get(f"/r/{token}/review").text
    form = re.search(r'action="(/r/[^"]+/language)">\s*<input type="hidden" name="csrf_token" value="([^"]+)"', review)
    client.post(form.group(1), data={"csrf_token": form.group(2), "lang": lang})


@pytest.mark.parametrize("first, typed, then, shown, stored", [
    ("en", "250,000", "fr", "250\u202f000", 250000),
    ("fr", "250 000", "en", "250,000", 250000),
    ("fr", "2,5", "en", "2.5", 2.5),
    ("en", "2.5", "fr", "2,5", 2.5),
    ("fr", "0,12345", "en", "0.12345", 0.12345),
])
def test_a_number_is_read_in_the_language_it_was_typed_in_whatever_happens_next(
        app, client, token, first, typed, then, shown, stored):
    """Typed on one language's page with an error elsewhere, then the language switched: the number
    is shown the new language's way and saved as typed, with no error on a field nobody touched."""
    start(client, token)
    switch_to(client, token, first)
    code = "PRO_02" if isinstance(stored, int) else "PRO_05"
    page = client.get(f"/r/{token}/p/profile").text
    sent = {**form_as_shown(page), **section_data("profile"), code: typed, "PRO_03": "1800"}
    switched = client.post(f"/r/{token}/p/profile", data={**sent, "action": f"lang-{then}"})
    assert switched.status_code == 422 and f'<html lang="{then}">' in switched.text
    again = form_as_shown(switched.text)
    assert again[code] == shown and f'id="{code}-error"' not in switched.text
    # Corrected and saved: the number stored is the one typed.
    assert client.post(f"/r/{token}/p/profile", data={**again, "PRO_03": "1990", "action": "save"}).status_code == 303
    assert response_of(app, token)[1][code][0].number_value == stored
    # Shown again, resumed and saved unchanged, in either language: still the same number.
    for lang in (then, first):
        switch_to(client, token, lang)
        resumed = form_as_shown(client.get(f"/r/{token}/p/profile").text)
        assert client.post(f"/r/{token}/p/profile", data={**resumed, "action": "save"}).status_code == 303
        assert response_of(app, token)[1][code][0].number_value == stored
