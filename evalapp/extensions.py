"""Flask extension instances, initialised in :func:`evalapp.create_app`."""
import select

from flask import g, has_app_context
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event, exc
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool

# Named constraints, so that migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Session(FlaskSQLAlchemySession):
    """The request's database session; a request that only reads (:func:`read_without_transaction`) reads
    outside a transaction.

    On PostgreSQL a transaction costs two round trips more than its statements (BEGIN, and the
    ROLLBACK that ends every request), which weighed more than drawing a respondent's page. Each
    statement of a read sees the data as of its own start either way (READ COMMITTED).
    """

    def get_bind(self, *args, **kwargs):
        engine = super().get_bind(*args, **kwargs)
        if has_app_context() and g.get("read_without_transaction"):
            return _autocommitting(engine)
        return engine


@event.listens_for(Pool, "checkout")
def _replace_closed_connection(dbapi_connection, connection_record, connection_proxy):
    """A pooled PostgreSQL connection the server closed meanwhile (restarted, terminated, timed out)
    is replaced before it is used, without a round trip to the server.

    The server tells a client it closes its connection (a last message, then the end of the
    stream), so such a connection has something to read while it sits in the pool; a live one has
    nothing. SQLAlchemy's ``pool_pre_ping`` asks the server instead: one round trip more on every
    request. Raising DisconnectionError makes the pool open a fresh connection (SQLAlchemy's
    "pessimistic disconnect handling" with a custom check). SQLite's connections are files: nothing
    to check.
    """
    if not hasattr(dbapi_connection, "pgconn"):
        return
    if dbapi_connection.closed:
        raise exc.DisconnectionError("the connection was closed")
    waiting = select.poll()
    waiting.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if waiting.poll(0):
        raise exc.DisconnectionError("the server closed the connection")


_autocommitting_engines = {}


def _autocommitting(engine):
    """The engine ``engine`` whose connections do not open a transaction (same pool)."""
    if engine not in _autocommitting_engines:
        _autocommitting_engines[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return _autocommitting_engines[engine]


def read_without_transaction() -> None:
    """This request reads and writes nothing: no transaction (call before its first query)."""
    g.read_without_transaction = True


def reading_connection():
    """A connection of the application's pool, outside the request's session and outside a transaction,
    for one hot read (``with reading_connection() as connection: ...``).

    The session costs a page that only reads one statement more than the statement itself (creating
    it, its transaction's bookkeeping, closing it: 0.2 ms in process, twice that under gunicorn).
    """
    return _autocommitting(db.engine).connect()


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
# Bootstrap 5's CSS, served from the installed package (BOOTSTRAP_SERVE_LOCAL): no CDN.
bootstrap = Bootstrap5()
login_manager = LoginManager()
# Security headers: Content-Security-Policy, nosniff, frame-ancestors, Referrer-Policy, HSTS over HTTPS.
talisman = Talisman()
mail = Mail()
# No default limits: only the routes that need one (login) declare it.
limiter = Limiter(key_func=get_remote_address)
