"""`flask seed-demo`: a realistic demo round, created once, with its open links printed."""
from sqlalchemy import func, select

from evalapp.demo import DEMO_TITLE, EARLIER_TITLE
from evalapp.extensions import db
from evalapp.models import Answer, Authority, DirectoryChange, Invitation, Partnership, Response, Round


def test_seed_demo_creates_a_plausible_round_once_and_prints_open_links(app, runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    links = [line.split()[0] for line in result.output.splitlines() if "/r/" in line]
    with app.app_context():
        rounds = {r.title: r for r in db.session.scalars(select(Round))}
        assert set(rounds) == {DEMO_TITLE, EARLIER_TITLE}
        authorities = db.session.scalars(select(Authority)).all()
        assert 25 <= len(authorities) <= 35
        assert len({a.kind for a in authorities}) >= 4 and len({a.country for a in authorities}) >= 6
        assert db.session.scalar(select(func.count()).select_from(Partnership)) >= 10
        current = Invitation.round_id == rounds[DEMO_TITLE].id
        statuses = dict(db.session.execute(select(Response.status, func.count()).join(Invitation).where(current)
                                           .group_by(Response.status)).all())
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
        assert db.session.scalar(select(func.count()).select_from(Round)) == 2


def test_the_demo_runs_on_the_latest_questionnaire_beside_last_years_round_on_v1(app, runner, client):
    result = runner.invoke(args=["seed-demo"])
    with app.app_context():
        rounds = {r.title: r for r in db.session.scalars(select(Round))}
        current, earlier = rounds[DEMO_TITLE], rounds[EARLIER_TITLE]
        assert (current.questionnaire_version.code, current.questionnaire_version.version) == ("aict", 2)
        assert (earlier.questionnaire_version.code, earlier.questionnaire_version.version) == ("aict", 1)
        assert earlier.status == "closed" and earlier.closes_on < current.opens_on
        # Last year, the same authorities answered, nearly all of them.
        assert {i.authority_id for i in earlier.invitations} == {i.authority_id for i in current.invitations}
        submitted = [i for i in earlier.invitations if i.response.is_submitted]
        assert len(submitted) > 0.8 * len(earlier.invitations)
        # This year, each answered only what it is asked: no reciprocity without a partnership.
        codes: dict[int, set[str]] = {}
        for invitation_id, code in db.session.execute(
                select(Invitation.id, Answer.item_code).join(Response, Response.invitation_id == Invitation.id)
                .join(Answer, Answer.response_id == Response.id).where(Invitation.round_id == current.id)):
            codes.setdefault(invitation_id, set()).add(code)
        alone = [i for i in current.invitations if i.partnership_id is None and i.id in codes]
        paired = [i for i in current.invitations if i.partnership_id is not None and i.response.is_submitted]
        assert alone and paired
        assert all(not any(c.startswith("REC_") for c in codes[i.id]) and "PRO_03" not in codes[i.id] for i in alone)
        assert all({"REC_02", "PRO_03"} <= codes[i.id] for i in paired)
        assert not db.session.scalar(select(func.count()).select_from(Answer).where(Answer.set_aside))
        compare = f"/o/rounds/{current.id}/compare?with={earlier.id}"
    # The command says where the two rounds are compared, and an authority invited on its own can try v2.
    assert compare in result.output and "invited on its own, not_started" in result.output


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


def test_the_demos_authorities_describe_themselves_as_the_directory_does(app, runner):
    """Its profile page agrees with the directory, and a partnership's budget and staff are part of the whole."""
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        rows = db.session.execute(
            select(Invitation, Answer.item_code, Answer.choice, Answer.number_value)
            .join(Response, Response.invitation_id == Invitation.id).join(Answer, Answer.response_id == Response.id)
            .where(Answer.item_code.like("PRO_0%"))).all()
        said: dict = {}
        for invitation, code, choice, number in rows:
            said.setdefault(invitation, {})[code] = choice if code == "PRO_01" else number
        kinds = {"commune": "commune", "foreign_municipality": "commune", "intercommunalite": "intercommunality",
                 "departement": "departement", "region": "region", "foreign_regional": "region"}
        checked = 0
        for invitation, answers in said.items():
            authority = invitation.authority
            if "PRO_02" not in answers:  # left in progress before the question
                continue
            checked += 1
            assert answers["PRO_01"] == kinds[authority.kind], authority.name
            assert answers["PRO_02"] == authority.population, authority.name
            if invitation.partnership:  # (aict v1 asked it of authorities on their own too)
                assert answers["PRO_03"] == invitation.partnership.start_year, authority.name
            assert answers.get("PRO_08", 0) <= answers["PRO_04"] and answers.get("PRO_09", 0) <= answers["PRO_05"]
        assert checked > 30  # both rounds
