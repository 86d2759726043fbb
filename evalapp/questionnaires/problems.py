"""A definition's problems as organisers read them: the place named in their words (page, question,
field, language), what is wrong in their language.

pydantic says where a problem is as a path (``sections.2.items.0.text.en``) and what it is in its own
English (``Field required``). The editor and the upload forms show each problem with the question it
is in and the field named as the forms name it; the ``flask questionnaire load`` command keeps the
path and pydantic's words, which is what the author of a file looks for.

Only the kinds of error a definition file meets are worded here; another falls back to pydantic's
message, with the place still named.
"""
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: The fields of a definition, as the editor's forms name them.
FIELDS = {
    "code": _l("code"),
    "version": _l("version number"),
    "title": _l("title"),
    "intro": _l("introduction"),
    "intro_without_partnership": _l("welcome text without a partnership"),
    "estimated_minutes": _l("minutes it takes"),
    "themes": _l("themes"),
    "scales": _l("scales"),
    "sections": _l("pages"),
    "items": _l("questions"),
    "label": _l("label"),
    "text": _l("text of the question"),
    "partner_text": _l("wording for the partner"),
    "help": _l("help"),
    "unit": _l("unit"),
    "type": _l("type of question"),
    "theme": _l("theme"),
    "scale": _l("scale"),
    "gap": _l("what a gap between the two sides means"),
    "options": _l("options"),
    "other": _l("“Other, please specify”"),
    "exclusive": _l("exclusive"),
    "min": _l("smallest number"),
    "max": _l("largest number"),
    "integer": _l("whole numbers only"),
    "max_length": _l("most characters"),
    "story": _l("story of the most significant change"),
    "rows": _l("matrix rows"),
    "columns": _l("matrix columns"),
    "required": _l("answer required"),
    "sides": _l("sides"),
    "when": _l("condition"),
    "fr": _l("in French"),
    "en": _l("in English"),
}

#: One entry of a list field, named by its code (or its number).
ENTRIES = {
    "options": _l("option %(name)s"),
    "rows": _l("row %(name)s"),
    "columns": _l("column %(name)s"),
    "themes": _l("theme %(name)s"),
}


def what(error: dict) -> str:
    """What a pydantic error says, in the reader's language (pydantic's own message for the rare others)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    match kind:
        case "value_error" | "assertion_error":
            return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
        case "missing":
            return _("missing")
        case "string_too_short":
            return _("empty")
        case "too_short":
            return _("give at least %(count)s", count=ctx.get("min_length"))
        case "string_too_long" | "too_long":
            return _("too long: at most %(count)s", count=ctx.get("max_length"))
        case "extra_forbidden":
            return _("not a field of the definition format: remove it")
        case "string_type":
            return _("should be a text")
        case "string_pattern_mismatch":
            return _("not written as a code should be (%(pattern)s)", pattern=ctx.get("pattern", ""))
        case "int_type" | "int_parsing" | "int_from_float":
            return _("should be a whole number")
        case "float_type" | "float_parsing" | "finite_number":
            return _("should be a number")
        case "bool_type" | "bool_parsing":
            return _("should be true or false")
        case "list_type":
            return _("should be a list")
        case "dict_type" | "model_type" | "model_attributes_type":
            return _("should be fields, such as {fr: …, en: …}")
        case "literal_error" | "enum":
            expected = str(ctx.get("expected", ""))  # pydantic's English: "'a', 'b' or 'c'"
            return _("should be one of: %(expected)s", expected=", ".join(re.findall(r"'[^']*'", expected)) or expected)
        case "greater_than_equal" | "greater_than":
            return _("should be at least %(limit)s", limit=ctx.get("ge", ctx.get("gt", "")))
        case "less_than_equal" | "less_than":
            return _("should be at most %(limit)s", limit=ctx.get("le", ctx.get("lt", "")))
        case "condition" | "union_tag_invalid" | "union_tag_not_found":
            return _("a condition needs exactly one of: %(kinds)s",
                     kinds="equals, in, includes, at_least, answered, side, partnership, all, any")
    return error["msg"]


def is_pending_translation(error: dict) -> bool:
    """Whether the error is an English text still to come, which a draft may wait for (not a published version)."""
    loc = error["loc"]
    return bool(loc) and loc[-1] == "en" and error["type"] in ("missing", "string_too_short")


def a_draft_may_hold(error: dict) -> bool:
    """Whether a draft may hold what the error says, as the editor lets it: an English text still to come, a
    page without questions or a questionnaire without pages (publishing asks for them)."""
    loc = error["loc"]
    return is_pending_translation(error) or (error["type"] == "too_short" and bool(loc)
                                             and loc[-1] in ("sections", "items"))


def node_at(raw, loc) -> object:
    """What the document holds at a location; None when it holds nothing there."""
    node = raw
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _name(node, index) -> str:
    code = node.get("code") if isinstance(node, dict) else None
    return str(code) if code else str(index + 1 if isinstance(index, int) else index)


def place(raw: dict, loc: tuple) -> tuple[str | None, str]:
    """The item code a location is in (None outside items), and the place within it in words."""
    loc = tuple(loc)
    code, words = None, []
    start = 0
    if loc[:1] == ("sections",) and len(loc) > 1:
        section = node_at(raw, loc[:2])
        if len(loc) > 3 and loc[2] == "items":
            item = node_at(raw, loc[:4])
            if isinstance(item, dict) and item.get("code"):
                code = str(item["code"])
            else:
                words.append(_("page %(page)s, question %(number)s", page=_name(section, loc[1]),
                               number=loc[3] + 1 if isinstance(loc[3], int) else loc[3]))
            start = 4
        else:
            words.append(_("page %(page)s", page=_name(section, loc[1])))
            start = 2
    parts = loc[start:]
    index = 0
    while index < len(parts):
        part = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else None
        if part == "when":
            words.append(str(FIELDS["when"]))
            break  # what is wrong inside a condition, the message says
        if part in ENTRIES and isinstance(following, int):
            entry = node_at(raw, loc[:start + index + 2])
            words.append(str(ENTRIES[part]) % {"name": _name(entry, following)})
            index += 2
            continue
        if part == "scales" and following is not None:
            words.append(_("scale %(name)s", name=following))
            if index + 2 < len(parts):
                words.append(_("value %(value)s", value=parts[index + 2]))
            index += 3
            continue
        words.append(str(FIELDS.get(part, part)) if isinstance(part, str) else str(part))
        index += 1
    return code, ", ".join(words)


def describe(raw: dict, error: dict) -> tuple[str | None, str]:
    """A pydantic error of ``raw`` as (item code, "place: what"), in the reader's language."""
    code, where = place(raw, error["loc"])
    message = what(error)
    return code, _("%(where)s: %(what)s", where=where, what=message) if where else message


def technical(raw: dict, error: dict) -> tuple[str | None, str]:
    """A pydantic error as the command line says it: the item code, the path within it and pydantic's words."""
    loc, code = tuple(error["loc"]), None
    at = loc.index("items") + 1 if "items" in loc else len(loc)
    if at < len(loc) and isinstance(loc[at], int):
        item = node_at(raw, loc[:at + 1])
        code = str(item["code"]) if isinstance(item, dict) and item.get("code") else f"number {loc[at] + 1}"
        loc = loc[at + 1:]
    where = ".".join(str(p) for p in loc)
    return code, f"{where}: {error['msg']}" if where else error["msg"]
