"""In Chromium: two copies of one page in two browsers, a page sent after the browser lost its cookies,
a scale that keeps its order on a phone, and the review page's links that move the focus."""
import pytest
from playwright.sync_api import expect

from tests.e2e.test_respondent import answers_of, fill_section, not_started_link
from tests.respond.helpers import DEMO_AICT as AICT


def started(page, role="international_staff"):
    page.check(f'input[name="respondent_role"][value="{role}"]')
    page.locator("form#start button[type=submit]").click()
    page.wait_for_url("**/p/profile")


def test_two_colleagues_on_one_page_never_erase_each_other(open_browser, live_server):
    link, token = not_started_link(live_server)
    alice = open_browser(link)
    started(alice)
    bob = open_browser(link + "/p/reciprocity")
    alice.goto(link + "/p/reciprocity")
    scales = [i.code for i in AICT.section("home", "reciprocity").items_for("home") if i.type == "scale"]
    first, second, third = scales[:3]

    # Alice answers two questions and saves; Bob, whose page still shows them empty, answers
    # the third and one of Alice's, differently.
    alice.check(f'input[name="{first}"][value="4"]')
    alice.check(f'input[name="{second}"][value="5"]')
    alice.get_by_role("button", name="Enregistrer et finir plus tard").click()
    alice.wait_for_url("**/saved")
    bob.check(f'input[name="{second}"][value="1"]')
    bob.check(f'input[name="{third}"][value="2"]')
    bob.get_by_role("button", name="Enregistrer et finir plus tard").click()

    # Bob is told about the answer both changed, and shown Alice's; his other answer is saved.
    summary = bob.locator("#error-summary")
    assert "modifiées ailleurs" in summary.inner_text()
    notice = bob.locator(f"#{second}-conflict")
    assert "Tout à fait d'accord" in notice.inner_text()
    assert bob.is_checked(f'input[name="{second}"][value="1"]')
    answers = answers_of(live_server, token)
    assert answers[(first, "")].scale_value == 4 and answers[(third, "")].scale_value == 2
    assert answers[(second, "")].scale_value == 5

    # He keeps Alice's answer.
    notice.get_by_label("Garder la réponse enregistrée entre-temps").check()
    bob.get_by_role("button", name="Enregistrer et finir plus tard").click()
    bob.wait_for_url("**/saved")
    answers = answers_of(live_server, token)
    assert [answers[(code, "")].scale_value for code in (first, second, third)] == [4, 5, 2]


def test_a_page_sent_after_the_browser_lost_its_cookies_is_saved(open_browser, live_server):
    link, token = not_started_link(live_server)
    page = open_browser(link)
    started(page)
    fill_section(page, "home", "profile")
    page.context.clear_cookies()  # the browser closed and reopened, or a phone that dropped them
    page.get_by_role("button", name="Suivant", exact=True).click()
    page.wait_for_url("**/p/context")
    assert ("PRO_03", "") in answers_of(live_server, token)


@pytest.mark.parametrize("width", [360, 1280])
def test_a_scale_keeps_its_order_on_every_width(open_browser, live_server, width):
    link, _ = not_started_link(live_server)
    page = open_browser(link, viewport={"width": width, "height": 800})
    started(page)
    page.goto(link + "/p/reciprocity")
    code = next(i.code for i in AICT.section("home", "reciprocity").items_for("home") if i.type == "scale")
    boxes = [page.locator(f'label[for="{code}-{n}"]').bounding_box() for n in range(6)]
    if width == 360:  # one under the other, in order
        assert all(a["y"] + a["height"] <= b["y"] + 1 for a, b in zip(boxes, boxes[1:], strict=False))
    else:  # one line, in order
        assert len({round(box["y"]) for box in boxes}) == 1
        assert all(a["x"] + a["width"] <= b["x"] + 1 for a, b in zip(boxes, boxes[1:], strict=False))


def test_the_review_pages_links_move_the_focus_to_the_question(open_browser, live_server):
    link, _ = not_started_link(live_server)
    page = open_browser(link)
    started(page)
    page.goto(link + "/review")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    missing = page.locator("#error-summary a").first
    missing.click()
    page.wait_for_url("**/p/profile?*")
    # Chromium applies autofocus when it next draws the page, which may come after the load event.
    expect(page.locator('[name="PRO_01"]').first).to_be_focused()
