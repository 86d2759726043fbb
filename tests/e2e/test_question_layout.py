"""In Chromium, how the questions are laid out at a phone's, a tablet's and a desktop's width: the impact
matrix as a grid or row by row, scales that read in order with whole words, and a short review page."""
import pytest

from tests.e2e.test_accessibility import serious
from tests.e2e.test_copies_and_lost_cookies import started
from tests.e2e.test_respondent import not_started_link
from tests.respond.helpers import DEMO_AICT as AICT
from tests.respond.helpers import fill_everything

MATRIX = next(i for i in AICT.items_by_code.values() if i.type == "matrix")
INTENSITY = [AICT.scales[MATRIX.scale][n].fr for n in range(1, 6)] + ["Ne sait pas / non concerné"]

#: Words of the scales' labels cut across two lines, and choices out of order (neither under the previous
#: one nor on its line after it), on the whole page.
LABELS_READ_WRONGLY = """() => {
  const cut = [], disorder = [];
  for (const choices of document.querySelectorAll('.choices-inline')) {
    const boxes = [...choices.querySelectorAll('.choice')].map(label => label.getBoundingClientRect());
    boxes.slice(1).forEach((b, i) => { const a = boxes[i];
      if (!(b.top >= a.bottom - 1 || (Math.abs(b.top - a.top) < 1 && b.left >= a.right - 1))) disorder.push(choices.closest('[id]').id); });
  }
  for (const span of document.querySelectorAll('.choices-inline .choice > span, .matrix-scale span')) {
    if (span.getBoundingClientRect().width < 2) continue;  // shown to screen readers only
    const text = span.firstChild, words = /\\S+/g; let word;
    while ((word = words.exec(text.textContent))) {
      const range = document.createRange();
      range.setStart(text, word.index); range.setEnd(text, word.index + word[0].length);
      if ([...range.getClientRects()].filter(r => r.width > 0).length > 1) cut.push(word[0]);
    }
  }
  return {cut, disorder};
}"""


def shown(locator) -> bool:
    """Shown to the eye, not only to screen readers (which read a box of 1px)."""
    box = locator.bounding_box()
    return box is not None and box["width"] > 2 and box["height"] > 2


def row_name(row, column) -> str:
    return f"{row.label.fr} — {column.label.fr}"


def impact_page(open_browser, live_server, width, height=800, **options):
    link, _ = not_started_link(live_server)
    page = open_browser(link, viewport={"width": width, "height": height}, **options)
    started(page)
    page.goto(link + "/p/impact")
    return page


@pytest.mark.parametrize("width", [1280, 768])
def test_the_matrix_is_a_grid_with_the_scale_across_on_a_wide_screen(open_browser, live_server, width):
    page = impact_page(open_browser, live_server, width)
    header = page.locator(".matrix-scale span")
    assert header.all_inner_texts() == INTENSITY
    columns = [box["x"] + box["width"] / 2 for box in (span.bounding_box() for span in header.all())]
    for row in MATRIX.rows:
        group_name = page.get_by_text(row.label.fr, exact=True)
        for column in MATRIX.columns:
            # One row a cell of the matrix, named by its dynamic and its level, each radio by its scale label.
            group = page.get_by_role("group", name=row_name(row, column), exact=True)
            assert not shown(group.locator(".matrix-row-of"))
            level = group.locator(".matrix-row-level").bounding_box()
            assert group_name.bounding_box()["y"] < level["y"]
            for n, (label, x) in enumerate(zip(INTENSITY, columns, strict=True)):
                radio = group.get_by_role("radio", name=label, exact=True).bounding_box()
                # On the line of its level, under its label at the top of the grid.
                assert level["y"] <= radio["y"] + radio["height"] / 2 <= level["y"] + level["height"], (column.code, n)
                assert abs(radio["x"] + radio["width"] / 2 - x) <= 2, (column.code, n)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious(page) == []


def test_the_keyboard_goes_along_a_row_then_to_the_next_row(open_browser, live_server):
    page = impact_page(open_browser, live_server, 1280)
    first, second = (f"{MATRIX.code}_{MATRIX.rows[0].code}_{column.code}" for column in MATRIX.columns[:2])
    page.focus(f"#{first}-0")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")
    assert page.is_checked(f'input[name="{first}"][value="3"]')
    assert page.is_checked(f'input[name="{second}"][value="2"]')
    assert page.evaluate("document.activeElement.name") == second


def test_going_back_up_the_grid_a_focused_choice_is_never_under_its_labels(open_browser, live_server):
    # A short window, and no smooth scrolling to wait for.
    page = impact_page(open_browser, live_server, 1280, height=500, reduced_motion="reduce")
    after = next(i for i in AICT.section("home", "impact").items_for("home") if i.type == "scale")
    page.focus(f"#{after.code}-0")
    for cell in reversed(MATRIX.cells):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate("document.activeElement.name") == cell.code
        focused = page.evaluate("document.activeElement.getBoundingClientRect().top")
        labels = page.locator(".matrix-scale").bounding_box()
        assert focused >= labels["y"] + labels["height"], cell.code


def test_on_a_phone_each_row_of_the_matrix_keeps_its_name_by_its_choices(open_browser, live_server):
    page = impact_page(open_browser, live_server, 360)
    assert page.locator(".matrix-scale").is_hidden()
    for row in MATRIX.rows:
        for column in MATRIX.columns:
            group = page.get_by_role("group", name=row_name(row, column), exact=True)
            # Its whole name shown above its choices: the dynamic, then the level.
            dynamic, level = group.locator(".matrix-row-of"), group.locator(".matrix-row-level")
            assert dynamic.inner_text().startswith(row.label.fr) and level.inner_text() == column.label.fr
            assert shown(dynamic) and shown(level)
            top = dynamic.bounding_box()["y"]
            for label in INTENSITY:
                choice = group.locator("label", has=page.get_by_role("radio", name=label, exact=True))
                assert choice.is_visible() and choice.inner_text() == label
                box = choice.bounding_box()
                # The name and each choice fit in the screen of a small phone together.
                assert 0 < box["y"] + box["height"] - top <= 568, (row.code, column.code, label)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious(page) == []


@pytest.mark.parametrize("width", [320, 360, 600, 700, 768, 1024])
def test_scales_read_in_order_with_whole_words_at_every_width(open_browser, live_server, width):
    link, _ = not_started_link(live_server)
    page = open_browser(link, viewport={"width": width, "height": 800})
    started(page)
    for code in ("reciprocity", "impact"):
        page.goto(f"{link}/p/{code}")
        assert page.evaluate(LABELS_READ_WRONGLY) == {"cut": [], "disorder": []}, code
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/p/impact")
    for code in ("reciprocity", "impact"):
        page.goto(f"{link}/p/{code}")
        assert page.evaluate(LABELS_READ_WRONGLY) == {"cut": [], "disorder": []}, code


def test_the_review_page_of_a_phone_is_short_and_opens_a_section_on_demand(open_browser, live_server):
    link, token = not_started_link(live_server)
    fill_everything(live_server["app"].test_client(), token, definition=AICT)
    page = open_browser(link + "/review", viewport={"width": 360, "height": 740})
    submit = page.get_by_role("button", name="Envoyer mes réponses")
    assert page.evaluate("(el) => el.getBoundingClientRect().top + window.scrollY", submit.element_handle()) < 2500
    # Every section folded: one with a short text answered opens with a click on its title.
    section = next(s for s in AICT.sections_for("home") if any(i.type == "short_text" for i in s.items_for("home")))
    answer = page.locator(f"#review-{section.code}").get_by_text("Eau et assainissement").first
    assert page.locator("details.review-section[open]").count() == 0 and answer.is_hidden()
    page.get_by_role("heading", name=section.title.fr).click()
    assert answer.is_visible()
    assert serious(page) == []
