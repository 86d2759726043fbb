"""The data model. Import models from here: ``from evalapp.models import Round``."""
from evalapp.models.authorities import AUTHORITY_TYPES, DIRECTORY_ACTIONS, Authority, DirectoryChange, Partnership
from evalapp.models.drafts import DraftSave, QuestionnaireDraft, VersionWithdrawal
from evalapp.models.exports import (
    EXPORT_CONTENT_TYPES,
    EXPORT_FORMATS,
    EXPORT_KIND_NAMES,
    EXPORT_KINDS,
    WIDE_ONLY_FORMATS,
    ExportFormat,
    ExportKind,
    ExportRecord,
    ExportStatus,
)
from evalapp.models.jobs import Job, JobFile, JobFileChunk, JobStatus
from evalapp.models.organisers import ApiToken, Organiser, OrganiserSession, round_members
from evalapp.models.questionnaires import QuestionnaireItem, QuestionnaireVersion
from evalapp.models.responses import RESPONDENT_ROLES, STATUS_LABELS, Answer, Response, ResponseStatus
from evalapp.models.results import AnswerTally, ResponseScore
from evalapp.models.rounds import (
    REACHED,
    SIDE_LABELS,
    SIDES,
    WITHDRAWN,
    EmailStatus,
    Invitation,
    InvitationEmail,
    RevokedToken,
    Round,
    Side,
)
from evalapp.models.stories import StorySelection, StoryTag

__all__ = [
    "AUTHORITY_TYPES",
    "DIRECTORY_ACTIONS",
    "EXPORT_CONTENT_TYPES",
    "EXPORT_FORMATS",
    "EXPORT_KIND_NAMES",
    "EXPORT_KINDS",
    "REACHED",
    "RESPONDENT_ROLES",
    "SIDE_LABELS",
    "SIDES",
    "STATUS_LABELS",
    "WIDE_ONLY_FORMATS",
    "WITHDRAWN",
    "Answer",
    "ApiToken",
    "AnswerTally",
    "Authority",
    "DirectoryChange",
    "DraftSave",
    "EmailStatus",
    "ExportFormat",
    "ExportKind",
    "ExportRecord",
    "ExportStatus",
    "Invitation",
    "Job",
    "JobFile",
    "JobFileChunk",
    "JobStatus",
    "InvitationEmail",
    "Organiser",
    "OrganiserSession",
    "RevokedToken",
    "round_members",
    "Partnership",
    "QuestionnaireDraft",
    "QuestionnaireItem",
    "QuestionnaireVersion",
    "Response",
    "ResponseScore",
    "ResponseStatus",
    "Round",
    "Side",
    "StorySelection",
    "StoryTag",
    "VersionWithdrawal",
]
