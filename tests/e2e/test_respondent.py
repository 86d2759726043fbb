"""An authority fills the whole questionnaire in a browser: forward, back, save, resume, submit."""
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Answer, Invitation, Response
from tests.respond.helpers import DEMO_AICT as AICT
from tests.respond.helpers import valid_answer


def fill_section(page, side, code):
    for item in AICT.section(side, code).items_for(side):
        fill_item(page, item)


def not_started_link(live_server, side="home"):
    """A new partnership invited to the demo round; the link of one of its sides."""
    from evalapp.invitations import invite_partnership
    from evalapp.models import Authority, Partnership, Round

    number = next(_numbers)
    with live_server["app"].app_context():
        home = Authority(name=f"Commune d'essai {number}", kind="commune", country="FR")
        partner = Authority(name=f"Municipalité d'essai {number}", kind="foreign_municipality", country="SN")
        pair = Partnership(home_authority=home, partner_authority=partner)
        db.session.add(pair)
        home_invitation, partner_invitation = invite_partnership(db.session.get(Round, live_server["round_id"]), pair)
        db.session.commit()
        token = (home_invitation if side == "home" else partner_invitation).token
    return f"{live_server['url']}/r/{token}", token


_numbers = iter(range(1, 10_000))


def answers_of(live_server, token):
    with live_server["app"].app_context():
        rows = db.session.scalars(select(Answer).join(Response).join(Invitation).where(Invitation.token == token)).all()
        return {(a.item_code, a.choice): a for a in rows}


def test_fill_go_back_save_resume_and_submit(browser, page, live_server):
    link, token = not_started_link(live_server)
    sections = AICT.sections_for("home")
    page.goto(link)
    assert "Date limite" in page.content()
    page.check('input[name="respondent_role"][value="elected"]')
    page.get_by_role("button", name="Commencer le questionnaire").click()
    for section in sections[:3]:
        page.wait_for_url(f"**/p/{section.code}")
        fill_section(page, "home", section.code)
        page.get_by_role("button", name="Suivant", exact=True).click()
    # Back to the previous page: its answers are there.
    page.wait_for_url(f"**/p/{sections[3].code}")
    page.get_by_role("button", name="Précédent").click()
    page.wait_for_url(f"**/p/{sections[2].code}")
    assert page.is_checked('input[name="REC_01"][value="4"]')
    # Save and finish later, then come back in another browser.
    page.get_by_role("button", name="Enregistrer et finir plus tard").click()
    page.wait_for_url("**/saved")
    later = browser.new_context().new_page()
    later.goto(link)
    later.get_by_role("button", name="Reprendre là où je m'étais arrêté").click()
    later.wait_for_url(f"**/p/{sections[2].code}")
    later.get_by_role("button", name="Suivant", exact=True).click()
    for section in sections[3:]:
        later.wait_for_url(f"**/p/{section.code}")
        fill_section(later, "home", section.code)
        later.get_by_role("button", name="Suivant", exact=True).click()
    later.wait_for_url("**/review")
    assert "Eau et assainissement" in later.content()
    later.get_by_role("button", name="Envoyer mes réponses").click()
    later.wait_for_url(f"**/r/{token}")
    assert "Réponses envoyées le" in later.content()
    later.context.close()
    answers = answers_of(live_server, token)
    assert answers[("REC_01", "")].scale_value == 4 and ("STO_01", "") in answers


def test_language_switch_midway_keeps_typed_answers(page, live_server):
    link, token = not_started_link(live_server, side="partner")
    page.goto(link)
    page.check('input[name="respondent_role"][value="international_staff"]')
    page.locator("form[action$='/start'] button[type=submit]").click()
    page.wait_for_url("**/p/profile")
    fill_section(page, "partner", "profile")
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/p/profile")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.is_checked(f'input[name="PRO_01"][value="{AICT.items_by_code["PRO_01"].options[0].code}"]')
    assert ("PRO_03", "") in answers_of(live_server, token)


def test_keyboard_alone_fills_a_page(page, live_server):
    link, token = not_started_link(live_server)
    page.goto(link)
    # Choose a role and start with the keyboard: Tab to the first role, Space, Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "respondent_role":
            break
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url("**/p/profile")
    page.goto(link + "/p/reciprocity")
    scales = [i.code for i in AICT.section("home", "reciprocity").items_for("home") if i.type == "scale"]
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == scales[0]:
            break
    for _ in scales:
        page.keyboard.press("ArrowRight")  # the second choice: "rather disagree"
        page.keyboard.press("Tab")
    # Enter in a text field goes to the next page, saving this one.
    page.locator("input[name='REC_13']").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/p/impact")
    answers = answers_of(live_server, token)
    assert all(answers[(code, "")].scale_value == 2 for code in scales)


def test_the_questionnaire_works_with_scripts_disabled(browser, live_server):
    link, token = not_started_link(live_server)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(link)
    page.check('input[name="respondent_role"][value="elected"]')
    page.get_by_role("button", name="Commencer le questionnaire").click()
    page.wait_for_url("**/p/profile")
    fill_section(page, "home", "profile")
    page.get_by_role("button", name="Suivant", exact=True).click()
    page.wait_for_url("**/p/context")
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/p/context")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Previous").click()
    page.wait_for_url("**/p/profile")
    assert page.input_value('input[name="PRO_03"]') == str(int(AICT.items_by_code["PRO_03"].min))
    context.close()
    assert ("PRO_03", "") in answers_of(live_server, token)


def alone_link(live_server, lang="en"):
    """An authority invited to the demo round on its own (no partnership); its link."""
    from evalapp.invitations import invite
    from evalapp.models import Authority, Round

    number = next(_numbers)
    with live_server["app"].app_context():
        authority = Authority(name=f"Ville seule {number}", kind="commune", country="FR", language=lang)
        db.session.add(authority)
        db.session.flush()
        token = invite(db.session.get(Round, live_server["round_id"]), authority).token
        db.session.commit()
    return f"{live_server['url']}/r/{token}", token


def walk_to_the_end(page, side, first, labels):
    """Fill every page asked, from ``first``, with the questionnaire's sample answers; the pages walked."""
    walked, code = [], first
    while True:
        page.wait_for_url(f"**/p/{code}")
        walked.append(code)
        for item in AICT.section(side, code).items_for(side):
            if page.locator(f"#q-{item.code}").count():  # drawn for this invitation
                fill_item(page, item)
        page.get_by_role("button", name=labels["next"], exact=True).click()
        page.wait_for_load_state()
        if page.url.endswith("/review"):
            return walked
        code = page.url.rsplit("/p/", 1)[1]


def fill_item(page, item):
    for name, value in valid_answer(item).items():
        if isinstance(value, list):
            for v in value:
                page.check(f'input[name="{name}"][value="{v}"]')
        elif page.locator(f'input[type=radio][name="{name}"]').count():
            page.check(f'input[name="{name}"][value="{value}"]')
        else:
            page.fill(f'[name="{name}"]', value)


ENGLISH = {"start": "Start the questionnaire", "next": "Next", "send": "Submit my answers"}


def test_a_partner_answers_v2_in_english_to_the_end(page, live_server):
    link, token = not_started_link(live_server, side="partner")
    page.goto(link)
    page.get_by_role("button", name="English").click()
    assert "Your partner" in page.content() and "named in your invitation" in page.content()
    page.check('input[name="respondent_role"][value="elected"]')
    page.get_by_role("button", name=ENGLISH["start"]).click()
    walked = walk_to_the_end(page, "partner", "profile", ENGLISH)
    assert walked == [s.code for s in AICT.sections_for("partner")]
    # The review reads the questions as the partner was asked them: about the same people from its end.
    assert AICT.items_by_code["IMP_13"].partner_text.en in page.content()
    page.get_by_role("button", name=ENGLISH["send"]).click()
    page.wait_for_url(f"**/r/{token}")
    answers = answers_of(live_server, token)
    assert answers[("REC_14", "")].scale_value == 4 and ("IMP_12_POL_BTW", "") in answers
    assert ("STO_04", AICT.items_by_code["STO_04"].options[0].code) in answers


def test_an_authority_invited_on_its_own_is_asked_nothing_about_a_partner(page, live_server):
    link, token = alone_link(live_server, lang="en")
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "en"  # the authority's language
    welcome = page.content()
    assert AICT.intro_without_partnership.en.split(":")[0] in welcome and "named in your invitation" not in welcome
    assert "Partnership with" not in welcome
    page.check('input[name="respondent_role"][value="international_staff"]')
    page.get_by_role("button", name=ENGLISH["start"]).click()
    page.wait_for_url("**/p/profile")
    assert page.locator("#q-PRO_01").count() and not page.locator("#q-PRO_03").count()
    walked = walk_to_the_end(page, "home", "profile", ENGLISH)
    assert "reciprocity" not in walked and walked[-1] == "story"
    assert "partner" not in page.locator("main").inner_text().lower().replace("partnership", "")
    page.get_by_role("button", name=ENGLISH["send"]).click()
    page.wait_for_url(f"**/r/{token}")
    answers = answers_of(live_server, token)
    assert ("STO_01", "") in answers and not any(code.startswith("REC_") for code, _ in answers)
    assert ("PRO_03", "") not in answers and ("HUM_09", "") not in answers
