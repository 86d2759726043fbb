"""The round's report as a PDF file made on the server by Chromium, as a job."""
import io
import re
from pathlib import Path

import pytest

from evalapp import jobs
from evalapp.extensions import db
from evalapp.models import Job
from tests.reporting.fixtures import build_round
from tests.respond.helpers import csrf_token

CHROMIUM = "/usr/bin/chromium"


def _start(orga, round_id, query=""):
    page = orga.get(f"/o/rounds/{round_id}/report{query}").text
    action = re.search(r'action="([^"]*/report/pdf[^"]*)"', page).group(1).replace("&amp;", "&")
    response = orga.post(action, data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    jobs.wait_for_threads()
    return int(re.search(r"/o/jobs/(\d+)", response.location).group(1))


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")
def test_the_report_is_printed_to_a_pdf_file_in_the_language_asked(app, orga, round_id):
    pypdf = pytest.importorskip("pypdf")
    build_round(app, round_id)
    job_id = _start(orga, round_id, "?lang=en&country=FR")
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == "done", job.error
        assert job.params == {"lang": "en", "country": "FR"}
    page = orga.get(f"/o/jobs/{job_id}").text
    link = re.search(r'href="(/o/jobs/\d+/download[^"]*)"', page).group(1)
    with orga.get(link) as response:
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        reader = pypdf.PdfReader(io.BytesIO(response.data))
    first = reader.pages[0]
    assert abs(float(first.mediabox.width) - 595.3) < 1 and abs(float(first.mediabox.height) - 841.9) < 1
    text = first.extract_text()
    assert "Findings" in text and "4 of the 4 authorities invited submitted their answers" in text
    assert f"1 / {len(reader.pages)}" in text


def test_without_chromium_the_job_fails_and_says_what_to_do(app, orga, round_id):
    app.config["CHROMIUM"] = "/nonexistent/chromium"
    job_id = _start(orga, round_id)
    with app.app_context():
        assert db.session.get(Job, job_id).status == "failed"
    page = orga.get(f"/o/jobs/{job_id}").text
    assert "Aucun Chromium n&#39;est installé sur le serveur" in page and "Ctrl+P" in page
