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
