"""Device cookies, as OWASP's "Slow Down Online Guessing Attacks with Device Cookies" describes them.

A successful login (or password change) gives the browser a signed cookie naming the account, its own
random nonce, and a keyed digest of the account's password hash, so that a new password ends every
cookie given before. At the login form, the failures of a browser holding a valid device cookie for
the account typed count against that cookie alone; every other client's failures count per account and
per address (evalapp/auth/routes.py). A stranger failing again and again is throttled, together with
every browser new to the account, but the organiser's usual browser is not.
"""
import hashlib
import hmac
import secrets

from flask import current_app, g, request, url_for
from itsdangerous import BadData, URLSafeTimedSerializer

from evalapp.auth.accounts import normalise_email
from evalapp.extensions import db
from evalapp.models import Organiser

COOKIE_NAME = "evalapp_device"
#: A browser stays known for a year after its last login there.
LIFETIME_SECONDS = 365 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="evalapp.device-cookie")


def _password_digest(organiser: Organiser) -> str:
    return hmac.new(current_app.secret_key.encode(), organiser.password_hash.encode(), hashlib.sha256).hexdigest()


def give(response, organiser: Organiser) -> None:
    """Set a new device cookie for ``organiser`` on ``response``; it is sent to the login form only."""
    value = _serializer().dumps({"organiser": organiser.id, "nonce": secrets.token_urlsafe(16),
                                 "password": _password_digest(organiser)})
    response.set_cookie(COOKIE_NAME, value, max_age=LIFETIME_SECONDS, path=url_for("auth.login"),
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")


def trusted_nonce() -> str | None:
    """The nonce of this login post's device cookie when it is valid for the account typed, else None."""
    if "device_nonce" not in g:
        g.device_nonce = None
        if request.method == "POST" and request.cookies.get(COOKIE_NAME):
            g.device_nonce = _valid_nonce(request.cookies[COOKIE_NAME], request.form.get("email", ""))
    return g.device_nonce


def _valid_nonce(value: str, email: str) -> str | None:
    try:
        data = _serializer().loads(value, max_age=LIFETIME_SECONDS)
    except BadData:
        return None
    organiser = db.session.get(Organiser, data["organiser"])
    if (organiser is None or not organiser.active or organiser.email != normalise_email(email)
            or not hmac.compare_digest(data["password"], _password_digest(organiser))):
        return None
    return data["nonce"]
