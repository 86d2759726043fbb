"""Read, validate and store questionnaire definition files."""
import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pydantic
import yaml
from flask_babel import gettext as _
from sqlalchemy import select

from evalapp.extensions import db
from evalapp.models import QuestionnaireItem, QuestionnaireVersion
from evalapp.questionnaires import DEFINITIONS_DIR, problems
from evalapp.questionnaires.definition import SCORED_THEMES, Definition, cross_check


class DefinitionError(Exception):
    """A definition file that cannot be used, with every problem found in it.

    ``problems`` are (item code, message) in the reader's language, as the editor shows them; the
    exception's text, for the command line, says the format's problems with their path and pydantic's words
    (``lines``, when given).
    """

    def __init__(self, filename: str, problems: list[tuple[str | None, str]],
                 lines: list[tuple[str | None, str]] | None = None, rest: Definition | None = None):
        self.filename = filename
        self.problems = problems
        #: What validates of the document, its refused questions set aside (None if too little does).
        self.rest = rest
        text = [
            f"{filename}: " + (f"item {code}: " if code else "") + message
            for code, message in (problems if lines is None else lines)
        ]
        super().__init__("\n".join(text))


def read_definition(path: Path) -> Definition:
    """Parse and validate one definition file, or raise :class:`DefinitionError`."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(name, [(None, _("cannot be read: %(reason)s", reason=exc))]) from None
    definition = validate_document(parse_text(text, name), name)
    expected = f"{definition.code}-v{definition.version}.yaml"
    if name.endswith((".yaml", ".yml")) and path.stem != expected.removesuffix(".yaml"):
        raise DefinitionError(name, [(None, _("holds %(code)s v%(version)s; name it %(expected)s",
                                               code=definition.code, version=definition.version, expected=expected))])
    return definition


def parse_text(text: str, name: str) -> dict:
    """The document of a definition file's text (not validated yet), or raise :class:`DefinitionError`."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DefinitionError(name, [(None, _("cannot be read: %(reason)s", reason=exc))]) from None
    if not isinstance(raw, dict):
        raise DefinitionError(name, [(None, _("is not a mapping of questionnaire fields"))])
    return raw


def validate_document(raw: dict, name: str) -> Definition:
    """Validate a definition document (a file's, or a draft's written in the browser): every rule of the
    format, or raise :class:`DefinitionError` with each problem and the item it is in.

    Every problem is listed: when pydantic refuses parts of the document, the rest is still checked
    for the problems between questions (codes, themes, conditions).
    """
    errors = format_errors(raw)
    if not errors:
        definition = Definition.model_validate(raw)
        found = cross_check(definition)
        if found:
            raise DefinitionError(name, found)
        return definition
    rest, set_aside = _the_rest(raw, errors)
    found = cross_check(rest, set_aside) if rest is not None else []
    raise DefinitionError(name, [problems.describe(raw, error) for error in errors] + found,
                          [problems.technical(raw, error) for error in errors] + found, rest)


def format_errors(raw: dict) -> list[dict]:
    """pydantic's errors for a document (none when it has the definition format's shape)."""
    try:
        Definition.model_validate(raw)
    except pydantic.ValidationError as exc:
        return exc.errors()
    return []


#: What stands for a text still missing while the rest of a document is checked.
_PLACEHOLDER = "…"


def _the_rest(raw: dict, errors: list[dict]) -> tuple[Definition | None, set[str]]:
    """What pydantic accepts of ``raw``, its refused questions and conditions set aside and its missing texts
    standing in, and the codes of the questions set aside; None when a refusal is outside the pages."""
    rest = copy.deepcopy(raw)
    refused_items, refused_conditions = set(), set()
    for error in errors:
        loc = error["loc"]
        if error["type"] in ("missing", "string_too_short") and loc and loc[-1] in ("fr", "en"):
            parent = problems.node_at(rest, loc[:-1])
            if isinstance(parent, dict):
                parent[loc[-1]] = _PLACEHOLDER
                continue
        in_section = len(loc) > 2 and loc[0] == "sections" and isinstance(loc[1], int)
        if in_section and len(loc) > 4 and loc[2] == "items" and isinstance(loc[3], int) and loc[4] == "when":
            refused_conditions.add((loc[1], loc[3]))
        elif in_section and len(loc) > 3 and loc[2] == "items" and isinstance(loc[3], int):
            refused_items.add((loc[1], loc[3]))
        elif in_section and loc[2] == "when":
            refused_conditions.add((loc[1], None))
        elif not (in_section and tuple(loc[2:]) == ("items",)):  # a page without questions is left out below

            return None, set()
    set_aside = set()
    for index, section in enumerate(rest.get("sections") or ()):
        if (index, None) in refused_conditions:
            section.pop("when", None)
        items = section.get("items") or []
        for position, item in enumerate(items):
            if (index, position) in refused_conditions:
                item.pop("when", None)
            if (index, position) in refused_items and isinstance(item, dict):
                set_aside.add(str(item.get("code")))
        section["items"] = [item for position, item in enumerate(items) if (index, position) not in refused_items]
    rest["sections"] = [section for section in rest.get("sections") or () if section.get("items")]
    try:
        return Definition.model_validate(rest), set_aside
    except pydantic.ValidationError:
        return None, set()


def checksum(definition: Definition) -> str:
    canonical = json.dumps(definition.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class LoadResult:
    version: QuestionnaireVersion
    created: bool


def store_definition(definition: Definition, filename: str = "") -> LoadResult:
    """Store a validated definition once; storing identical content again changes nothing.

    A version already stored with other content is refused, so that answers given to it
    keep their meaning. The caller commits.
    """
    digest = checksum(definition)
    existing = db.session.scalar(
        select(QuestionnaireVersion).filter_by(code=definition.code, version=definition.version)
    )
    if existing is not None:
        if existing.checksum != digest:
            raise DefinitionError(
                filename or definition.code,
                [(None, _("%(code)s v%(version)s is already loaded with other content; give the changed "
                          "questionnaire a new version number", code=definition.code, version=definition.version))],
            )
        return LoadResult(existing, created=False)
    version = QuestionnaireVersion(
        code=definition.code,
        version=definition.version,
        definition=definition.model_dump(mode="json"),
        checksum=digest,
    )
    db.session.add(version)
    db.session.add_all(_item_rows(definition, version))
    db.session.flush()
    return LoadResult(version, created=True)


def _item_rows(definition: Definition, version: QuestionnaireVersion):
    position = 0
    for section in definition.sections:
        for item in section.items:
            for code in item.answer_codes:
                position += 1
                yield QuestionnaireItem(
                    questionnaire_version=version,
                    code=code,
                    section=section.code,
                    theme=item.theme,
                    type=item.kind.stored_type,
                    position=position,
                    scored=item.kind.scored and item.theme in SCORED_THEMES,
                    parent_code=item.code if code != item.code else None,  # a matrix's cell
                )


def definition_files(directory: Path = DEFINITIONS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def load_all(directory: Path = DEFINITIONS_DIR) -> list[LoadResult]:
    """Validate every file first, then store each; nothing is stored if one file is broken."""
    definitions = [(path.name, read_definition(path)) for path in definition_files(directory)]
    return [store_definition(definition, name) for name, definition in definitions]


_parsed: dict[str, Definition] = {}


def parsed(checksum: str) -> Definition | None:
    """The definition of that checksum if this process has parsed it already."""
    return _parsed.get(checksum)


def definition_of(version: QuestionnaireVersion) -> Definition:
    """Return the stored definition of a version, parsed once per process (it never changes)."""
    definition = _parsed.get(version.checksum)
    if definition is None:
        definition = _parsed[version.checksum] = Definition.model_validate(version.definition)
    return definition
