"""Every endpoint of the API with a token, without one, with a revoked one, with another organiser's, and with
a browser's session cookie alone; what its answers hold, and the headers every answer has."""
import pytest
from sqlalchemy import update

from evalapp.api import schemas
from evalapp.extensions import db
from evalapp.models import ApiToken, Organiser
from evalapp.models.base import utcnow
from tests.api.helpers import bearer, make_token, round_paths
from tests.factories import create_organiser, create_round, set_owner
from tests.reporting.fixtures import RECIPROCITY, build_round

SCHEMAS = {"rounds": schemas.RoundList, "": schemas.Round, "questionnaire": schemas.Questionnaire,
           "responses": schemas.ResponsePage, "aggregates": schemas.Aggregates}


def _schema(path):
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return SCHEMAS["" if last.isdigit() else last]


@pytest.fixture
def made(app, round_id):
    return build_round(app, round_id)


@pytest.fixture
def secret(app, organiser_id):
    return make_token(app, organiser_id)


def _no_cors_and_not_stored(answer):
    assert answer.headers["Cache-Control"] == "no-store"
    assert not [h for h in answer.headers.keys() if h.lower().startswith("access-control-")]
    assert "Set-Cookie" not in answer.headers
    assert answer.content_type == "application/json" and answer.headers["X-Content-Type-Options"] == "nosniff"


def test_every_endpoint_answers_a_token_with_what_its_schema_says(client, round_id, made, secret):
    for path in round_paths(round_id):
        answer = client.get(path, headers={**bearer(secret), "Origin": "https://elsewhere.example"})
        assert answer.status_code == 200, path
        _no_cors_and_not_stored(answer)
        _schema(path).model_validate(answer.json)
        # A browser's preflight gets no permission either.
        preflight = client.options(path, headers={"Origin": "https://elsewhere.example",
                                                  "Access-Control-Request-Method": "GET",
                                                  "Access-Control-Request-Headers": "authorization"})
        assert not [h for h in preflight.headers.keys() if h.lower().startswith("access-control-")]


def test_without_a_valid_token_every_endpoint_answers_401_in_json(app, client, orga, round_id, made, secret,
                                                                  organiser_id):
    revoked = make_token(app, organiser_id, "révoqué")
    with app.app_context():
        db.session.execute(update(ApiToken).where(ApiToken.name == "révoqué").values(revoked_at=utcnow()))
        db.session.commit()
    for path in round_paths(round_id):
        for headers in [{}, bearer(revoked), bearer("evk_not-a-token"), {"Authorization": f"Basic {secret}"}]:
            answer = client.get(path, headers=headers)
            assert answer.status_code == 401, (path, headers)
            _no_cors_and_not_stored(answer)
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
            schemas.Error.model_validate(answer.json)
            assert "token" in answer.json["error"]["message"]
        # A browser logged in to the organisers' pages reads nothing with its session cookie alone.
        assert orga.get(path).status_code == 401


def test_a_deactivated_account_s_token_opens_nothing(app, client, round_id, secret):
    with app.app_context():
        db.session.execute(update(Organiser).values(active=False))
        db.session.commit()
    assert client.get(f"/api/v1/rounds/{round_id}", headers=bearer(secret)).status_code == 401


def test_another_organiser_s_token_sees_only_their_rounds(app, client, round_id, made):
    other_id = create_organiser(app, "autre@example.org")
    theirs = create_round(app, title="Leur tour")
    set_owner(app, theirs, other_id)
    other = make_token(app, other_id)
    assert [r["id"] for r in client.get("/api/v1/rounds", headers=bearer(other)).json["rounds"]] == [theirs]
    for path in round_paths(round_id)[1:]:
        answer = client.get(path, headers=bearer(other))
        assert answer.status_code == 404, path
        assert answer.json["error"]["message"] == f"No round {round_id} among those this token may read."
    # An administrator's token reads every round, as the administrator does.
    admin = make_token(app, create_organiser(app, "admin@example.org", admin=True))
    assert {r["id"] for r in client.get("/api/v1/rounds", headers=bearer(admin)).json["rounds"]} == {round_id, theirs}


def test_a_response_carries_its_answers_by_item_code(client, round_id, made, secret):
    page = client.get(f"/api/v1/rounds/{round_id}/responses", headers=bearer(secret)).json
    by_id = {r["id"]: r for r in page["responses"]}
    assert set(by_id) == {made[name][0] for name in made} and page["next"] is None
    grenoble = by_id[made["Grenoble"][0]]
    assert grenoble["authority"] == {"name": "Ville de Grenoble", "type": "commune", "country": "FR", "region": "R-FR"}
    assert grenoble["side"] == "home" and grenoble["status"] == "submitted"
    answers = grenoble["answers"]
    assert answers[RECIPROCITY[0]] == "dk" and answers[RECIPROCITY[1]] == 5
    # In the order of the options (cuf is the first), whatever the order they were stored in.
    assert answers["PRO_06"] == ["cuf", "ccre_cemr"] and answers["IMP_01_SOC_TER"] == 4
    # Free text is data: exact, not escaped, not neutralised.
    assert answers["STO_01"] == "<img src=x onerror=alert(1)> Notre récit"
    assert grenoble["indices"] == {"reciprocity": 100.0}
    lyon = by_id[made["Lyon"][0]]["answers"]
    assert lyon["PRO_06"] == ["other"] and lyon["PRO_06__other_text"] == "<b>Réseau</b> =SUM(A1)"
    # Every response has every key of the questionnaire, unanswered ones null.
    keys = [k["key"] for k in client.get(f"/api/v1/rounds/{round_id}/questionnaire", headers=bearer(secret))
            .json["answer_keys"]]
    assert all(list(r["answers"]) == keys for r in page["responses"])
    assert by_id[made["Tombouctou"][0]]["answers"]["PRO_06"] is None


def test_responses_and_aggregates_take_the_dashboards_filters(client, round_id, made, secret):
    home = client.get(f"/api/v1/rounds/{round_id}/responses?side=home", headers=bearer(secret)).json
    assert {r["id"] for r in home["responses"]} == {made["Grenoble"][0], made["Lyon"][0]}
    figures = client.get(f"/api/v1/rounds/{round_id}/aggregates?country=FR", headers=bearer(secret)).json
    assert figures["filters"] == {"country": "FR"} and figures["counts"]["submitted"] == 2
    # Two respondents: fewer than the minimum group size, every group figure is hidden.
    reciprocity = next(t for t in figures["themes"] if t["theme"] == "reciprocity")
    assert reciprocity == {**reciprocity, "hidden": True, "n": None, "mean": None}
    assert all(d["hidden"] and d["counts"] is None for d in figures["distributions"])


def test_aggregates_are_the_dashboards_figures(client, round_id, made, secret):
    figures = client.get(f"/api/v1/rounds/{round_id}/aggregates", headers=bearer(secret)).json
    assert figures["counts"]["submitted"] == 4 and figures["min_group_size"] == 3
    reciprocity = next(t for t in figures["themes"] if t["theme"] == "reciprocity")
    assert (reciprocity["n"], reciprocity["mean"], reciprocity["min"], reciprocity["max"]) == (3, 50.0, 0.0, 100.0)
    pro_06 = next(c for c in figures["choices"] if c["code"] == "PRO_06")
    assert pro_06["n"] == 3 and pro_06["counts"] == {"cuf": 2, "ccre_cemr": 1, "other": 1}
    cell = next(d for d in figures["distributions"] if d["code"] == "IMP_01_SOC_TER")
    assert cell["n"] == 3 and cell["counts"] == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 0} and cell["mean"] == 3.0
    gaps = {g["partnership_id"]: g for g in figures["reciprocity"]}
    assert sorted(g["gaps"].get("reciprocity") for g in gaps.values() if g["gaps"]) == [100.0]


@pytest.mark.parametrize("query, message", [
    ("limit=0", "limit: a whole number from 1 to 500"),
    ("limit=abc", "limit: a whole number from 1 to 500"),
    ("status=deleted", "status: one of submitted, all"),
    ("cursor=bm9wZQ", "cursor: not a cursor this API gave"),
    ("cursor=%%%", "cursor: not a cursor this API gave"),
])
def test_bad_parameters_answer_400_saying_which(client, round_id, secret, query, message):
    answer = client.get(f"/api/v1/rounds/{round_id}/responses?{query}", headers=bearer(secret))
    assert answer.status_code == 400 and answer.json["error"]["message"].startswith(message)


def test_unknown_addresses_and_methods_answer_in_json(client, round_id, secret):
    unknown = client.get("/api/v1/nothing", headers=bearer(secret))
    assert unknown.status_code == 404 and unknown.json["error"]["status"] == 404
    posted = client.post("/api/v1/rounds", headers=bearer(secret))
    assert posted.status_code == 405 and "GET" in posted.json["error"]["message"]
    huge = client.get("/api/v1/rounds/99999999999", headers=bearer(secret))
    assert huge.status_code == 404 and huge.content_type == "application/json"
    nul = client.get(f"/api/v1/rounds/{round_id}/aggregates?country=F%00R", headers=bearer(secret))
    assert nul.status_code == 400 and nul.json["error"]["message"] == "A parameter contains a NUL character."


def test_requests_beyond_the_limit_answer_429_in_json(app_with, round_id, secret):
    app = app_with(API_LIMIT_PER_TOKEN="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/rounds", headers=bearer(secret)).status_code == 200
    refused = client.get(f"/api/v1/rounds/{round_id}", headers=bearer(secret))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.json["error"]["message"].startswith("Too many requests: at most 3 per 1 minute.")
    # The limit is the token's: another client with no token is not refused for it.
    assert client.get("/api/v1/rounds").status_code == 401


def test_guessing_tokens_is_limited_per_address(app_with):
    app = app_with(API_REFUSED_LIMIT_PER_ADDRESS="2 per minute")
    client = app.test_client()
    assert [client.get("/api/v1/rounds", headers=bearer(f"evk_guess{n}")).status_code for n in range(3)] == [401, 401, 429]


def test_an_item_not_asked_is_said_so_and_in_progress_responses_come_on_demand(app, client, organiser_id):
    """aict v2 asks the partnership's start year (PRO_03) only of authorities invited for a partnership."""
    from evalapp.models import Invitation, Response, ResponseStatus, Round
    from evalapp.synthetic import add_responses

    round_id = create_round(app, version=2, title="Tour v2")
    set_owner(app, round_id, organiser_id)
    with app.app_context():
        add_responses(db.session.get(Round, round_id), 3, batch=10)
        first = db.session.scalar(db.select(Response).join(Invitation).where(Invitation.round_id == round_id)
                                  .order_by(Response.id))
        first.status = ResponseStatus.IN_PROGRESS
        first.submitted_at = None
        first_id = first.id
        db.session.commit()
    secret = make_token(app, organiser_id)
    counted = client.get(f"/api/v1/rounds/{round_id}/responses", headers=bearer(secret)).json["responses"]
    every = client.get(f"/api/v1/rounds/{round_id}/responses?status=all", headers=bearer(secret)).json["responses"]
    assert first_id not in [r["id"] for r in counted] and len(counted) == 2
    assert [r["id"] for r in every][0] == first_id and len(every) == 3
    assert every[0]["status"] == "in_progress" and every[0]["indices"] == {}
    assert {r["answers"]["PRO_03"] for r in every} == {"not_asked"}
    assert all(r["partnership_id"] is None and r["side"] is None for r in every)


@pytest.mark.parametrize("query, message", [("side=Home", "side: one of home, partner"),
                                            ("kind=town", "kind: one of commune,")])
@pytest.mark.parametrize("endpoint", ["responses", "aggregates"])
def test_a_filter_value_that_does_not_exist_is_refused_not_read_as_zero(client, round_id, made, secret, query,
                                                                        message, endpoint):
    answer = client.get(f"/api/v1/rounds/{round_id}/{endpoint}?{query}", headers=bearer(secret))
    assert answer.status_code == 400
    assert answer.json["error"]["message"].startswith(message)


def test_the_questionnaire_says_what_each_answer_key_holds(client, round_id, made, secret):
    keys = {k["key"]: k for k in client.get(f"/api/v1/rounds/{round_id}/questionnaire",
                                            headers=bearer(secret)).json["answer_keys"]}
    assert keys[RECIPROCITY[0]]["value"].startswith("1–5 on the scale 'agreement', or 'dk'")
    assert keys["IMP_01_SOC_TER"]["type"] == "matrix" and keys["IMP_01_SOC_TER"]["value"].startswith("1–5")
    assert keys["PRO_01"]["value"] == "an option code, or 'other'"
    assert keys["PRO_06"]["value"] == "a list of option codes, 'other' among them"
    assert keys["PRO_06__other_text"]["value"] == "text (the answer typed for “other”)"
    assert keys["PRO_02"]["value"] in ("a whole number", "a number") and keys["STO_01"]["value"] == "text"
