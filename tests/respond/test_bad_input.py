"""Bad links and bad answers: a clear page or a message at the field, and nothing saved is lost."""
import re
from html import unescape

import pytest
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Answer, Invitation, Response
from tests.factories import create_partnership_invitations, create_round
from tests.respond.helpers import csrf_token, post_section, section_data, start


@pytest.fixture
def token(app):
    return create_partnership_invitations(app, create_round(app))[0]


def saved_answers(app, token):
    with app.app_context():
        rows = db.session.scalars(
            select(Answer).join(Response).join(Invitation).where(Invitation.token == token)
        )
        return {(a.item_code, a.choice): (a.scale_value, a.number_value, a.text_value, a.dont_know) for a in rows}


@pytest.mark.parametrize("bad", [
    "0" * 43,                           # well-formed, unknown
    "short",                            # malformed
    "x" * 10_000,                       # overlong
    "..%2F..%2Fetc%2Fpasswd",           # path-like
    "' OR '1'='1",                      # SQL-like
])
def test_unknown_or_malformed_token_is_a_404_in_the_interface_language(client, token, bad):
    for url in (f"/r/{bad}", f"/r/{bad}/review", f"/r/{bad}/p/profile"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page introuvable" in response.text and "Traceback" not in response.text


def test_404_follows_the_chosen_language(client):
    page = client.get("/")
    client.post("/language", data={"csrf_token": csrf_token(page.text), "lang": "en", "next": "/"})
    response = client.get("/r/" + "0" * 43)
    assert response.status_code == 404 and "Page not found" in response.text


@pytest.mark.parametrize("opens, closes, expected", [
    (3, 30, "pas encore ouvert"),
    (-30, -1, "est clos"),
])
def test_a_round_not_open_today_says_so(app, client, opens, closes, expected):
    token = create_partnership_invitations(app, create_round(app, opens_in_days=opens, closes_in_days=closes))[0]
    for response in (client.get(f"/r/{token}"), client.get(f"/r/{token}/p/profile"), client.get(f"/r/{token}/review")):
        assert response.status_code == 403
        assert expected in response.text


def test_answers_are_refused_once_the_round_closes(app, client):
    round_id = create_round(app)
    token = create_partnership_invitations(app, round_id)[0]
    start(client, token)
    form_token = csrf_token(client.get(f"/r/{token}/p/profile").text)
    with app.app_context():
        from datetime import timedelta

        from evalapp.clock import today
        from evalapp.models import Round
        round_ = db.session.get(Round, round_id)
        round_.opens_on, round_.closes_on = today() - timedelta(days=10), today() - timedelta(days=1)
        db.session.commit()
    response = client.post(f"/r/{token}/p/profile", data={"csrf_token": form_token, "PRO_03": "1990", "action": "next"})
    assert response.status_code == 403 and "est clos" in response.text
    assert ("PRO_03", "") not in saved_answers(app, token)


@pytest.mark.parametrize("field, value, message", [
    ("PRO_03", "1800", "Saisissez un nombre compris entre 1945 et 2026."),
    ("PRO_03", "mille neuf cent", "Saisissez un nombre entier, par exemple 12 500."),
    ("PRO_01", "castle", "est pas un choix valide"),
    ("REC_01", "9", "est pas un choix valide"),
    ("STO_01", "x" * 20_000, "ne peut pas contenir plus de 5000 caractères"),
    # Numbers fed anything: a message at the field, never a 500 nor another number than typed.
    ("PRO_04", "9" * 400, "Saisissez un nombre d'au plus 15 chiffres."),
    ("PRO_05", "0," + "1" * 20, "Saisissez un nombre d'au plus 15 chiffres."),
    ("PRO_04", "1e400", "Saisissez un nombre entier, par exemple 12 500."),
    ("PRO_05", "1e3", "Saisissez un nombre, par exemple 2,5."),
    ("PRO_05", "NaN", "Saisissez un nombre, par exemple 2,5."),
    ("PRO_05", "Infinity", "Saisissez un nombre, par exemple 2,5."),
    ("PRO_05", "-inf", "Saisissez un nombre, par exemple 2,5."),
    ("PRO_04", "-5", "Saisissez un nombre compris entre 0 et 100\u202f000\u202f000."),
    ("PRO_04", "١٢٣", "Saisissez un nombre entier, par exemple 12 500."),
    ("PRO_04", "１２３", "Saisissez un nombre entier, par exemple 12 500."),
    ("PRO_04", "12,5", "Saisissez un nombre entier, sans virgule : par exemple 12500."),
    ("PRO_04", "12.0", "Saisissez un nombre entier, sans virgule : par exemple 12500."),
    # "250.000": 250 thousand the way some write it, or 250? Never guessed.
    ("PRO_04", "250.000", "Écrivez les milliers avec une espace (250 000) et les décimales avec une virgule (2,5)."),
    ("PRO_05", "1.500", "Écrivez les milliers avec une espace (250 000) et les décimales avec une virgule (2,5)."),
    ("PRO_04", "0x1F", "Saisissez un nombre entier, par exemple 12 500."),
    ("PRO_04", "1_000", "Saisissez un nombre entier, par exemple 12 500."),
    ("PRO_04", "99999999999999", "Saisissez un nombre compris entre 0 et 100\u202f000\u202f000."),
    ("PRO_01", "", None),
    ("PRO_06", "castle", "est pas un choix valide"),
    ("PRO_06__other", "x" * 201, "ne peut pas contenir plus de 200 caractères"),
    ("REC_01", "<script>alert(1)</script>", "est pas un choix valide"),
    ("STO_03", "a\x00b", "(NUL)"),
])
def test_bad_values_get_a_message_at_the_field_and_lose_nothing(app, client, token, field, value, message):
    start(client, token)
    section = {"PRO": "profile", "REC": "reciprocity", "STO": "story"}[field[:3]]
    good = section_data(section)
    assert post_section(client, token, section, good).status_code == 303
    before = saved_answers(app, token)

    # A valid change in the same request must not be saved either.
    other, other_value = {"profile": ("PRO_02", "777"), "reciprocity": ("REC_02", "2"), "story": ("STO_02", "Autre")}[section]
    changed = {**good, field: value, other: other_value}
    response = post_section(client, token, section, changed)
    if message is None:  # nothing chosen: not answered, which the review page tells
        assert response.status_code == 303
        return
    assert response.status_code == 422
    html = response.text
    assert message in unescape(html)
    assert f'id="{field}-error"' in html
    assert re.search(f'aria-describedby="[^"]*{field}-error', html)
    assert "Des réponses sont à corriger" in html and f'href="#{field}' in html
    # What was typed is shown again, and nothing of this request was saved.
    assert other_value in html
    assert saved_answers(app, token) == before


def test_typed_values_stay_in_the_form_when_another_field_is_wrong(app, client, token):
    start(client, token)
    data = {**section_data("profile"), "PRO_02": "12 500", "PRO_03": "1800"}
    response = post_section(client, token, "profile", data)
    assert response.status_code == 422 and 'value="12 500"' in response.text


def test_numbers_typed_the_french_way_are_understood(app, client, token):
    start(client, token)
    data = {**section_data("profile"), "PRO_02": "12 500", "PRO_05": "2,5"}
    assert post_section(client, token, "profile", data).status_code == 303
    answers = saved_answers(app, token)
    assert answers[("PRO_02", "")][1] == 12500 and answers[("PRO_05", "")][1] == 2.5


def test_other_text_counts_as_choosing_other(app, client, token):
    start(client, token)
    data = {**section_data("profile"), "PRO_06": [], "PRO_06__other": "Réseau =régional"}
    assert post_section(client, token, "profile", data).status_code == 303
    assert saved_answers(app, token)[("PRO_06", "other")][2] == "Réseau =régional"


def test_a_post_without_the_pages_token_saves_nothing_and_gives_the_page_back(app, client, token):
    start(client, token)
    response = client.post(f"/r/{token}/p/profile", data={"PRO_03": "1990", "PRO_06__other": "Eau", "action": "next"})
    assert response.status_code == 422
    assert "pas encore été enregistrée" in response.text
    assert 'value="1990"' in response.text and 'value="Eau"' in response.text
    response = client.post(f"/r/{token}/submit", data={"csrf_token": "forged"})
    assert response.status_code == 422 and "pas encore envoyées" in response.text
    assert ("PRO_03", "") not in saved_answers(app, token)


def test_unknown_section_is_a_404(client, token):
    start(client, token)
    assert client.get(f"/r/{token}/p/nowhere").status_code == 404


def test_repeated_unknown_links_from_one_address_are_rate_limited(app, client, token):
    for n in range(30):
        assert client.get(f"/r/{n:043d}", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 404
    assert client.get("/r/" + "1" * 43, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 429
    # Another address, and the real link's owner, are not affected.
    assert client.get(f"/r/{token}", environ_base={"REMOTE_ADDR": "10.9.9.8"}).status_code == 200


def test_oversized_requests_and_thousands_of_fields_are_refused_and_save_nothing(app, client, token):
    start(client, token)
    form_token = csrf_token(client.get(f"/r/{token}/p/profile").text)
    many = {f"field{n}": "x" for n in range(3000)}
    response = client.post(f"/r/{token}/p/profile", data={"csrf_token": form_token, "PRO_03": "1990", **many})
    assert response.status_code == 413 and "Trop de données" in response.text
    huge = client.post(f"/r/{token}/p/profile", data={"csrf_token": form_token, "STO_01": "x" * (6 * 1024 * 1024)})
    assert huge.status_code == 413
    assert ("PRO_03", "") not in saved_answers(app, token)


def test_a_nul_character_gets_a_message_at_the_field_and_saves_nothing(app, client, orga, round_id, token):
    start(client, token)
    post_section(client, token, "profile", section_data("profile"))
    before = saved_answers(app, token)
    form_token = csrf_token(client.get(f"/r/{token}/p/story").text)
    response = client.post(f"/r/{token}/p/story", data={"csrf_token": form_token, "STO_01": "a\x00b",
                                                          "STO_02": "Le reste", "action": "next"})
    assert response.status_code == 422 and "Traceback" not in response.text
    assert re.search(r'id="STO_01-error">\s*<span>[^<]*\(NUL\)', response.text)
    assert "Le reste" in response.text
    assert saved_answers(app, token) == before
    # In an address, a 400 page (PostgreSQL would refuse the value in a query).
    assert orga.get(f"/o/rounds/{round_id}/dashboard?country=F%00R").status_code == 400


def test_other_ticked_and_left_unspecified_is_stored_without_an_empty_text(app, client, token):
    start(client, token)
    data = {**section_data("profile"), "PRO_06": ["other"], "PRO_06__other": "  "}
    assert post_section(client, token, "profile", data).status_code == 303
    assert saved_answers(app, token)[("PRO_06", "other")] == (None, None, None, False)
