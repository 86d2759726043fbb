"""An organiser in a browser: log in, create a round, invite, watch the status change, read the dashboard, export."""
import csv
import io

from tests.e2e.conftest import log_in


def test_create_invite_watch_read_and_export(browser, page, live_server):
    log_in(page, live_server)
    page.get_by_role("link", name="Nouveau tour").click()
    page.fill("#title", "Tour navigateur 2027")
    page.get_by_role("button", name="Créer le tour").click()
    page.wait_for_url("**/invite")
    page.fill("#q", "Sendai")  # the search finds the partnership by either side's name
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("button", name="Inviter les deux côtés").click()
    page.wait_for_url("**/o/rounds/*")
    assert page.locator("#count-not_started").inner_text() == "2"
    link = page.locator("input.link").first.input_value()

    respondent = browser.new_context().new_page()
    respondent.goto(link)
    respondent.locator("input[name=respondent_role]").first.check()
    respondent.locator("form[action$='/start'] button[type=submit]").click()
    respondent.wait_for_url("**/p/profile")
    page.reload()
    assert page.locator("#count-in_progress").inner_text() == "1"
    respondent.context.close()

    # The demo round's dashboard: every chart has drawn its SVG.
    page.goto(f"{live_server['url']}/o/rounds/{live_server['round_id']}/dashboard")
    page.wait_for_selector(".chart-plot .main-svg")
    charts = page.locator(".chart-plot")
    assert charts.count() >= 10
    page.wait_for_function(
        "[...document.querySelectorAll('.chart-plot')].every(el => el.querySelector('.main-svg'))")
    # The filters change the figures, and stay in the URL.
    page.locator("#f-country").select_option("FR")
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url("**country=FR**")
    assert "correspondent aux filtres" in page.content()

    page.goto(f"{live_server['url']}/o/rounds/{live_server['round_id']}/export")
    with page.expect_download() as download:
        page.get_by_role("button", name="Excel (points-virgules, accents conservés)").click()
    with open(download.value.path(), encoding="utf-8-sig") as f:
        content = f.read()
    rows = list(csv.DictReader(io.StringIO(content), delimiter=";"))
    assert download.value.suggested_filename.startswith("evalapp-") and len(rows) > 10
    assert any("é" in row["authority"] for row in rows)
