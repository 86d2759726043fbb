"""A report page printed to PDF on the server by Debian's Chromium, headless, as a browser's Print does.

Chromium opens the page as a file, its stylesheets and scripts (plotly.js, charts.js) read from the
application's own folders: nothing is downloaded and no web server is asked, so a worker on any
machine with Chromium installed makes the same PDF. WeasyPrint cannot (it runs no JavaScript, and
the charts are drawn by plotly.js), nor can Plotly's static export (kaleido fetches its own Chrome).
"""
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from flask import current_app

from evalapp.assets import PLOTLY_JS

#: Seconds Chromium may take to open, draw and print a report.
PRINT_TIMEOUT = 180
#: Milliseconds of the page's own time Chromium lets pass before printing: plotly.js draws in well under that.
DRAWING_TIME = 20_000


class PdfError(Exception):
    """Chromium is missing or could not print the page."""


def chromium_path() -> str | None:
    """The Chromium the server prints with (``CHROMIUM``, by default Debian's), None when it is not installed."""
    configured = current_app.config["CHROMIUM"]
    return configured if Path(configured).is_file() else shutil.which(configured)


def _local_files(html: str) -> str:
    """``html`` with the addresses of its stylesheets and scripts replaced by the files they serve."""
    static = Path(current_app.static_folder)
    bootstrap = current_app.blueprints["bootstrap"].static_folder

    def local(match):
        attribute, path = match.group(1), match.group(2)
        if path.startswith("/static/"):
            target = static / path.removeprefix("/static/")
        elif path.startswith("/bootstrap/static/"):
            target = Path(bootstrap) / path.removeprefix("/bootstrap/static/")
        elif path.startswith("/assets/plotly-"):
            target = PLOTLY_JS
        else:
            return match.group(0)
        return f'{attribute}="{target.resolve().as_uri()}"'

    return re.sub(r'(src|href)="(/[^"?#]*)"', local, html)


def print_to_pdf(html: str) -> bytes:
    """The PDF of a report page as a browser prints it (A4, its own footer), or PdfError."""
    chromium = chromium_path()
    if chromium is None:
        raise PdfError("no Chromium")
    with tempfile.TemporaryDirectory(prefix="evalapp-pdf-") as folder:
        page, pdf = Path(folder) / "report.html", Path(folder) / "report.pdf"
        page.write_text(_local_files(html), encoding="utf-8")
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--no-first-run", "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", f"--user-data-dir={folder}/profile", "--no-pdf-header-footer",
                   f"--virtual-time-budget={DRAWING_TIME}", f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=PRINT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium took more than {PRINT_TIMEOUT} s") from None
        if not pdf.is_file() or pdf.stat().st_size == 0:
            detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            raise PdfError(detail[0][:300])
        return pdf.read_bytes()
