"""The organisers' pages under /o: rounds, invitations and the directory of authorities."""
from evalapp.organiser import (  # noqa: F401  (register the views)
    dashboard_views,
    directory_views,
    draft_content_views,
    draft_views,
    export_views,
    job_views,
    preview_views,
    questionnaire_views,
    report_views,
    round_views,
)
from evalapp.organiser.blueprint import bp

__all__ = ["bp"]
