"""An invitation whose response row is missing (written by an older version, or loaded outside the app):
its pages read it as not started and write nothing; the respondent's first post writes the row, once,
however many posts come at once, and the dashboards' figures count it from then on."""
import threading

from sqlalchemy import delete, func, select

from evalapp import tallies
from evalapp.extensions import db
from evalapp.models import AnswerTally, Invitation, Response
from tests.factories import create_partnership_invitations, create_round
from tests.respond.helpers import AICT, csrf_token, section_data
from tests.writes import writes_during_reads

FIRST = AICT.sections_for("home")[0].code


def without_response_row(app) -> str:
    """The home side's link of a new partnership, its response row deleted; the partner's stays, not started."""
    round_id = create_round(app)
    token = create_partnership_invitations(app, round_id)[0]
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id).where(Invitation.token == token))
        db.session.execute(delete(Response).where(Response.invitation_id == invitation_id))
        tallies.forget(round_id)
        db.session.commit()
        tallies.catch_up(round_id)
    assert counted_by_status(app) == {"not_started": 1}
    return token


def rows(app, token) -> list[Response]:
    with app.app_context():
        found = db.session.scalars(select(Response).join(Invitation).where(Invitation.token == token)).all()
        db.session.expunge_all()
        return found


def counted_by_status(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(select(AnswerTally.value, func.sum(AnswerTally.n))
                                       .where(AnswerTally.item_code == "response:status", AnswerTally.n != 0)
                                       .group_by(AnswerTally.value)).all())


def test_its_pages_read_it_as_not_started_and_write_nothing(app, client):
    token = without_response_row(app)

    with writes_during_reads() as writes:
        welcome = client.get(f"/r/{token}")
        page = client.get(f"/r/{token}/p/{FIRST}?check=1")
        review = client.get(f"/r/{token}/review")
        saved = client.get(f"/r/{token}/saved")

    assert welcome.status_code == 200 and "Commencer le questionnaire" in welcome.text
    assert page.status_code == 200 and "Cette question doit recevoir une réponse" in page.text
    assert review.status_code == 200 and saved.status_code == 200
    assert writes == [] and rows(app, token) == []


def test_the_first_post_writes_it_and_counts_it(app, client):
    token = without_response_row(app)
    welcome = client.get(f"/r/{token}")

    started = client.post(f"/r/{token}/start", data={"csrf_token": csrf_token(welcome.text), "respondent_role": "elected"})

    assert started.status_code == 303 and started.location.endswith(f"/r/{token}/p/{FIRST}")
    [response] = rows(app, token)
    assert (response.status, response.respondent_role, response.current_section) == ("in_progress", "elected", FIRST)
    assert response.counts_current and counted_by_status(app) == {"not_started": 1, "in_progress": 1}


def test_a_page_saved_first_writes_it_too(app, client):
    token = without_response_row(app)
    page = client.get(f"/r/{token}/p/{FIRST}")

    saved = client.post(f"/r/{token}/p/{FIRST}", data={"csrf_token": csrf_token(page.text), "action": "save",
                                                       **section_data(FIRST)})

    assert saved.status_code == 303
    [response] = rows(app, token)
    assert response.status == "in_progress"


def test_first_posts_at_once_write_one_response(app):
    """Two tabs (or two colleagues) start at the same moment: one row, both tabs carry on."""
    token = without_response_row(app)
    tabs = [app.test_client() for _ in range(3)]
    sent = [(tab, csrf_token(tab.get(f"/r/{token}").text)) for tab in tabs]
    barrier, statuses = threading.Barrier(len(tabs)), []

    def post(tab, form_token):
        barrier.wait()
        statuses.append(tab.post(f"/r/{token}/start", data={"csrf_token": form_token,
                                                           "respondent_role": "elected"}).status_code)

    threads = [threading.Thread(target=post, args=tab) for tab in sent]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [303, 303, 303]
    [response] = rows(app, token)
    assert response.status == "in_progress"
    assert counted_by_status(app) == {"not_started": 1, "in_progress": 1}
