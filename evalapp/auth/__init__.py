"""Organiser accounts: login, logout, password change, and the administrators' account list."""
from evalapp.auth.routes import bp

__all__ = ["bp"]
