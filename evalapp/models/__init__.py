"""The data model. Import models from here: ``from evalapp.models import Round``."""
from evalapp.models.authorities import AUTHORITY_TYPES, Authority, Partnership
from evalapp.models.questionnaires import QuestionnaireItem, QuestionnaireVersion
from evalapp.models.responses import Answer, Response, ResponseStatus
from evalapp.models.rounds import SIDES, Invitation, Round

__all__ = [
    "AUTHORITY_TYPES",
    "SIDES",
    "Answer",
    "Authority",
    "Invitation",
    "Partnership",
    "QuestionnaireItem",
    "QuestionnaireVersion",
    "Response",
    "ResponseStatus",
    "Round",
]
