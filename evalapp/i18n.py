"""Interface language: French by default, English on request, the choice kept in the session."""
from urllib.parse import urlsplit

import flask_babel
from flask import Blueprint, current_app, g, redirect, request, session

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    """Pick the interface language: the respondent's choice, else their authority's, else French."""
    chosen = session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return g.get("default_lang") or current_app.config["BABEL_DEFAULT_LOCALE"]


def choose_language(lang: str) -> bool:
    """Remember ``lang`` for this browser; return False for a language we do not offer."""
    if lang not in current_app.config["LANGUAGES"]:
        return False
    session["lang"] = lang
    return True


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Return ``target`` if it is a path on this site, else ``fallback`` (no open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.post("/language")
def switch_language():
    choose_language(request.form.get("lang", ""))
    return redirect(safe_next(request.form.get("next")), code=303)


def current_lang() -> str:
    return str(flask_babel.get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def register_template_helpers(app):
    """Locale-aware formatting in templates: 25 novembre 2026 / 25 November 2026; 1 234,5 / 1,234.5."""
    app.jinja_env.globals.update(
        current_lang=current_lang,
        format_date=flask_babel.format_date,
        format_datetime=flask_babel.format_datetime,
        format_number=flask_babel.format_decimal,
    )
