"""Tokens and requests for the API's tests."""
from evalapp.auth import tokens
from evalapp.extensions import db
from evalapp.models import Organiser


def make_token(app, organiser_id: int, name: str = "Tableau de bord du réseau") -> str:
    """A new API token of the organiser; return its secret."""
    with app.app_context():
        _, secret = tokens.create_token(db.session.get(Organiser, organiser_id), name)
        db.session.commit()
        return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def round_paths(round_id: int) -> list[str]:
    """Every endpoint that needs a token, for one round."""
    r = f"/api/v1/rounds/{round_id}"
    return ["/api/v1/rounds", r, f"{r}/questionnaire", f"{r}/responses", f"{r}/aggregates"]
