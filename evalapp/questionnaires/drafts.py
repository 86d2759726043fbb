"""Drafts written in the browser: start, save (never over another organiser's save), undo, publish.

The functions here only flush; the view that calls them commits. A save is refused unless it was
made on the draft's latest save: what one organiser saved is never silently erased by another
who opened the draft before it.
"""
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from evalapp.extensions import db
from evalapp.models import (
    DraftSave,
    Organiser,
    QuestionnaireDraft,
    QuestionnaireItem,
    QuestionnaireVersion,
    VersionWithdrawal,
)
from evalapp.questionnaires import editing
from evalapp.questionnaires import problems as definition_problems
from evalapp.questionnaires.definition import Definition
from evalapp.questionnaires.loader import DefinitionError, format_errors, store_definition, validate_document

#: What a save may do, as the history says it, with the values each names.
CHANGES = {
    "started": _l("Started"),
    "copied": _l("Copy of %(code)s v%(version)s"),
    "uploaded": _l("Uploaded %(file)s"),
    "general": _l("General settings changed"),
    "page_added": _l("Page %(code)s added"),
    "page_changed": _l("Page %(code)s changed"),
    "page_moved": _l("Page %(code)s moved"),
    "page_deleted": _l("Page %(code)s deleted"),
    "question_added": _l("Question %(code)s added"),
    "question_changed": _l("Question %(code)s changed"),
    "question_moved": _l("Question %(code)s moved"),
    "question_copied": _l("Question %(code)s copied as %(copy)s"),
    "question_deleted": _l("Question %(code)s deleted"),
    "texts_uploaded": _l("Texts uploaded"),
    "undone": _l("Back to save %(number)s"),
}


@dataclass(frozen=True)
class Change:
    """What a save does: a key of :data:`CHANGES` and the values its wording names."""

    key: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.key not in CHANGES:
            raise ValueError(f"unknown change {self.key!r}")

    def text(self) -> str:
        """The change worded in the current language."""
        return str(CHANGES[self.key]) % self.params

    def english(self) -> str:
        with force_locale("en"):
            return self.text()[:200]


def change(key: str, **params) -> Change:
    return Change(key, params)


def summary_of(saved: DraftSave) -> str:
    """What a save did, in the reader's language; as written then for a save made before changes were kept."""
    if saved.change in CHANGES:
        try:
            return Change(saved.change, saved.change_params or {}).text()
        except (KeyError, TypeError, ValueError):
            pass  # a wording that names a value this save lacks: its English summary is still right
    return saved.summary


class DraftMoved(Exception):
    """The draft was saved by someone else since the page was drawn: nothing was written."""

    def __init__(self, latest: DraftSave):
        super().__init__(f"draft {latest.draft_id} is at save {latest.number}")
        self.latest = latest


def visible_drafts(organiser: Organiser):
    """The drafts still being written that ``organiser`` may see: their own; every one for an administrator."""
    query = select(QuestionnaireDraft).where(QuestionnaireDraft.published_version_id.is_(None))
    if not organiser.is_admin:
        query = query.where(QuestionnaireDraft.created_by_id == organiser.id)
    return query.order_by(QuestionnaireDraft.created_at.desc())


def visible_draft(organiser: Organiser, draft_id: int) -> QuestionnaireDraft | None:
    draft = db.session.get(QuestionnaireDraft, draft_id)
    if draft is None or not (organiser.is_admin or draft.created_by_id == organiser.id):
        return None
    return draft


def start(organiser: Organiser, document: dict, based_on: QuestionnaireVersion | None = None,
          made: Change | None = None) -> QuestionnaireDraft:
    """A new draft holding ``document`` as its first save."""
    draft = QuestionnaireDraft(code=str(document.get("code", "")), based_on=based_on, created_by=organiser)
    db.session.add(draft)
    db.session.flush()
    db.session.add(DraftSave(draft_id=draft.id, number=1, document=document, saved_by=organiser,
                             **_columns(made or change("started"))))
    db.session.flush()
    return draft


def code_taken(code: str) -> bool:
    """Whether a questionnaire (a version, or a draft anyone is writing) has this code already."""
    return bool(db.session.scalar(select(QuestionnaireVersion.id).where(QuestionnaireVersion.code == code).limit(1))
                or db.session.scalar(select(QuestionnaireDraft.id).where(QuestionnaireDraft.code == code).limit(1)))


def next_version_number(code: str) -> int:
    return (db.session.scalar(select(func.max(QuestionnaireVersion.version)).where(QuestionnaireVersion.code == code))
            or 0) + 1


def start_new_version(organiser: Organiser, version: QuestionnaireVersion) -> QuestionnaireDraft:
    """A draft of the next version of ``version``'s questionnaire, copying it (codes kept)."""
    document = editing.copy_for_new_version(version.definition, next_version_number(version.code))
    return start(organiser, document, based_on=version,
                 made=change("copied", code=version.code, version=version.version))


def _columns(made: Change) -> dict:
    return {"summary": made.english(), "change": made.key, "change_params": made.params}


def save(draft: QuestionnaireDraft, document: dict, based_on: int, organiser: Organiser, made: Change) -> DraftSave:
    """Add a save holding ``document``, made on save number ``based_on``; raise :class:`DraftMoved` if the
    draft has another save since (or gets one at the same time), or if it was published meanwhile."""
    latest = draft.latest
    if latest.number != based_on or draft.published_version_id is not None:
        raise DraftMoved(latest)
    saved = DraftSave(draft_id=draft.id, number=latest.number + 1, document=document, saved_by=organiser,
                      **_columns(made))
    try:
        with db.session.begin_nested():
            db.session.add(saved)
    except IntegrityError:
        # Another organiser's save of the same number was written first.
        raise DraftMoved(draft.latest) from None
    return saved


def undo_to(draft: QuestionnaireDraft, number: int, based_on: int, organiser: Organiser) -> DraftSave:
    """Bring back save ``number``'s document, as a new save (the history keeps every save)."""
    earlier = db.session.scalar(select(DraftSave).filter_by(draft_id=draft.id, number=number))
    if earlier is None:
        raise LookupError(number)
    return save(draft, earlier.document, based_on, organiser, change("undone", number=number))


def history(draft: QuestionnaireDraft) -> list[DraftSave]:
    return list(db.session.scalars(select(DraftSave).where(DraftSave.draft_id == draft.id)
                                   .order_by(DraftSave.number.desc())))


def earlier_codes(code: str) -> dict[str, tuple[str, int]]:
    """Every answer code of the stored versions of questionnaire ``code``: its stored type and latest version."""
    rows = db.session.execute(
        select(QuestionnaireItem.code, QuestionnaireItem.type, QuestionnaireVersion.version)
        .join(QuestionnaireVersion).where(QuestionnaireVersion.code == code)
        .order_by(QuestionnaireVersion.version))
    return {row.code: (row.type, row.version) for row in rows}


def code_problems(definition: Definition) -> list[tuple[str | None, str]]:
    """Codes that meant another kind of question in an earlier version of the questionnaire.

    A code keeps one meaning across versions, so that answers given under it compare; an item whose
    answers are of another kind (a scale that became a choice) must take a new code.
    """
    earlier = earlier_codes(definition.code)
    problems = []
    for section in definition.sections:
        for item in section.items:
            for code in item.answer_codes:
                if code in earlier and earlier[code][0] != item.kind.stored_type:
                    kind, version = earlier[code]
                    problems.append((item.code, _("code '%(code)s' was a %(type)s question in v%(version)s: a "
                                                  "question of another kind needs a new code", code=code, type=kind,
                                                  version=version)))
    return problems


@dataclass
class Check:
    """A draft's document checked as publishing checks it: its definition when valid, else the problems."""

    definition: Definition | None
    problems: list[tuple[str | None, str]]


def check(document: dict, version: int | None = None) -> Check:
    """Validate a draft's document with the loader's rules and the codes of earlier versions."""
    document = dict(document, version=version) if version else document
    try:
        definition = validate_document(document, "draft")
    except DefinitionError as exc:
        return Check(None, exc.problems + (code_problems(exc.rest) if exc.rest is not None else []))
    problems = code_problems(definition)
    return Check(None if problems else definition, problems)


def refusals(document: dict) -> list[tuple[str | None, str]]:
    """What keeps a document from being a draft: the format's problems but those a draft may hold while it is
    written (an English text still to come, a page without questions), which :func:`check` lists until
    publishing."""
    return [definition_problems.describe(document, error) for error in format_errors(document)
            if not definition_problems.a_draft_may_hold(error)]


def publish(draft: QuestionnaireDraft, based_on: int, organiser: Organiser) -> QuestionnaireVersion:
    """Store the draft as the questionnaire's next version, validated as a definition file is; raise
    :class:`DefinitionError` with the problems, or :class:`DraftMoved`."""
    latest = draft.latest
    if latest.number != based_on or draft.published_version_id is not None:
        raise DraftMoved(latest)
    number = next_version_number(str(latest.document.get("code", "")))
    checked = check(latest.document, number)
    if checked.definition is None:
        raise DefinitionError("draft", checked.problems)
    version = store_definition(checked.definition).version
    draft.published_version = version
    draft.code = version.code
    db.session.flush()
    return version


def withdraw(version: QuestionnaireVersion, organiser: Organiser) -> None:
    """Withdraw a version from new rounds; the rounds on it go on as they are."""
    if db.session.get(VersionWithdrawal, version.id) is None:
        db.session.add(VersionWithdrawal(questionnaire_version_id=version.id, withdrawn_by=organiser))


def offer_again(version: QuestionnaireVersion) -> None:
    db.session.execute(delete(VersionWithdrawal).where(VersionWithdrawal.questionnaire_version_id == version.id))


def withdrawn_ids() -> set[int]:
    return set(db.session.scalars(select(VersionWithdrawal.questionnaire_version_id)))


def offered_versions():
    """The versions a new round may use: published, not withdrawn."""
    withdrawn = select(VersionWithdrawal.questionnaire_version_id)
    return (select(QuestionnaireVersion).where(QuestionnaireVersion.id.not_in(withdrawn))
            .order_by(QuestionnaireVersion.code, QuestionnaireVersion.version.desc()))

