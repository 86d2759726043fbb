"""`flask seed-demo`: a realistic demo round, created once, with its open links printed."""
from sqlalchemy import func, select

from evalapp.extensions import db
from evalapp.models import Answer, Authority, DirectoryChange, Partnership, Response, Round


def test_seed_demo_creates_a_plausible_round_once_and_prints_open_links(app, runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    links = [line.split()[0] for line in result.output.splitlines() if "/r/" in line]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Round)) == 1
        authorities = db.session.scalars(select(Authority)).all()
        assert 25 <= len(authorities) <= 35
        assert len({a.kind for a in authorities}) >= 4 and len({a.country for a in authorities}) >= 6
        assert db.session.scalar(select(func.count()).select_from(Partnership)) >= 10
        statuses = dict(db.session.execute(select(Response.status, func.count()).group_by(Response.status)).all())
        assert statuses["submitted"] > len(authorities) / 2
        assert statuses.get("in_progress") and statuses.get("not_started")
        assert len(links) == statuses["in_progress"] + statuses["not_started"]
        # Answers vary: every scale value is used.
        values = db.session.scalars(select(Answer.scale_value).where(Answer.scale_value.is_not(None)).distinct()).all()
        assert sorted(values) == [1, 2, 3, 4, 5]
        # The directory's history says the command line created every authority and partnership.
        assert created_by_the_command_line(Authority) == set(db.session.scalars(select(Authority.id)))
        assert created_by_the_command_line(Partnership) == set(db.session.scalars(select(Partnership.id)))
    # The printed links open the questionnaire.
    path = links[0].removeprefix("http://evalapp.test")
    assert client.get(path).status_code == 200

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "Found the demo round" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Round)) == 1


def test_seed_demo_can_add_synthetic_authorities_in_bulk(app, runner):
    result = runner.invoke(args=["seed-demo", "--authorities", "40"])
    assert result.exit_code == 0, result.output
    assert "Added 40 synthetic authorities" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Authority)) == 30 + 40
        assert created_by_the_command_line(Authority) == set(db.session.scalars(select(Authority.id)))


def created_by_the_command_line(model) -> set[int]:
    """The ids of the authorities or partnerships whose history says the command line created them."""
    column = DirectoryChange.authority_id if model is Authority else DirectoryChange.partnership_id
    return set(db.session.scalars(select(column).where(
        column.is_not(None), DirectoryChange.action == "created", DirectoryChange.organiser_id.is_(None),
        DirectoryChange.field == "name" if model is Authority else DirectoryChange.field == "home_authority")))
