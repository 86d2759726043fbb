"""The demo round's report printed to A4 by Chromium (as from a browser's Print), read back from the PDF's text positions."""
import io
import re

import pytest

from tests.e2e.conftest import log_in

pypdf = pytest.importorskip("pypdf")

A4 = (595.3, 841.9)
#: Text below this height (points from the bottom) is the footer printed in the page's margin.
FOOTER_TOP = 40


def positioned_text(page) -> list[tuple[float, float, str]]:
    """(y from the bottom, x, text) of every piece of text on a PDF page."""
    chunks = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            chunks.append((y, x, text.strip()))

    page.extract_text(visitor_text=visit)
    return chunks


@pytest.fixture
def printed(page, live_server):
    log_in(page, live_server)
    page.goto(f"{live_server['url']}/o/rounds/{live_server['round_id']}/report")
    # charts.js draws the charts in order: the last one drawn, all are.
    page.locator(".chart-plot").last.locator(".main-svg").first.wait_for()
    reader = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))
    return [(p, positioned_text(p)) for p in reader.pages]


def test_the_demo_report_prints_on_a4_with_the_round_and_page_numbers_in_every_footer(printed):
    total = len(printed)
    # The findings take the first two pages at most; the detail starts after them.
    assert any(text == "Récits retenus" for _, chunks in printed[:2] for _, _, text in chunks)
    for number, (page, chunks) in enumerate(printed, start=1):
        assert abs(float(page.mediabox.width) - A4[0]) < 1 and abs(float(page.mediabox.height) - A4[1]) < 1
        footer = " ".join(text for _, _, text in sorted((c for c in chunks if c[0] < FOOTER_TOP), key=lambda c: c[1]))
        assert footer.startswith("Évaluation 2026 de l'action internationale (démo)"), number
        assert footer.endswith(f"{number} / {total}"), (number, footer)


def test_the_first_page_holds_the_findings_with_numbers_on_their_rows(printed):
    _, chunks = printed[0]
    texts = [text for _, _, text in chunks]
    assert "Constats" in texts and "Qui a répondu" in texts and "Les thèmes" in texts
    # Each theme's row: its index, standard deviation, range and n on the label's own line, none wrapped.
    for label in ("Réciprocité et égalité des rapports", "Facteur humain", "Changements dans la collectivité"):
        y = next(y for y, _, text in chunks if text == label)
        row = [text for row_y, _, text in sorted(chunks, key=lambda c: c[1]) if abs(row_y - y) < 1 and text != label]
        assert len(row) >= 4 and re.fullmatch(r"\d+", row[0]) and re.fullmatch(r"\d+–\d+", row[2]), (label, row)
        assert re.fullmatch(r"\d{2}", row[3]), (label, row)  # n is 20 or 21, never "2" over "0"


def test_tables_repeat_their_header_on_each_page_and_no_page_is_nearly_empty(printed):
    for number, (_, chunks) in enumerate(printed, start=1):
        body = [c for c in chunks if c[0] > FOOTER_TOP]
        means = [y for y, _, text in body if re.fullmatch(r"\d,\d\d", text)]  # the item tables' means
        if means:
            # "Moyenne" whole, above the first row of the page: the header came along with the rows.
            header = [y for y, _, text in body if text == "Moyenne"]
            assert header and max(header) > max(means), number
        if number < len(printed):
            # At least a third of the page is used: a chart too high for what is left of a page starts the next.
            assert min(y for y, _, _ in body) < A4[1] * 2 / 3, number
