"""Who sees what: a round another organiser owns answers 404, as if it did not exist."""
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import Invitation, Round
from evalapp.rounds import visible_round


def round_or_404(round_id: int) -> Round:
    round_ = visible_round(current_user, round_id)
    if round_ is None:
        abort(404)
    return round_


def invitation_or_404(round_: Round, invitation_id: int) -> Invitation:
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.id == invitation_id, Invitation.round_id == round_.id)
    )
    if invitation is None:
        abort(404)
    return invitation
