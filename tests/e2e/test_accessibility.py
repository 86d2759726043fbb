"""axe-core in Chromium: no serious or critical violation on the pages people use most."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_respondent import not_started_link
from tests.respond.helpers import DEMO_AICT as AICT

AXE = Axe()


def serious(page) -> list[str]:
    results = AXE.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [1280, 360])
def test_respondent_pages(browser, live_server, width):
    link, _ = not_started_link(live_server)
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(link)
    problems = {"welcome": serious(page)}
    page.locator("input[name=respondent_role]").first.check()
    page.locator("form[action$='/start'] button[type=submit]").click()
    for section in AICT.sections_for("home"):
        page.goto(f"{link}/p/{section.code}")
        problems[section.code] = serious(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, section.code
    page.goto(f"{link}/review")
    problems["review"] = serious(page)
    page.context.close()
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize("width", [1280, 360])
def test_organiser_pages(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server["url"] + "/o/login")
    problems = {"login": serious(page)}
    log_in(page, live_server)
    round_url = f"{live_server['url']}/o/rounds/{live_server['round_id']}"
    for name, url in (("round", round_url), ("dashboard", round_url + "/dashboard"),
                      ("reciprocity", round_url + "/reciprocity"), ("export", round_url + "/export"),
                      ("report", round_url + "/report"), ("report in English", round_url + "/report?lang=en"),
                      ("report options", round_url + "/report/options"),
                      ("authorities", live_server["url"] + "/o/authorities"),
                      # A search's results and a count by filter, each with their buttons.
                      ("invite", round_url + "/invite?q=ville&filter-kind=commune&filter-country=FR")):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        problems[name] = serious(page)
    # A partnership's items, grouped by what their gap means (the reciprocity page links to it).
    page.goto(round_url + "/reciprocity")
    page.goto(live_server["url"] + page.locator("a[href*='/partnerships/']").first.get_attribute("href"))
    page.wait_for_load_state("networkidle")
    problems["partnership"] = serious(page)
    page.goto(live_server["url"] + page.locator("a[href$='/report']").first.get_attribute("href"))
    page.wait_for_load_state("networkidle")
    problems["partnership report"] = serious(page)
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize("width", [1280, 360])
def test_account_and_api_docs_pages(page, live_server, width):
    """The account page with a token just made (shown once, with a curl line), and the API's docs page."""
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server)
    page.goto(live_server["url"] + "/o/account")
    problems = {"account": serious(page)}
    page.fill("input[name=name]", f"Tableau de bord {width}")
    page.locator("form.narrow button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.input_value("#new-token").startswith("evk_")
    problems["account with a new token"] = serious(page)
    widths = {"account": page.evaluate("document.documentElement.scrollWidth")}
    page.goto(live_server["url"] + "/api/v1/docs")
    page.wait_for_load_state("networkidle")
    problems["api docs"] = serious(page)
    widths["api docs"] = page.evaluate("document.documentElement.scrollWidth")
    assert {name: found for name, found in problems.items() if found} == {}
    assert {name: w for name, w in widths.items() if w > width} == {}


@pytest.mark.parametrize("width", [1280, 360])
def test_questionnaire_editor_pages(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server)
    page.goto(live_server["url"] + "/o/questionnaires")
    problems = {"questionnaires": serious(page)}
    page.locator("tbody tr").first.get_by_role("button", name="Copier dans une nouvelle version").click()
    page.wait_for_url("**/o/drafts/*")
    draft = page.url.split("#")[0]
    problems["draft"] = serious(page)
    first = AICT.sections[0]
    for name, path in (("general", "/general"), ("page", f"/sections/{first.code}"), ("new page", "/sections/new"),
                       ("question", f"/items/{first.items[0].code}"),
                       ("new matrix", f"/sections/{first.code}/items/new?type=matrix"),
                       ("preview", "/preview?side=partner&lang=en&partnership=1&page=reciprocity"),
                       ("preview's welcome", "/preview?side=home&lang=fr&partnership=0"),
                       ("preview's review", "/preview?side=home&lang=fr&partnership=1&page=review"),
                       ("publishing", "/publish")):
        page.goto(draft + path)
        problems[name] = serious(page)
    # A condition's rule builder: a rule on an earlier choice's answers (checkboxes), one on the invitation, then
    # refused for a rule not complete; and the condition as text.
    page.goto(draft + f"/sections/{first.code}/items/new?type=single")
    page.get_by_role("button", name="Ajouter une règle").click()
    page.get_by_role("button", name="Ajouter une règle").click()
    expect(page.locator("#rule-1-subject")).to_be_attached()
    page.wait_for_load_state()  # the builder's script is there
    # With scripts, choosing a question or a condition draws the rule's next choices (static/js/condition_builder.js).
    for rule, choice in (("#rule-0-subject", first.items[0].code), ("#rule-1-subject", "invitation"),
                         ("#rule-0-operator", "in")):
        page.select_option(rule, choice)
        expect(page.locator("#when-builder-live")).to_have_text("Les choix de la règle ont été mis à jour.")
    assert page.locator("input[name='rule-0-value'][type=checkbox]").count() >= 2
    problems["question's condition as rules"] = serious(page)
    page.get_by_role("button", name="Enregistrer la question").click()
    assert page.locator("#rule-0-error").count() == 1
    problems["condition's rules with errors"] = serious(page)
    page.locator("input[name='rule-0-value']").first.check()
    page.select_option("#rule-1-operator", "partner")
    page.get_by_role("button", name="Écrire plutôt la condition en texte").click()
    assert page.locator("textarea#when").count() == 1
    problems["condition as text"] = serious(page)
    # A question refused, its errors beside its fields.
    page.goto(draft + f"/items/{first.items[0].code}")
    page.fill("#code", "not a code")
    page.get_by_role("button", name="Enregistrer la question").click()
    problems["question with errors"] = serious(page)
    assert {name: found for name, found in problems.items() if found} == {}
