"""A questionnaire page filled in from its kept shape (evalapp/respond/shapes.py) is, byte for byte, the
page rendered in full, for every respondent: their own answers, names and form token, never another's."""
import pytest
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Authority, Invitation
from evalapp.respond.forms import other_field_name
from evalapp.respond.shapes import StandIn, UndeclaredInShape
from tests.factories import create_partnership_invitations, create_round
from tests.respond.conditional import COND, create_cond_round, invite_cond
from tests.respond.helpers import AICT, fill_everything, post_section, section_data, start

#: What a respondent may type, that a page must escape.
MARKUP = "<script>alert('x')</script> « R&D » \"quoted\""


def both_ways(app, client, url: str) -> tuple[str, str]:
    """The page rendered in full, then filled in from its shape (drawn before if it was not)."""
    app.config["KEEP_PAGE_SHAPES"] = False
    full = client.get(url)
    app.config["KEEP_PAGE_SHAPES"] = True
    client.get(url)
    kept = client.get(url)
    assert full.status_code == kept.status_code == 200
    return full.text, kept.text


def rename(app, token: str, name: str) -> None:
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        db.session.get(Authority, invitation.authority_id).name = name
        db.session.commit()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_filled_in_from_its_shape_is_the_page_rendered_in_full(app, lang):
    home, partner = create_partnership_invitations(app, create_round(app), home_lang=lang, partner_lang=lang)
    for token, side in ((home, "home"), (partner, "partner")):
        client = app.test_client()
        fill_everything(client, token, side)
        for section in AICT.sections_for(side):
            full, kept = both_ways(app, client, f"/r/{token}/p/{section.code}")
            assert kept == full, section.code


def test_two_respondents_of_one_shape_each_see_their_own_answers_names_and_token(app):
    round_id = create_round(app)
    first, _ = create_partnership_invitations(app, round_id)
    second, _ = create_partnership_invitations(app, round_id)
    rename(app, second, "Commune d'Échirolles <i>")
    one, other = app.test_client(), app.test_client()
    start(one, first)
    start(other, second)
    # "Other, please specify" of CTX_01, typed with markup.
    typed = {**section_data("context"), other_field_name(AICT.items_by_code["CTX_01"]): MARKUP}
    assert post_section(one, first, "context", typed, action="save").status_code == 303

    first_page = one.get(f"/r/{first}/p/context").text
    full, kept = both_ways(app, other, f"/r/{second}/p/context")
    assert kept == full
    assert "Commune d&#39;Échirolles &lt;i&gt;" in kept and "Ville de Grenoble" not in kept
    assert first not in kept and second in kept
    # The first respondent's answer is theirs alone, and escaped.
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; « R&amp;D » &#34;quoted&#34;" in first_page
    assert "alert" not in kept
    full, kept = both_ways(app, one, f"/r/{first}/p/context")
    assert kept == full


def test_pages_with_questions_depending_on_the_same_page_are_filled_in_alike(app, organiser_id):
    tokens = invite_cond(app, create_cond_round(app, organiser_id), lang="en")
    compared = 0
    for who, token in tokens.items():
        client = app.test_client()
        start(client, token)
        side = "partner" if who == "partner" else "home"
        asked = [s.code for s in COND.sections_for(side) if client.get(f"/r/{token}/p/{s.code}").status_code == 200]
        assert len(asked) >= 2
        for code in asked:
            full, kept = both_ways(app, client, f"/r/{token}/p/{code}")
            assert kept == full, (who, code)
            compared += 'class="conditional"' in kept
    # Some pages had questions shown depending on an answer on the same page.
    assert compared


def test_a_template_reading_more_of_a_respondent_than_the_shape_holds_fails_loudly():
    invitation = StandIn("invitation", token="slot")
    assert invitation.token == "slot"
    with pytest.raises(UndeclaredInShape, match="invitation.email"):
        invitation.email  # noqa: B018
