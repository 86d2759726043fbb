"""Responses come a page at a time, cut by id: every response once, whatever is submitted or removed between pages."""
from sqlalchemy import delete, func, select

from evalapp.extensions import db
from evalapp.models import Answer, Authority, Invitation, Response, ResponseScore, Round
from evalapp.synthetic import add_responses
from tests.api.helpers import bearer, make_token


def _add(app, round_id, count, seed):
    with app.app_context():
        add_responses(db.session.get(Round, round_id), count, batch=50, seed=seed)


def _ids(app, round_id) -> list[int]:
    with app.app_context():
        return db.session.scalars(select(Response.id).join(Invitation).where(Invitation.round_id == round_id)
                                  .order_by(Response.id)).all()


def _remove(app, response_id):
    with app.app_context():
        db.session.execute(delete(Answer).where(Answer.response_id == response_id))
        db.session.execute(delete(ResponseScore).where(ResponseScore.response_id == response_id))
        invitation_id = db.session.get(Response, response_id).invitation_id
        db.session.execute(delete(Response).where(Response.id == response_id))
        db.session.execute(delete(Invitation).where(Invitation.id == invitation_id))
        db.session.commit()


def test_following_next_reads_every_response_once(app, client, organiser_id, round_id):
    _add(app, round_id, 11, seed=1)
    secret = make_token(app, organiser_id)
    pages, url = [], f"/api/v1/rounds/{round_id}/responses?limit=4"
    while url:
        page = client.get(url, headers=bearer(secret)).json
        pages.append([r["id"] for r in page["responses"]])
        url = page["next"]
    assert [len(p) for p in pages] == [4, 4, 3]
    assert [i for p in pages for i in p] == _ids(app, round_id)


def test_responses_submitted_or_removed_between_pages_break_nothing(app, client, organiser_id, round_id):
    _add(app, round_id, 10, seed=1)
    secret = make_token(app, organiser_id)
    before = _ids(app, round_id)
    first = client.get(f"/api/v1/rounds/{round_id}/responses?limit=4", headers=bearer(secret)).json
    seen = [r["id"] for r in first["responses"]]
    assert seen == before[:4]

    # Between the pages: one already read is removed, one not read yet is removed, and three are submitted.
    _remove(app, before[1])
    _remove(app, before[6])
    _add(app, round_id, 3, seed=2)
    url = first["next"]
    while url:
        page = client.get(url, headers=bearer(secret)).json
        seen += [r["id"] for r in page["responses"]]
        url = page["next"]

    # Nothing skipped, nothing twice: those read stay read, the rest and the newcomers follow.
    assert len(seen) == len(set(seen))
    assert seen == before[:4] + [i for i in _ids(app, round_id) if i > before[3]]
    assert before[6] not in seen


def test_the_next_page_keeps_the_filters_and_the_page_size(app, client, organiser_id, round_id):
    _add(app, round_id, 12, seed=1)
    secret = make_token(app, organiser_id)
    with app.app_context():
        country = db.session.scalar(select(Authority.country).group_by(Authority.country)
                                    .order_by(func.count().desc(), Authority.country).limit(1))
        expected = db.session.scalars(select(Response.id).join(Invitation).join(Authority)
                                      .where(Invitation.round_id == round_id, Authority.country == country)
                                      .order_by(Response.id)).all()
    assert len(expected) > 2
    seen, url = [], f"/api/v1/rounds/{round_id}/responses?limit=2&status=all&country={country}"
    while url:
        page = client.get(url, headers=bearer(secret)).json
        seen += [r["id"] for r in page["responses"]]
        assert {r["authority"]["country"] for r in page["responses"]} == {country}
        url = page["next"]
        assert url is None or ("limit=2" in url and "status=all" in url and f"country={country}" in url)
    assert seen == expected
