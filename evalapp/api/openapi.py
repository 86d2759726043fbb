"""The OpenAPI 3.1 description of the API, generated with apispec from the code: each endpoint's entry from the
YAML of its view's docstring (apispec-webframeworks' Flask plugin, which also writes the path from the URL rule),
the schemas from the pydantic models of evalapp/api/schemas.py. And the same description shaped for the docs
page (templates/api/docs.html), drawn on the server: the page loads no script, nothing from another site.
"""
import re
from dataclasses import dataclass, field

from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import current_app, url_for
from markupsafe import Markup, escape
from pydantic.json_schema import models_json_schema

from evalapp.api import schemas
from evalapp.models import AUTHORITY_TYPES, SIDES

#: The views described, in the order of the description.
ENDPOINTS = ("api.rounds_list", "api.round_detail", "api.questionnaire", "api.responses", "api.aggregates")
REF = "#/components/schemas/{model}"

DESCRIPTION = """\
Read, from a program, what an organiser reads on the dashboards: the rounds, a round's questionnaire, its \
responses and its figures. Read only: nothing can be changed through it.

Authentication: an organiser makes a personal token on their account page (/o/account), and the program \
sends it in a header, `Authorization: Bearer <token>`. The token reads the rounds its organiser sees, until \
it is revoked. A browser's session cookie opens nothing here.

Every answer is JSON, errors too (`{"error": {"status": 404, "message": "..."}}`), and is not to be cached \
(`Cache-Control: no-store`). Requests are limited per token (API_LIMIT_PER_TOKEN, 300 a minute unless the \
platform says otherwise): beyond it the answer is 429 with `Retry-After`.

The dashboards' filters (kind, country, region, side) apply to responses and aggregates alike; figures of \
fewer respondents than the platform's minimum group size are hidden, as on the dashboards."""

FILTERS = {
    "kind": "Only authorities of this type (commune, departement, region...).",
    "country": "Only authorities of this country (ISO 3166-1 alpha-2, such as FR).",
    "region": "Only authorities of this region, as the directory writes it.",
    "side": "Only this side of the partnerships: home or partner.",
}


def _schemas() -> dict[str, dict]:
    """Every schema of the models, nested ones included, each under its name."""
    _, top = models_json_schema([(model, "validation") for model in schemas.MODELS], ref_template=REF)
    return top["$defs"]


def build() -> APISpec:
    spec = APISpec(title="evalapp API", version="1", openapi_version="3.1.0", plugins=[FlaskPlugin()],
                   info={"description": DESCRIPTION},
                   servers=[{"url": url_for("api.rounds_list", _external=True).removesuffix("/api/v1/rounds")}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "A personal API token made on the account page."})
    for name, schema in _schemas().items():
        spec.components.schema(name, schema)
    spec.components.parameter("round_id", "path", {"description": "The round's id.", "required": True,
                                                   "schema": {"type": "integer", "minimum": 1}})
    allowed = {"kind": list(AUTHORITY_TYPES), "side": list(SIDES)}
    for name, text in FILTERS.items():
        spec.components.parameter(name, "query", {"description": text, "schema": {
            "type": "string", **({"enum": allowed[name]} if name in allowed else {})}})
    for name, text in [("BadRequest", "A parameter cannot be used; the message says which."),
                       ("Unauthorized", "No token, or a token revoked, mistyped or of a deactivated account."),
                       ("NotFound", "No such round among those the token may read."),
                       ("TooManyRequests", "Too many requests with this token; wait `Retry-After` seconds.")]:
        spec.components.response(name, {"description": text,
                                        "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}})
    for endpoint in ENDPOINTS:
        spec.path(view=current_app.view_functions[endpoint], app=current_app)
    return spec


def spec_dict() -> dict:
    return build().to_dict()


# --- The docs page -----------------------------------------------------------------------------------


@dataclass
class Parameter:
    name: str
    where: str
    type: str
    required: bool
    description: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Parameter]
    #: (status, description, schema name or "")
    responses: list[tuple[str, str, str]]


@dataclass
class Property:
    name: str
    type: str
    required: bool
    description: str


@dataclass
class Schema:
    name: str
    description: str
    properties: list[Property] = field(default_factory=list)


@dataclass
class DocPage:
    title: str
    description: list[str]
    operations: list[Operation]
    schemas: list[Schema]


def type_text(schema: dict) -> str:
    """A JSON schema's type as a reader says it: "integer or null", "list of Round", "object of integer"."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(dict.fromkeys(type_text(part) for part in schema["anyOf"]))
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    kind = schema.get("type", "any")
    if kind == "array":
        return "list of " + type_text(schema.get("items", {}))
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return "object of " + type_text(schema["additionalProperties"])
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return kind


def _resolve(spec: dict, item: dict) -> dict:
    """A parameter or response given by ``$ref``, looked up in the components."""
    if "$ref" not in item:
        return item
    _, _, kind, name = item["$ref"].split("/")
    return spec["components"][kind][name]


def page(spec: dict) -> DocPage:
    """The description, shaped for the docs page: operations with their parameters and responses, then schemas."""
    operations = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            parameters = [_resolve(spec, p) for p in op.get("parameters", [])]
            responses = []
            for status, response in op["responses"].items():
                response = _resolve(spec, response)
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                responses.append((str(status), response["description"], type_text(schema) if schema else ""))
            operations.append(Operation(
                method.upper(), path, op.get("summary", ""), op.get("description", ""),
                [Parameter(p["name"], p["in"], type_text(p.get("schema", {})), p.get("required", False),
                           p.get("description", "")) for p in parameters],
                responses,
            ))
    documented = []
    for name, schema in spec["components"]["schemas"].items():
        required = set(schema.get("required", ()))
        documented.append(Schema(name, schema.get("description", ""), [
            Property(prop, type_text(value), prop in required, value.get("description", ""))
            for prop, value in schema.get("properties", {}).items()
        ]))
    return DocPage(spec["info"]["title"], spec["info"]["description"].split("\n\n"), operations, documented)


def with_code(text: str) -> Markup:
    """A description's text for the page, its `backquoted` parts as code (the rest escaped)."""
    parts = re.split(r"`([^`]*)`", (text or "").replace("``", "`"))
    return Markup("").join(Markup("<code>{}</code>").format(part) if n % 2 else escape(part)
                           for n, part in enumerate(parts))
