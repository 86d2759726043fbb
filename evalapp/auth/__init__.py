"""Organiser accounts: login, logout, password change, API tokens, and the administrators' account list."""
from evalapp.auth import token_views  # noqa: F401  (register the views)
from evalapp.auth.routes import bp

__all__ = ["bp"]
