"""In Chromium: charts keep their texts inside their drawing, on a screen and on a phone, the dashboard's and a bar
that reaches 100 % with its share and count written beside it."""
import json

import pytest

from evalapp.assets import plotly_url
from evalapp.reporting import charts
from evalapp.reporting.aggregate import ChoiceCounts
from evalapp.reporting.embed import figure_json
from tests.e2e.conftest import log_in

#: The texts of a page's charts (bar values, labels, titles) that stick out of their chart's drawing.
TEXT_OUTSIDE = """() => [...document.querySelectorAll('.chart-plot')].flatMap(chart => {
    const box = chart.querySelector('.main-svg').getBoundingClientRect();
    return [...chart.querySelectorAll('.bartext, .gtitle, .ytick, .xtick')].filter(text => {
        const r = text.getBoundingClientRect();
        return r.width && (r.left < box.left - 1 || r.right > box.right + 1);
    }).map(text => text.textContent);
})"""


def test_the_dashboards_charts_keep_their_texts_inside(browser, live_server):
    for width in (1280, 390):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        log_in(page, live_server)
        page.goto(f"{live_server['url']}/o/rounds/{live_server['round_id']}/dashboard")
        page.wait_for_function(
            "[...document.querySelectorAll('.chart-plot')].every(el => el.querySelector('.main-svg'))")
        assert page.locator(".chart-plot .bartext").count() > 10
        assert page.evaluate(TEXT_OUTSIDE) == [], width
        page.context.close()


def draw(page, live_server, figure, width):
    """``figure`` drawn by the plotly.js the pages load, in a chart box ``width`` pixels wide."""
    with live_server["app"].test_request_context():
        script = plotly_url()
    page.goto(f"{live_server['url']}/healthz")
    page.set_content(f'<div class="chart-plot" style="width:{width}px"><div id="plot"></div></div>')
    page.add_script_tag(url=live_server["url"] + script)
    page.evaluate("figure => Plotly.newPlot('plot', figure.data, figure.layout, {responsive: true})",
                  json.loads(figure_json(figure)))
    page.wait_for_selector("#plot .main-svg")


@pytest.mark.parametrize("width", [320, 700])
def test_a_choice_chart_writes_a_full_bars_share_and_count_inside_the_chart(page, live_server, width):
    every = ChoiceCounts("SEC_01", 1234, {"water": 1234, "schools": 605, "none": 0}, [])
    figure = charts.choice_frequencies(every, [("water", "Eau et assainissement"), ("schools", "Écoles"),
                                              ("none", "Aucun de ces domaines")], "Domaines du partenariat",
                                       "Part des répondants", 3)
    draw(page, live_server, figure, width)
    assert page.locator(".bartext").all_text_contents() == ["100 % (1234)", "49 % (605)", "0 % (0)"]
    assert page.evaluate(TEXT_OUTSIDE) == []
