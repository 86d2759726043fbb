"""The API's errors: JSON ``{"error": {"status": 404, "message": "..."}}``, never an HTML page."""
import math
import time

from flask import request
from werkzeug.exceptions import HTTPException

from evalapp.api.blueprint import json_response

PREFIX = "/api/"

MESSAGES = {
    400: "The request could not be understood.",
    401: "Send a valid API token: 'Authorization: Bearer <token>'. Organisers make tokens on their account page.",
    403: "This token may not read this.",
    404: "No such resource, or not one this token may read.",
    405: "This address is only read, with GET.",
    413: "The request is too large.",
    429: "Too many requests: wait a minute and try again.",
    500: "An unexpected error occurred. Try again; if it persists, tell the platform's administrators.",
    503: "The service is briefly unavailable. Try again in a moment.",
}


class ApiError(HTTPException):
    """An error of an API request with its own message: ``raise ApiError(400, "limit: a whole number...")``."""

    def __init__(self, code: int, message: str):
        super().__init__(description=message)
        self.code = code


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def error_response(code: int, message: str | None = None):
    """The JSON answer of an error; a 401 says how to authenticate (RFC 6750)."""
    code = code if code in MESSAGES else 500
    response = json_response({"error": {"status": code, "message": message or MESSAGES[code]}}, code)
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="evalapp"' + (
            ', error="invalid_token"' if request.headers.get("Authorization") else "")
    if code == 429:
        response.headers["Retry-After"] = str(_seconds_to_wait())
    return response


def from_exception(error: HTTPException):
    """The JSON answer of an HTTP error raised while answering an API request."""
    if isinstance(error, ApiError):
        return error_response(error.code, error.description)
    if error.code == 429:
        return error_response(429, f"Too many requests: at most {error.description}. "
                                   f"Try again in {_seconds_to_wait()} seconds.")
    return error_response(error.code or 500)


def _seconds_to_wait() -> int:
    from evalapp.extensions import limiter

    exceeded = limiter.current_limit
    return max(1, math.ceil(exceeded.reset_at - time.time())) if exceeded else 60
