"""The API's endpoints. Each docstring's YAML (after ``---``) is its entry in the OpenAPI description
(evalapp/api/openapi.py); the schemas it names are in evalapp/api/schemas.py.

    /api/v1/rounds                              the rounds the token's organiser sees
    /api/v1/rounds/<id>                         one of them
    /api/v1/rounds/<id>/questionnaire           its questionnaire (the codebook as JSON)
    /api/v1/rounds/<id>/responses               its responses, a page at a time (cursor), with the dashboards' filters
    /api/v1/rounds/<id>/aggregates              its dashboard's figures, with the dashboards' filters
    /api/v1/openapi.json, /api/v1/docs          the description of all this, as JSON and as a page
"""
from flask import current_app, g, render_template, request, url_for

from evalapp import rounds
from evalapp.api import access, data, openapi
from evalapp.api.blueprint import bp, json_response
from evalapp.api.errors import ApiError


def _filters():
    try:
        return data.filters_of(request.args)
    except data.BadRequest as error:
        raise ApiError(400, str(error)) from None


@bp.get("/rounds")
def rounds_list():
    """The rounds the token may read.
    ---
    get:
      summary: List the rounds
      description: Every round the token's organiser sees (all of them for an administrator), newest first,
        with their invitation and response counts.
      tags: [Rounds]
      security: [{bearer: []}]
      responses:
        200:
          description: The rounds.
          content:
            application/json:
              schema: RoundList
        401: Unauthorized
        429: TooManyRequests
    """
    return json_response({"rounds": data.rounds_data(g.api_organiser)})


@bp.get("/rounds/<id:round_id>")
def round_detail(round_id):
    """One round.
    ---
    get:
      summary: Read a round
      tags: [Rounds]
      security: [{bearer: []}]
      parameters: [round_id]
      responses:
        200:
          description: The round, with its counts.
          content:
            application/json:
              schema: Round
        401: Unauthorized
        404: NotFound
        429: TooManyRequests
    """
    round_ = access.round_or_404(round_id)
    return json_response(data.round_data(round_, rounds.summary(round_)))


@bp.get("/rounds/<id:round_id>/questionnaire")
def questionnaire(round_id):
    """The round's questionnaire: the codebook as JSON.
    ---
    get:
      summary: Read a round's questionnaire
      description: The questionnaire version the round uses, as its definition file gives it (sections, items,
        types, question texts and labels in French and English, options, scales, and the conditions `when`
        under which an item or a section is asked), and the keys of the responses' `answers` with what
        their values are.
      tags: [Rounds]
      security: [{bearer: []}]
      parameters: [round_id]
      responses:
        200:
          description: The questionnaire.
          content:
            application/json:
              schema: Questionnaire
        401: Unauthorized
        404: NotFound
        429: TooManyRequests
    """
    return json_response(data.questionnaire_data(access.round_or_404(round_id)))


@bp.get("/rounds/<id:round_id>/responses")
def responses(round_id):
    """The round's responses, a page at a time.
    ---
    get:
      summary: List a round's responses
      description: One object per response, with its answers keyed by item code (matrix cells by their own
        code), in the order of their ids. By default the responses the dashboards count (submitted, link not
        withdrawn). Follow `next` until it is null; a response submitted or removed meanwhile shifts
        nothing.
      tags: [Rounds]
      security: [{bearer: []}]
      parameters:
        - round_id
        - kind
        - country
        - region
        - side
        - name: status
          in: query
          description: "`submitted` (the default): the counted responses; `all`: responses in progress too."
          schema: {type: string, enum: [submitted, all], default: submitted}
        - name: limit
          in: query
          description: Responses per page.
          schema: {type: integer, minimum: 1, maximum: 500, default: 100}
        - name: cursor
          in: query
          description: Where the page starts, from the previous page's `next_cursor`.
          schema: {type: string}
      responses:
        200:
          description: A page of responses.
          content:
            application/json:
              schema: ResponsePage
        400: BadRequest
        401: Unauthorized
        404: NotFound
        429: TooManyRequests
    """
    round_ = access.round_or_404(round_id)
    try:
        limit = data.page_size(request.args.get("limit"))
        selection = data.selection_of(request.args.get("status"))
        cursor = request.args.get("cursor")
        after = data.decode_cursor(cursor) if cursor else 0
    except data.BadRequest as error:
        raise ApiError(400, str(error)) from None
    filters = _filters()
    page = data.responses_page(round_, filters, selection, after, limit)
    following = None
    if page.next_cursor:
        following = url_for(".responses", round_id=round_.id, _external=True, cursor=page.next_cursor,
                            **({"limit": limit} if request.args.get("limit") else {}),
                            **({"status": selection} if request.args.get("status") else {}), **filters.as_args())
    return json_response({"responses": page.items, "next_cursor": page.next_cursor, "next": following})


@bp.get("/rounds/<id:round_id>/aggregates")
def aggregates(round_id):
    """The round's figures, as its dashboard shows them.
    ---
    get:
      summary: Read a round's aggregates
      description: Counts by status; each theme's index (0–100) with its n, mean, standard deviation, lowest and
        highest; each scale item's and matrix cell's distribution; each multiple choice's counts; and the
        reciprocity gaps of the partnerships where both sides submitted (a gap needs both sides, so `side` does not
        apply to them, as on the reciprocity dashboard). A figure made of fewer respondents than `min_group_size`
        is hidden, as on the dashboards (`hidden` true, its values null).
      tags: [Rounds]
      security: [{bearer: []}]
      parameters:
        - round_id
        - kind
        - country
        - region
        - side
      responses:
        200:
          description: The figures.
          content:
            application/json:
              schema: Aggregates
        400: BadRequest
        401: Unauthorized
        404: NotFound
        429: TooManyRequests
    """
    round_ = access.round_or_404(round_id)
    return json_response(data.aggregates_data(round_, _filters(), current_app.config["MIN_GROUP_SIZE"]))


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3 description of this API (no token needed)."""
    return json_response(openapi.spec_dict())


@bp.get("/docs")
def docs():
    """The description of this API as a page (no token needed), drawn from the OpenAPI description."""
    return render_template("api/docs.html", doc=openapi.page(openapi.spec_dict()), with_code=openapi.with_code)
