"""Browser tests: the application served on a free local port, driven by Playwright in Debian's Chromium.

Chromium comes from Debian's package (/usr/bin/chromium; .ci/run installs it when missing):
Playwright's own browser download does not work here. Without it, these tests are skipped,
and say why.
"""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.load.server import free_port

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app on 127.0.0.1 with the demo data, in a thread; its base URL and demo facts."""
    from flask_migrate import upgrade

    from evalapp import create_app, demo
    from evalapp.extensions import db

    database = tmp_path_factory.mktemp("e2e") / "evalapp-e2e.db"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "e2e", "BASE_URL": base_url,
                      "LOGIN_LIMIT_PER_ADDRESS": "1000 per minute"})
    with app.app_context():
        upgrade()
        round_, _ = demo.seed()
        db.session.commit()
        links = [line.split()[0] for line in demo.open_links(round_)]
        round_id = round_.id
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": base_url, "app": app, "links": links, "round_id": round_id,
           "email": demo.DEMO_EMAIL, "password": demo.DEMO_PASSWORD}
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) whose requests may only go to the live server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    outside = []

    def guard(route):
        if route.request.url.startswith(live_server["url"]) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    context.close()
    assert outside == [], f"requests outside the machine: {outside}"
    assert errors == [], f"errors in the page: {errors}"


@pytest.fixture
def open_browser(browser, live_server):
    """Open a page in a new browser context of its own (no shared cookies), kept on the machine."""
    contexts = []

    def open_(url, **options):
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server["url"])
                      else route.abort())
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()


def log_in(page, live_server):
    page.goto(live_server["url"] + "/o/login")
    page.fill("#email", live_server["email"])
    page.fill("#password", live_server["password"])
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/o/")
