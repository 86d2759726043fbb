"""Who an API request reads for: the organiser of the bearer token it sends, and nobody without one.

Flask-Login's session cookie is never looked at here: a browser logged in to the organisers' pages
reads nothing from the API with its cookie alone.
"""
import hashlib

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from evalapp.api.blueprint import bp
from evalapp.api.errors import ApiError
from evalapp.auth import tokens
from evalapp.extensions import limiter, read_without_transaction
from evalapp.models import Round
from evalapp.rounds import visible_round

#: What anyone may read without a token: the API's own description.
PUBLIC_ENDPOINTS = frozenset({"api.openapi_json", "api.docs"})


def bearer_secret() -> str | None:
    """The token of the request's ``Authorization: Bearer <token>`` header, or None."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def _limit_key() -> str:
    """One count per token sent (its digest), else per network address."""
    secret = bearer_secret()
    if secret:
        return "api-token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "api-address:" + (get_remote_address() or "")


def _refused(response) -> bool:
    return response.status_code == 401


# Every request counts against its token's (or address's) limit, whichever endpoint it asks; requests refused
# for want of a valid token count against the address too, so that no one tries tokens at leisure.
limiter.shared_limit(lambda: current_app.config["API_LIMIT_PER_TOKEN"], scope="api", key_func=_limit_key)(bp)
limiter.shared_limit(lambda: current_app.config["API_REFUSED_LIMIT_PER_ADDRESS"], scope="api-refused",
                     deduct_when=_refused)(bp)


@bp.before_request
def authenticate():
    """Find the organiser of the request's token, or answer 401; record the token's use (at most once a minute)."""
    # Every request here only reads: no transaction to open and roll back (evalapp/extensions.py).
    read_without_transaction()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    secret = bearer_secret()
    if secret is None:
        raise ApiError(401, "No API token: send it as 'Authorization: Bearer <token>'. "
                            "Organisers make tokens on their account page.")
    found = tokens.authenticate(secret)
    if found is None:
        raise ApiError(401, "This API token is not valid: it was revoked, mistyped, or its account was deactivated.")
    g.api_token, g.api_organiser = found
    tokens.record_use(g.api_token)


def round_or_404(round_id: int) -> Round:
    """A round the token's organiser sees; any other answers 404, as if it did not exist."""
    round_ = visible_round(g.api_organiser, round_id)
    if round_ is None:
        raise ApiError(404, f"No round {round_id} among those this token may read.")
    return round_
