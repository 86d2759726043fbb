"""Error pages in the interface's language; never a stack trace, never the server's bare page."""
from flask import abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, OperationalError, PendingRollbackError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from evalapp.api import errors as api_errors
from evalapp.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("You are not allowed to see this page.")),
    404: (_l("Page not found"), _l("This page does not exist, or you do not have access to it. If you followed an invitation link, check that it was copied whole.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    410: (_l("Link withdrawn"), _l("This link has been withdrawn. Ask the organisers for a new one.")),
    413: (_l("Too much data"), _l("What was sent is too large. Nothing was saved from it.")),
    429: (_l("Too many requests"), _l("Please wait a minute before trying again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. What was saved earlier is safe. Please try again.")),
    503: (_l("Please try again"), _l("The service is briefly unavailable. What was saved earlier is safe; what you just sent was not saved. Please go back and send it again.")),
}
#: A page that was only read sent nothing that could be lost.
READ_MESSAGES = {
    503: _l("The service is briefly unavailable. What was saved earlier is safe. Please reload this page in a moment."),
}

#: The last resort, when even the error page cannot be drawn (the database went away while drawing it).
BARE_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · evalapp</title></head>
<body><main><h1>{title}</h1><p>{message}</p></main></body></html>
"""


def render_error(code: int, message=None):
    title, default = MESSAGES.get(code, MESSAGES[500])
    if message is None:
        message = READ_MESSAGES.get(code, default) if request.method in ("GET", "HEAD") else default
    try:
        return render_template("errors/error.html", code=code, title=title, message=message), code
    except Exception:  # noqa: BLE001 - the page saying that something went wrong must not fail in turn
        current_app.logger.exception("error page not drawn")
        from evalapp.i18n import current_lang

        page = BARE_PAGE.format(lang=current_lang(), title=escape(title), message=escape(message))
        return page, code, {"Content-Type": "text/html; charset=utf-8"}


def discard_session() -> None:
    """Roll the request's work back; when the connection itself is gone, throw it away instead of raising."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session().invalidate()


def register(app):
    @app.before_request
    def refuse_oversized_forms():
        """A post with thousands of values is refused whole (413) before any view reads it."""
        if request.method == "POST" and request.content_type and "form" in request.content_type:
            if sum(len(values) for values in request.form.listvalues()) > app.config["MAX_FORM_VALUES"]:
                abort(413)

    @app.before_request
    def refuse_nul_characters():
        """No keyboard types a NUL character and PostgreSQL cannot store one: 400 before any view reads it.

        The respondent's pages say so at the field instead, keeping the rest of the page.
        """
        if request.blueprint == "respond" and request.method == "POST":
            return None
        sent = [*request.args.listvalues(), *(request.form.listvalues() if request.method == "POST" else ())]
        if any("\x00" in value for values in sent for value in values):
            if api_errors.is_api_request():
                return api_errors.error_response(400, "A parameter contains a NUL character.")
            return render_error(400, _l("This request contains a character that cannot be stored (NUL). "
                                        "Go back, remove it and send again."))

    @app.teardown_appcontext
    def close_session(error):
        """Close the request's session before Flask-SQLAlchemy does (teardowns run last registered first).

        Closing rolls back; when the connection died after the page was drawn (a restart, a failover),
        that rollback raises outside every error handler, and the server would send its bare 500 in
        place of the page already drawn.
        """
        try:
            db.session.remove()
        except SQLAlchemyError:
            app.logger.warning("database connection lost at the end of a request")
            db.session().invalidate()
            db.session.remove()

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _l("This form has expired or did not come from this site. Go back, reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def http_error(error):
        if api_errors.is_api_request():
            return api_errors.from_exception(error)
        return render_error(error.code if error.code in MESSAGES else 500)

    @app.errorhandler(OperationalError)
    @app.errorhandler(PendingRollbackError)
    def database_unavailable(error):
        discard_session()
        app.logger.warning("database unavailable: %s", error.__class__.__name__)
        return api_errors.error_response(503) if api_errors.is_api_request() else render_error(503)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return database_unavailable(error)
        discard_session()
        app.logger.exception("unexpected error")
        return api_errors.error_response(500) if api_errors.is_api_request() else render_error(500)
