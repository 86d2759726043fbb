from flask import Blueprint
from flask_login import login_required

bp = Blueprint("organiser", __name__, url_prefix="/o")


@bp.before_request
@login_required
def require_login():
    """Every organiser page needs a logged-in organiser; others are sent to the login page."""
