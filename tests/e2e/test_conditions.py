"""Questions depending on an answer of their own page (cond-v1), in Chromium: with scripts they appear and
disappear as the respondent answers, announced, the focus left where it was; without, a note says when
to answer them and the server sets their answer aside when it does not apply."""
import pytest

from tests.e2e.test_accessibility import serious
from tests.e2e.test_respondent import answers_of
from tests.respond.conditional import create_cond_round, invite_cond


@pytest.fixture
def cond_link(live_server):
    """The link (and token) of a home authority of a partnership invited to a new round of cond-v1, in English."""
    token = invite_cond(live_server["app"], create_cond_round(live_server["app"]), lang="en")["home"]
    return f"{live_server['url']}/r/{token}", token


def start(page, link):
    page.goto(link)
    page.check('input[name="respondent_role"][value="elected"]')
    page.get_by_role("button", name="Start the questionnaire").click()
    page.wait_for_url("**/p/agreement")


def test_with_scripts_a_question_appears_and_disappears_as_the_respondent_answers(page, cond_link, live_server):
    link, token = cond_link
    start(page, link)
    agreement_kept = page.locator("#when-AGR_02")
    assert agreement_kept.is_hidden()
    assert page.locator("#note-AGR_02").is_hidden()  # the note is for pages without scripts

    yes = page.locator('input[name="AGR_01"][value="yes"]')
    yes.focus()
    page.keyboard.press("Space")
    assert agreement_kept.is_visible()
    assert page.get_by_role("group", name="Answer only if you answered “Yes” to AGR_01.").count() == 0
    assert page.locator("#conditions-live").text_content() == "A question was added below."
    assert page.evaluate("document.activeElement.name + '=' + document.activeElement.value") == "AGR_01=yes"

    page.keyboard.press("ArrowDown")  # radios: the arrow ticks "No"
    assert agreement_kept.is_hidden()
    assert page.locator("#conditions-live").text_content() == "A question was removed."
    assert page.evaluate("document.activeElement.name + '=' + document.activeElement.value") == "AGR_01=no"

    page.check('input[name="AGR_03"][value="culture"]')
    assert page.locator("#when-AGR_04").is_visible()
    page.check('input[name="AGR_01"][value="yes"]')
    page.check('input[name="AGR_02"][value="4"]')
    assert serious(page) == []

    page.get_by_role("button", name="Next", exact=True).click()
    page.wait_for_url("**/p/results")  # the page asked once AGR_01 is "yes"
    answers = answers_of(live_server, token)
    assert answers[("AGR_02", "")].scale_value == 4 and not answers[("AGR_02", "")].set_aside


def test_without_scripts_a_note_says_when_to_answer_and_the_server_sets_the_answer_aside(browser, cond_link,
                                                                                        live_server):
    link, token = cond_link
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    start(page, link)
    assert page.locator("#when-AGR_02").is_visible()
    assert page.locator("#note-AGR_02").text_content() == "Answer only if you answered “Yes” to AGR_01."
    # Moving from field to field, the note is heard as the name of the question's group.
    noted = page.get_by_role("group", name="Answer only if you answered “Yes” to AGR_01.")
    assert noted.get_attribute("id") == "when-AGR_02"
    page.check('input[name="AGR_01"][value="no"]')
    page.check('input[name="AGR_02"][value="5"]')  # answered although it does not apply
    page.get_by_role("button", name="Next", exact=True).click()
    page.wait_for_url("**/p/people")  # the page "results" is not asked
    assert page.locator("#q-HUM_03").is_visible() and page.locator("#q-HUM_01").count() == 0
    context.close()
    answers = answers_of(live_server, token)
    assert answers[("AGR_02", "")].scale_value == 5 and answers[("AGR_02", "")].set_aside
