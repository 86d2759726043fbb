"""Configuration read from the environment.

Every setting has a default that works on a fresh machine: an SQLite database and a
secret key generated once, both kept under ``instance/``.
"""
import os
import secrets
import tempfile
from pathlib import Path


def database_url(instance_path: str) -> str:
    """Return the SQLAlchemy URL from ``DATABASE_URL``, defaulting to SQLite in instance/."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "evalapp.db")
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the usual ``postgresql://`` form."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance_path: str) -> str:
    """Return ``SECRET_KEY`` from the environment, or one generated once under instance/.

    Several gunicorn workers share the same file, so sessions signed by one are read by
    the others.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return path.read_text().strip()
    # Written whole to a file of its own, then linked into place: when two workers start at once,
    # one link wins, and no worker ever reads a key file that is still empty.
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        os.chmod(draft, 0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(draft)
    return path.read_text().strip()


def from_environment(instance_path: str) -> dict:
    """Build the Flask configuration mapping for this process."""
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # No pool_pre_ping: a connection the server closed is replaced without asking the server
        # (extensions._replace_closed_connection).
        # The start of invitation links. Unset, pages use the address they were reached at,
        # and commands (which have no request) use http://127.0.0.1:5000.
        "BASE_URL": os.environ.get("EVALAPP_BASE_URL"),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BOOTSTRAP_SERVE_LOCAL": True,
        "LANGUAGES": ("fr", "en"),
        # A respondent may keep a page open for hours before saving: the CSRF token
        # lives as long as the session instead of expiring after an hour.
        "WTF_CSRF_TIME_LIMIT": None,
        # Over HTTPS, Flask-WTF also wants a Referer from this site; but pages ask browsers to send
        # none (Referrer-Policy: no-referrer, so that invitation links never leave in one), and
        # every organiser form, the login first, would be refused. The token bound to the session
        # (and SameSite cookies) protect those forms.
        "WTF_CSRF_SSL_STRICT": False,
        "WTF_I18N_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        # Redirect http:// to https:// (behind a proxy that terminates TLS, set PROXY_COUNT too).
        "FORCE_HTTPS": os.environ.get("FORCE_HTTPS", "") == "1",
        # Group charts hide breakdowns with fewer respondents, so no authority can be recognised.
        "MIN_GROUP_SIZE": int(os.environ.get("MIN_GROUP_SIZE", "3")),
        # The Chromium that prints reports to PDF files on the server (evalapp/reporting/pdf.py).
        "CHROMIUM": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "MAX_FORM_PARTS": 2000,
        # Values in one form post: the longest questionnaire page sends about a hundred.
        "MAX_FORM_VALUES": 1000,
        # Failed logins: from browsers without a device cookie for the account (evalapp/auth/devices.py),
        # per account and per address; from a browser with one, per browser. The counts live in
        # RATELIMIT_STORAGE_URI: memory:// serves one process only; with several
        # gunicorn workers use redis://host:6379 so that every worker sees the same counts.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute"),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per minute"),
        "LOGIN_LIMIT_PER_DEVICE": os.environ.get("LOGIN_LIMIT_PER_DEVICE", "10 per minute"),
        # The read-only API (evalapp/api): requests per token (or per address without one), and requests refused
        # for want of a valid token per address. Counted in RATELIMIT_STORAGE_URI, as the login limits.
        "API_LIMIT_PER_TOKEN": os.environ.get("API_LIMIT_PER_TOKEN", "300 per minute"),
        "API_REFUSED_LIMIT_PER_ADDRESS": os.environ.get("API_REFUSED_LIMIT_PER_ADDRESS", "30 per minute"),
        # An organiser's session ends at logout, and at the latest this many hours after login.
        "ORGANISER_SESSION_HOURS": float(os.environ.get("ORGANISER_SESSION_HOURS", "12")),
        # Unknown invitation links asked from one address (someone guessing tokens).
        # A questionnaire page drawn once per shape and filled in per response (evalapp/respond/shapes.py).
        "KEEP_PAGE_SHAPES": True,
        "NOT_FOUND_LIMIT_PER_ADDRESS": os.environ.get("NOT_FOUND_LIMIT_PER_ADDRESS", "30 per minute"),
        # Behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
        # Email is sent only when MAIL_SERVER is set.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "") == "1",
        "MAIL_USE_SSL": os.environ.get("MAIL_USE_SSL", "") == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "evalapp@localhost"),
        "MAIL_TIMEOUT": int(os.environ.get("MAIL_TIMEOUT", "20")),
        # smtp, or console to print messages instead of sending them.
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp"),
        # Background jobs (evalapp/jobs): with a Redis URL they go to an RQ queue that
        # `flask --app evalapp worker` processes, on this machine or others; without, they run
        # in a thread of the web process.
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # Exports of more responses than this run as jobs (downloaded from the job's page);
        # smaller ones are downloaded at once.
        "EXPORT_JOB_THRESHOLD": int(os.environ.get("EXPORT_JOB_THRESHOLD", "2000")),
        # Directory imports of more lines than this are checked and imported by a job; smaller ones at once.
        "IMPORT_JOB_THRESHOLD": int(os.environ.get("IMPORT_JOB_THRESHOLD", "5000")),
        # The largest file the directory's import page takes (megabytes); other requests stay under 5 MB.
        "IMPORT_MAX_MB": float(os.environ.get("IMPORT_MAX_MB", "50")),
        # Files made by jobs (exports, backups) are removed this many hours after they were made.
        "EXPORT_KEEP_HOURS": float(os.environ.get("EXPORT_KEEP_HOURS", "24")),
        # A running job silent for this many seconds was stopped (worker killed, machine lost):
        # it shows as stopped and may be retried. Jobs give a sign of life every 15 seconds.
        "JOB_STALLED_AFTER": float(os.environ.get("JOB_STALLED_AFTER", "120")),
    }
