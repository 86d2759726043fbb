"""The read-only JSON API under /api/v1, for programs that build their own dashboards.

A request sends an organiser's personal token (evalapp/auth/tokens.py) as ``Authorization: Bearer ...``
and reads the rounds that organiser sees: their list, a round's questionnaire, its responses a page at a
time, its aggregates. Only the token authenticates: a session cookie opens nothing here, so no request
here needs a CSRF token, and no page of another site can read anything with a visitor's cookie (no CORS
header either). Answers are JSON, errors too; every answer is ``Cache-Control: no-store``; requests are
rate-limited per token. The OpenAPI description (``/api/v1/openapi.json``) is generated from the views'
docstrings and the schemas of evalapp/api/schemas.py; ``/api/v1/docs`` draws it as a page.
"""
from evalapp.api import views  # noqa: F401  (register the views)
from evalapp.api.blueprint import bp

__all__ = ["bp"]
