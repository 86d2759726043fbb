"""Interface language: French by default, English on request, the choice kept in the session."""
from urllib.parse import urlsplit

import flask_babel
from flask import Blueprint, current_app, g, has_request_context, redirect, request, session
from jinja2 import pass_eval_context
from markupsafe import Markup

bp = Blueprint("i18n", __name__)


#: The locale that formats dates and numbers of each language: European English,
#: "25 November 2026" and 24-hour times, rather than the US defaults.
LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def select_locale() -> str:
    """Pick the interface language: the visitor's choice, else their authority's, else French."""
    if not has_request_context():
        return LOCALES[current_app.config["BABEL_DEFAULT_LOCALE"]]
    chosen = session.get("lang")
    if chosen not in current_app.config["LANGUAGES"]:
        chosen = g.get("default_lang") or current_app.config["BABEL_DEFAULT_LOCALE"]
    return LOCALES.get(chosen, chosen)


def choose_language(lang: str) -> bool:
    """Remember ``lang`` for this browser; return False for a language we do not offer."""
    if lang not in current_app.config["LANGUAGES"]:
        return False
    session["lang"] = lang
    # The locale of this request was already chosen: choose again.
    flask_babel.refresh()
    return True


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Return ``target`` if it is a path on this site, else ``fallback`` (no open redirects).

    A full URL of this very site (a Referer) is reduced to its path.
    """
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme in ("http", "https") and has_request_context() and parts.netloc == request.host:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.post("/language")
def switch_language():
    choose_language(request.form.get("lang", ""))
    return redirect(safe_next(request.form.get("next")), code=303)


def current_lang() -> str:
    """The interface language, ``fr`` or ``en``."""
    locale = flask_babel.get_locale()
    return locale.language if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def long_date(day) -> str:
    """25 novembre 2026 / 25 November 2026; in French the first of the month is "1er"."""
    text = flask_babel.format_date(day, "long")
    if current_lang() == "fr" and day.day == 1:
        text = "1er" + text[1:]
    return text


def date_and_time(moment) -> str:
    """25 novembre 2026 à 18:31 / 25 November 2026 at 18:31, in the visitor's time zone."""
    local = flask_babel.to_user_timezone(moment)
    return flask_babel.gettext("%(date)s at %(time)s", date=long_date(local.date()),
                               time=flask_babel.format_time(moment, "HH:mm"))


def ngettext(singular: str, plural: str, num: int, /, **variables) -> str:
    """flask_babel's ngettext, with the number written as the language writes it: 5 200 / 5,200, not 5200."""
    variables.setdefault("num", flask_babel.format_decimal(num))
    return flask_babel.get_translations().ungettext(singular, plural, num) % variables


@pass_eval_context
def _template_ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables) -> str:
    """:func:`ngettext` for templates: in HTML, what is put into the translated text is escaped."""
    variables.setdefault("num", flask_babel.format_decimal(num))
    text = flask_babel.get_translations().ungettext(singular, plural, num)
    return Markup(text) % variables if eval_ctx.autoescape else text % variables


def register_template_helpers(app):
    """Locale-aware formatting in templates: 25 novembre 2026 / 25 November 2026; 1 234,5 / 1,234.5."""
    app.jinja_env.globals.update(
        current_lang=current_lang,
        format_date=flask_babel.format_date,
        format_datetime=flask_babel.format_datetime,
        format_number=flask_babel.format_decimal,
        long_date=long_date,
        date_and_time=date_and_time,
        format_percent=flask_babel.format_percent,
        ngettext=_template_ngettext,
    )


def asked_language() -> str:
    """The language a document is asked in (``?lang=fr`` or ``en``), else the interface's: a report is sent
    to a partner in theirs, whatever the organiser reads."""
    lang = request.args.get("lang", "") if has_request_context() else ""
    return lang if lang in current_app.config["LANGUAGES"] else current_lang()


def in_language(lang: str):
    """A context in which every translated string, date and number is written in ``lang``."""
    return flask_babel.force_locale(LOCALES.get(lang, lang))
