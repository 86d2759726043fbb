"""The OpenAPI description is valid OpenAPI 3.1, describes every endpoint of the API, and its page loads nothing
from another site."""
import re

from openapi_spec_validator import validate

from tests.api.helpers import round_paths

API_ENDPOINTS_DESCRIBED_ELSEWHERE = {"api.openapi_json", "api.docs"}


def test_the_description_is_valid_and_describes_every_endpoint(app, client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    spec = answer.json
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    rules = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("api.") and rule.endpoint not in API_ENDPOINTS_DESCRIBED_ELSEWHERE}
    assert set(spec["paths"]) == rules
    for path, methods in spec["paths"].items():
        assert list(methods) == ["get"], path
        operation = methods["get"]
        assert operation["security"] == [{"bearer": []}]
        assert {"200", "401", "429"} <= set(operation["responses"]), path
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    # The schemas are the models': the questionnaire's definition is described down to its conditions.
    assert {"Aggregates", "ResponsePage", "Definition", "Item", "Equals"} <= set(spec["components"]["schemas"])


def test_the_docs_page_draws_the_description_without_anything_from_elsewhere(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    for path in ["/api/v1/rounds", "/api/v1/rounds/{round_id}/responses", "/api/v1/rounds/{round_id}/aggregates"]:
        assert f"GET {path}" in page.text
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in page.text and 'id="schema-ResponsePage"' in page.text
    assert "`" not in re.sub(r"<pre.*?</pre>", "", page.text, flags=re.S)
    assert "<script" not in page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(not s.startswith(("http:", "https:", "//")) or s.startswith("http://localhost/")
                           for s in sources), sources


def test_the_description_needs_no_token_and_the_rest_does(client, round_id):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert all(client.get(path).status_code == 401 for path in round_paths(round_id))
