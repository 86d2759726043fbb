"""Security headers on every page: a CSP without inline scripts, nosniff, no framing, no Referer."""


def test_pages_carry_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in response.headers  # only over HTTPS


def test_hsts_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_the_health_check_answers_over_plain_http_when_https_is_forced(app_with):
    """A load balancer or a monitor checks the web process over plain HTTP, past nginx: it gets its 'ok'
    (a redirect would count as down), while every other address still goes to https://."""
    client = app_with(FORCE_HTTPS=True).test_client()
    page = client.get("/")
    assert page.status_code == 302 and page.headers["Location"] == "https://localhost/"
    health = client.get("/healthz")
    assert health.status_code == 200 and health.text == "ok"


def test_no_page_has_an_inline_script(client, tokens):
    for path in ("/", f"/r/{tokens[0]}", "/o/login"):
        html = client.get(path).text
        assert "<script>" not in html and "onclick=" not in html


def test_tokens_never_reach_the_access_log(app, caplog):
    import logging

    token = "A" * 43
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('127.0.0.1 - - "GET /r/%s/p/profile HTTP/1.1" 200 -', token)
        logging.getLogger("werkzeug").info(f'127.0.0.1 - - "GET /r/{token} HTTP/1.1" 200 -')
    assert token not in caplog.text and caplog.text.count("/r/<token>") == 2


def test_pages_and_files_say_no_store_and_static_files_stay_cacheable(app, orga, round_id, tokens):
    """Every page is checked by tests/safety/test_xss_and_csv.py; here, files and what may be cached."""
    from tests.respond.helpers import csrf_token

    files = [f"/o/rounds/{round_id}/links.csv", "/o/import/authorities-template.csv",
             f"/o/rounds/{round_id}/stories.csv"]
    for path in files:
        response = orga.get(path)
        response.get_data()  # a streamed file is read whole before the next request
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", path
    page = orga.get(f"/o/rounds/{round_id}/export")
    export = orga.post(f"/o/rounds/{round_id}/export", data={
        "csrf_token": csrf_token(page.text), "layout": "wide", "preset": "excel", "headers": "codes",
        "values": "codes", "lang": "fr", "delimiter": ","})
    export.get_data()
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    for path in (f"/r/{tokens[0]}", "/r/" + "0" * 43, "/o/login"):
        assert app.test_client().get(path).headers["Cache-Control"] == "no-store", path
    from evalapp.assets import plotly_url

    with app.test_request_context():
        plotly = plotly_url()
    with app.test_client().get("/static/css/app.css") as css, app.test_client().get(plotly) as js:
        assert css.headers["Cache-Control"] == "no-cache"  # kept, checked against its ETag
        assert js.headers["Cache-Control"] == "public, max-age=31536000"
