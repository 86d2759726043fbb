"""Flask extension instances, initialised in :func:`evalapp.create_app`."""
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

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


db = SQLAlchemy(model_class=Base)
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
