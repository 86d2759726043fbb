"""evalapp: evaluation questionnaires for the international action of local authorities."""
from pathlib import Path

from flask import Flask, render_template

from evalapp import config, urls
from evalapp.extensions import babel, bootstrap, csrf, db, limiter, login_manager, mail, migrate, talisman

#: No inline script anywhere (charts are JSON blocks drawn by static/js/charts.js); Plotly and
#: Bootstrap set inline styles, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create the application; ``test_config`` overrides the environment's settings."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    urls.register(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        # Invitation links carry their token: never send the address to another site.
        referrer_policy="no-referrer",
    )
    limiter.init_app(app)
    mail.init_app(app)
    _init_login(app)
    app.after_request(_never_stored)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from evalapp import i18n

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Europe/Paris")
    app.register_blueprint(i18n.bp)
    i18n.register_template_helpers(app)

    from evalapp import api, assets, auth, errors, organiser, respond

    errors.register(app)
    from evalapp.logs import redact_tokens

    redact_tokens()
    app.register_blueprint(assets.bp)
    app.jinja_env.globals["plotly_url"] = assets.plotly_url
    from evalapp.reporting.paper import page_footer

    app.jinja_env.globals["page_footer"] = page_footer
    _share_vocabularies(app)
    app.register_blueprint(respond.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(organiser.bp)
    app.register_blueprint(api.bp)
    # The API authenticates by bearer token, never by cookie (evalapp/api/access.py): no CSRF token to ask for.
    csrf.exempt(api.bp)

    from evalapp import cli, jobs

    jobs.init_app(app)
    cli.register(app)

    @app.get("/")
    def index():
        return render_template("index.html")

    @app.get("/healthz")
    @talisman(force_https=False)
    def healthz():
        """For load balancers and the benchmarks' baseline: no database, no template. Answered over
        plain HTTP even with FORCE_HTTPS, since checks reach the web process past nginx."""
        return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

    return app


def _share_vocabularies(app: Flask) -> None:
    """The model's vocabularies and their labels, for every template: ``{{ side_labels[invitation.side] }}``,
    ``{% if response.status == ResponseStatus.SUBMITTED %}``."""
    from evalapp.models import EXPORT_KIND_NAMES, SIDE_LABELS, STATUS_LABELS, ResponseStatus

    app.jinja_env.globals.update(side_labels=SIDE_LABELS, status_labels=STATUS_LABELS, ResponseStatus=ResponseStatus,
                                 export_kind_names=EXPORT_KIND_NAMES)


def _never_stored(response):
    """Pages and files hold answers, names and links: no shared cache keeps them, and the back button of a
    shared computer does not show them to the next person. Static files say how they may be cached."""
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from evalapp.auth.accounts import load_from_session

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_from_session)
