"""Take the README's screenshots from the demo data: `make screenshots`.

Serves the application with the demo on a temporary SQLite database and drives
Debian's Chromium; writes docs/screenshots/*.png.
"""
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.load.server import free_port

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def serve():
    from flask_migrate import upgrade

    from evalapp import create_app, demo
    from evalapp.extensions import db
    from evalapp.models import Invitation, Response

    database = Path(tempfile.mkdtemp()) / "screenshots.db"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "screenshots", "BASE_URL": url})
    with app.app_context():
        upgrade()
        round_, _ = demo.seed()
        db.session.commit()
        round_id = round_.id
        in_progress = db.session.scalar(db.select(Invitation.token).join(Response)
                                        .where(Response.status == "in_progress", Invitation.side == "home"))
        pair = db.session.scalar(db.select(Invitation.partnership_id).join(Response)
                                 .where(Response.status == "submitted", Invitation.side == "home",
                                        Invitation.partnership_id.is_not(None)))
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return url, round_id, in_progress, pair


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    url, round_id, token, pair = serve()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"{url}/r/{token}/p/reciprocity")
        page.screenshot(path=OUT / "respondent.png")
        phone = browser.new_page(viewport={"width": 360, "height": 740}, device_scale_factor=2)
        phone.goto(f"{url}/r/{token}/p/impact")
        phone.screenshot(path=OUT / "respondent-phone.png")
        page.goto(f"{url}/o/login")
        page.fill("#email", "demo@evalapp.test")
        page.fill("#password", "demo-evalapp-2026")
        page.locator("button[type=submit].btn-primary").click()
        page.goto(f"{url}/o/rounds/{round_id}/dashboard")
        page.wait_for_function("[...document.querySelectorAll('.chart-plot')].every(el => el.querySelector('.main-svg'))")
        page.screenshot(path=OUT / "dashboard.png")
        page.goto(f"{url}/o/rounds/{round_id}/partnerships/{pair}")
        page.wait_for_selector(".chart-plot .main-svg")
        page.screenshot(path=OUT / "partnership.png", full_page=False)
        browser.close()
    for path in sorted(OUT.glob("*.png")):
        print(f"wrote {path.relative_to(OUT.parents[1])}")


if __name__ == "__main__":
    main()
