"""The respondent's path: an authority answers through its invitation link, with no account."""
from evalapp.respond.routes import bp

__all__ = ["bp"]
