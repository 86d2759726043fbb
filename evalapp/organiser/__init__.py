"""The organisers' pages under /o: rounds, invitations and the directory of authorities."""
from evalapp.organiser import dashboard_views, directory_views, round_views  # noqa: F401  (register the views)
from evalapp.organiser.blueprint import bp

__all__ = ["bp"]
