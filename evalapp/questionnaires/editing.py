"""Changes to a definition document, each a plain function: document in, new document out.

A document is the dict a definition file gives (``yaml.safe_load``), as drafts store it: it may be
incomplete while it is written; publishing validates it with the loader's rules (loader.validate_document).
Nothing here touches the database, and no function changes the document it is given.
"""
import copy
import re

import yaml
from flask_babel import gettext as _

from evalapp.models import rounds

#: The fields of an item that hold a text in both languages.
ITEM_TEXTS = ("text", "partner_text", "help", "unit")


class EditError(ValueError):
    """A change that cannot be made: its message says why, for the field it names (or None)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def new_document(code: str, title_fr: str, title_en: str) -> dict:
    """A new questionnaire's first state: one page with one question, one theme and the usual scale."""
    return {
        "code": code,
        "version": 1,
        "title": {"fr": title_fr, "en": title_en},
        "estimated_minutes": 10,
        "themes": [{"code": "general", "label": {"fr": "Général", "en": "General"}}],
        "scales": {"agreement": {
            1: {"fr": "Pas du tout d'accord", "en": "Strongly disagree"},
            2: {"fr": "Plutôt pas d'accord", "en": "Somewhat disagree"},
            3: {"fr": "Ni d'accord ni pas d'accord", "en": "Neither agree nor disagree"},
            4: {"fr": "Plutôt d'accord", "en": "Somewhat agree"},
            5: {"fr": "Tout à fait d'accord", "en": "Strongly agree"},
        }},
        "sections": [{
            "code": "general",
            "title": {"fr": "Questions", "en": "Questions"},
            "items": [{"code": "GEN_01", "theme": "general", "type": "short_text",
                       "text": {"fr": "Question", "en": "Question"}}],
        }],
    }


def copy_for_new_version(document: dict, version: int) -> dict:
    """A version's document as the start of the next one: every code kept, whole-number bounds as integers."""
    copied = copy.deepcopy(document)
    copied["version"] = version
    for section in sections(copied):
        for item in section.get("items") or ():
            for key in ("min", "max"):
                if key in item:
                    item[key] = whole(item[key])
    return copied


def to_yaml(document: dict) -> str:
    """The document as a definition file, its scales' values as numbers (JSON kept them as strings)."""
    document = dict(document)
    if isinstance(document.get("scales"), dict):
        document["scales"] = {name: {int(value) if str(value).isdigit() else value: label
                                     for value, label in labels.items()} if isinstance(labels, dict) else labels
                              for name, labels in document["scales"].items()}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


# --- Finding things ---------------------------------------------------------------------------------

def sections(document: dict) -> list[dict]:
    return document.get("sections") or []


def section_of(document: dict, code: str) -> dict | None:
    return next((s for s in sections(document) if s.get("code") == code), None)


def item_of(document: dict, code: str) -> dict | None:
    return next((item for s in sections(document) for item in s.get("items") or () if item.get("code") == code), None)


def section_holding(document: dict, item_code: str) -> dict | None:
    return next((s for s in sections(document) if any(i.get("code") == item_code for i in s.get("items") or ())), None)


def answer_codes(document: dict) -> set[str]:
    """Every item code and matrix cell code of the document."""
    codes = set()
    for section in sections(document):
        for item in section.get("items") or ():
            codes.add(item.get("code"))
            for row in item.get("rows") or ():
                for column in item.get("columns") or ():
                    codes.add(f"{item.get('code')}_{row.get('code')}_{column.get('code')}")
    return codes


def propose_code(document: dict, section_code: str, taken: set[str] = frozenset()) -> str:
    """A code for a new item of the section: the prefix of the section's items, the next free number,
    never one the document or an earlier version (``taken``) has used."""
    section = section_of(document, section_code) or {}
    used = answer_codes(document) | set(taken)
    prefixes = [m[1] for item in section.get("items") or () if (m := re.match(r"^([A-Z][A-Z0-9]*)_\d+$", item.get("code", "")))]
    prefix = prefixes[-1] if prefixes else re.sub(r"[^A-Z0-9]", "", section_code.upper())[:3] or "Q"
    number = 1
    while f"{prefix}_{number:02d}" in used:
        number += 1
    return f"{prefix}_{number:02d}"


# --- Items ------------------------------------------------------------------------------------------

def _changed(document: dict) -> dict:
    return copy.deepcopy(document)


def _item_place(document: dict, code: str) -> tuple[dict, int]:
    for section in sections(document):
        for index, item in enumerate(section.get("items") or ()):
            if item.get("code") == code:
                return section, index
    raise EditError(f"no item has the code {code}")


def replace_item(document: dict, code: str, item: dict) -> dict:
    """The document with item ``code`` replaced by ``item`` (which may have another code)."""
    if item["code"] != code and item["code"] in answer_codes(document):
        raise EditError(_("This code is already used in this questionnaire."), "code")
    changed = _changed(document)
    section, index = _item_place(changed, code)
    section["items"][index] = item
    return changed


def add_item(document: dict, section_code: str, item: dict, after: str | None = None) -> dict:
    """The document with ``item`` added to a section (at its end, or after item ``after``)."""
    if item["code"] in answer_codes(document):
        raise EditError(_("This code is already used in this questionnaire."), "code")
    changed = _changed(document)
    section = section_of(changed, section_code)
    if section is None:
        raise EditError(f"no section has the code {section_code}")
    items = section.setdefault("items", [])
    position = next((i + 1 for i, existing in enumerate(items) if existing.get("code") == after), len(items))
    items.insert(position, item)
    return changed


def delete_item(document: dict, code: str) -> dict:
    changed = _changed(document)
    section, index = _item_place(changed, code)
    del section["items"][index]
    return changed


def duplicate_item(document: dict, code: str, taken: set[str] = frozenset()) -> tuple[dict, str]:
    """The document with a copy of item ``code`` just after it, under a new code; and that code."""
    section = section_holding(document, code)
    if section is None:
        raise EditError(f"no item has the code {code}")
    item = copy.deepcopy(item_of(document, code))
    item["code"] = propose_code(document, section["code"], taken)
    return add_item(document, section["code"], item, after=code), item["code"]


def move_item(document: dict, code: str, step: int) -> dict:
    """The document with item ``code`` moved ``step`` places (-1 up, 1 down), across pages at a page's end."""
    changed = _changed(document)
    section, index = _item_place(changed, code)
    items = section["items"]
    target = index + step
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        return changed
    pages = sections(changed)
    neighbour = pages.index(section) + step
    if 0 <= neighbour < len(pages):
        item = items.pop(index)
        destination = pages[neighbour].setdefault("items", [])
        destination.insert(len(destination) if step < 0 else 0, item)
    return changed


# --- Sections ---------------------------------------------------------------------------------------

def replace_section(document: dict, code: str, fields: dict) -> dict:
    """The document with the section's own fields (code, title, intro, sides, when) set; its items kept."""
    if fields["code"] != code and section_of(document, fields["code"]) is not None:
        raise EditError(_("Another page has this code."), "code")
    changed = _changed(document)
    section = section_of(changed, code)
    if section is None:
        raise EditError(f"no section has the code {code}")
    items = section.get("items", [])
    section.clear()
    section.update({key: value for key, value in fields.items() if value is not None})
    section["items"] = items
    return changed


def add_section(document: dict, title_fr: str, title_en: str, code: str, item_code: str, theme: str) -> dict:
    """The document with a new page at its end, holding one question to start with."""
    if section_of(document, code) is not None:
        raise EditError(_("Another page has this code."), "code")
    changed = _changed(document)
    changed.setdefault("sections", []).append({
        "code": code, "title": {"fr": title_fr, "en": title_en},
        "items": [{"code": item_code, "theme": theme, "type": "short_text",
                   "text": {"fr": "Question", "en": "Question"}}],
    })
    return changed


def delete_section(document: dict, code: str) -> dict:
    changed = _changed(document)
    changed["sections"] = [s for s in sections(changed) if s.get("code") != code]
    return changed


def move_section(document: dict, code: str, step: int) -> dict:
    changed = _changed(document)
    pages = sections(changed)
    index = next((i for i, s in enumerate(pages) if s.get("code") == code), None)
    if index is not None and 0 <= index + step < len(pages):
        pages[index], pages[index + step] = pages[index + step], pages[index]
    return changed


def replace_general(document: dict, fields: dict) -> dict:
    """The document with its own fields (title, intros, minutes, themes, scales) set."""
    changed = _changed(document)
    for key, value in fields.items():
        if value is None:
            changed.pop(key, None)
        else:
            changed[key] = value
    return changed


# --- Lines typed in a text area: options, matrix rows and columns, themes ----------------------------

def parse_lines(text: str, field: str, flags: tuple[str, ...] = ()) -> list[dict]:
    """``code | French | English [| flag ...]`` lines as dicts ``{code, label: {fr, en}, flag: True...}``;
    an :class:`EditError` for the form's ``field`` names the line it cannot read.

    ``flags`` are the words a line may end with (``exclusive``; for a matrix column, ``gap=...``).
    """
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) < 2 or not all(parts[:2]):
            raise EditError(_("Line %(number)s: write “code | French | English”.", number=number), field)
        parts += [""] * (3 - len(parts))  # the English may come later, from a translator
        entry = {"code": parts[0], "label": {"fr": parts[1], "en": parts[2]}}
        for flag in parts[3:]:
            if not flag:
                continue
            name, _sep, value = flag.partition("=")
            if name not in flags:
                raise EditError(_("Line %(number)s: “%(flag)s” is not understood.", number=number, flag=flag), field)
            entry[name] = value or True
        entries.append(entry)
    return entries


def lines_of(entries: list[dict] | None, flags: tuple[str, ...] = ()) -> str:
    """The text area's lines for ``entries`` (the reverse of :func:`parse_lines`)."""
    lines = []
    for entry in entries or ():
        parts = [entry.get("code", ""), entry.get("label", {}).get("fr", ""), entry.get("label", {}).get("en", "")]
        for flag in flags:
            value = entry.get(flag)
            if value is True:
                parts.append(flag)
            elif value:
                parts.append(f"{flag}={value}")
        lines.append(" | ".join(str(part) for part in parts))
    return "\n".join(lines)


def parse_condition(text: str) -> dict | None:
    """A condition typed as in a definition file (``{item: CTX_01, equals: "yes"}``), or None when empty."""
    if not text.strip():
        return None
    try:
        condition = yaml.safe_load(text)
    except yaml.YAMLError:
        raise EditError(_("This condition cannot be read: write it as in a definition file, "
                          "such as {item: CTX_01, equals: \"yes\"}."), "when") from None
    if not isinstance(condition, dict):
        raise EditError(_("A condition is written between braces, such as {item: CTX_01, equals: \"yes\"}."), "when")
    return condition


def condition_text(condition: dict | None) -> str:
    if not condition:
        return ""
    return yaml.safe_dump(condition, allow_unicode=True, default_flow_style=True, width=1000).strip()


def condition_sentence(condition, document: dict, lang: str) -> str:
    """A condition as organisers read it, in the current language: "REC_01 is at least 4 and (the invitation
    is for the partner side or the authority is invited on its own)"; what it cannot read, as typed in a definition file."""
    try:
        return _sentence(condition, document, lang, nested=False)
    except (AttributeError, KeyError, TypeError, ValueError):
        return condition_text(condition)


def _sentence(condition: dict, document: dict, lang: str, nested: bool) -> str:
    for key, joiner in (("all", _(" and ")), ("any", _(" or "))):
        if key in condition:
            parts = condition[key]
            if not isinstance(parts, list) or not parts:
                raise ValueError(condition)
            text = joiner.join(_sentence(part, document, lang, nested=True) for part in parts)
            return f"({text})" if nested and len(parts) > 1 else text
    if "side" in condition:
        return _("the invitation is for the %(side)s side", side=rounds.SIDE_LABELS[rounds.Side(condition["side"])])
    if "partnership" in condition:
        return (_("the invitation is part of a partnership") if condition["partnership"]
                else _("the authority is invited on its own"))
    code = str(condition["item"])
    if "equals" in condition:
        return _("%(code)s is %(answer)s", code=code, answer=_answer(document, code, condition["equals"], lang))
    if "in" in condition:
        answers = _(" or ").join(_answer(document, code, value, lang) for value in condition["in"])
        return _("%(code)s is %(answers)s", code=code, answers=answers)
    if "includes" in condition:
        return _("%(code)s includes %(answer)s", code=code,
                 answer=_answer(document, code, condition["includes"], lang))
    if "at_least" in condition:
        return _("%(code)s is at least %(value)s", code=code, value=whole(condition["at_least"]))
    if condition.get("answered") is True:
        return _("%(code)s is answered", code=code)
    raise ValueError(condition)


def _answer(document: dict, code: str, value, lang: str) -> str:
    """An answer a condition names: an option's label (and its code) when the question has that option."""
    item = item_of(document, code) or {}
    option = next((o for o in item.get("options") or () if str(o.get("code")) == str(value)), None)
    label = (option or {}).get("label", {}).get(lang) if option else None
    return _("“%(label)s” (%(code)s)", label=label, code=value) if label else _("“%(answer)s”", answer=whole(value))


def sides_or_default(sides: list[str]) -> list[str] | None:
    """Sides as a document keeps them: left out when both (the default)."""
    chosen = [side for side in rounds.SIDES if side in sides]
    return None if chosen == list(rounds.SIDES) else chosen


# --- Texts, for translators -------------------------------------------------------------------------

def texts_of(document: dict) -> list[tuple[str, str, str]]:
    """Every text of the document as (where, French, English), in the order a reader meets them.

    ``where`` names the text in a way :func:`with_texts` finds it again: ``title``,
    ``item REC_01 text``, ``item REC_01 option yes``, ``scale agreement 3``...
    """
    rows = []

    def add(where, text):
        if isinstance(text, dict):
            rows.append((where, str(text.get("fr", "")), str(text.get("en", ""))))

    for key in ("title", "intro", "intro_without_partnership"):
        add(key, document.get(key))
    for theme in document.get("themes") or ():
        add(f"theme {theme.get('code')}", theme.get("label"))
    for name, labels in (document.get("scales") or {}).items():
        for value, label in labels.items():
            add(f"scale {name} {value}", label)
    for section in sections(document):
        add(f"section {section.get('code')} title", section.get("title"))
        add(f"section {section.get('code')} intro", section.get("intro"))
        for item in section.get("items") or ():
            code = item.get("code")
            for key in ITEM_TEXTS:
                add(f"item {code} {key}", item.get(key))
            for option in item.get("options") or ():
                add(f"item {code} option {option.get('code')}", option.get("label"))
            for row in item.get("rows") or ():
                add(f"item {code} row {row.get('code')}", row.get("label"))
            for column in item.get("columns") or ():
                add(f"item {code} column {column.get('code')}", column.get("label"))
    return rows


def with_texts(document: dict, translated: dict[str, tuple[str, str]]) -> tuple[dict, list[str]]:
    """The document with the texts of ``translated`` (where -> (French, English)) set; and the places
    named in ``translated`` that the document does not have. Empty cells leave the text as it was."""
    changed = _changed(document)
    places = {}

    def keep(where, holder, key):
        if isinstance(holder.get(key), dict):
            places[where] = (holder, key)

    for key in ("title", "intro", "intro_without_partnership"):
        keep(key, changed, key)
    for theme in changed.get("themes") or ():
        keep(f"theme {theme.get('code')}", theme, "label")
    for name, labels in (changed.get("scales") or {}).items():
        for value in labels:
            keep(f"scale {name} {value}", labels, value)
    for section in sections(changed):
        keep(f"section {section.get('code')} title", section, "title")
        keep(f"section {section.get('code')} intro", section, "intro")
        for item in section.get("items") or ():
            code = item.get("code")
            for key in ITEM_TEXTS:
                keep(f"item {code} {key}", item, key)
            for kind in ("option", "row", "column"):
                for entry in item.get(f"{kind}s") or ():
                    keep(f"item {code} {kind} {entry.get('code')}", entry, "label")
    unknown = []
    for where, (fr, en) in translated.items():
        if where not in places:
            unknown.append(where)
            continue
        holder, key = places[where]
        text = holder[key]
        if fr:
            text["fr"] = fr
        if en:
            text["en"] = en
    return changed, unknown


def parse_scales(text: str) -> dict:
    """``scale | value | French | English`` lines as the document's scales."""
    scales: dict = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 4 or not all(parts) or not parts[1].isdigit():
            raise EditError(_("Line %(number)s: write “scale | value | French | English”.", number=number), "scales")
        scales.setdefault(parts[0], {})[int(parts[1])] = {"fr": parts[2], "en": parts[3]}
    return scales


def scales_text(scales: dict | None) -> str:
    return "\n".join(f"{name} | {value} | {label.get('fr', '')} | {label.get('en', '')}"
                     for name, labels in (scales or {}).items() for value, label in labels.items())


# --- An item as the editor's form holds it ----------------------------------------------------------

#: The fields each type of item has beyond those of every item.
TYPE_FIELDS = {
    "scale": ("scale", "gap"),
    "single": ("options", "other"),
    "multiple": ("options", "other"),
    "number": ("min", "max", "integer", "unit"),
    "short_text": ("max_length",),
    "long_text": ("max_length", "story"),
    "matrix": ("scale", "rows", "columns"),
}


def form_fields_of_type(kind: str | None) -> set[str]:
    """The editor's form fields of a type of item (its texts in both languages); of every type for None."""
    names = set(TYPE_FIELDS.get(kind, ())) if kind else {name for own in TYPE_FIELDS.values() for name in own}
    if "unit" in names:
        names = (names - {"unit"}) | {"unit_fr", "unit_en"}
    return names


def text_of_fields(data: dict, key: str) -> dict | None:
    """The text of fields ``key_fr`` and ``key_en``; None when both are empty. One may be empty (an English
    still to translate): the draft keeps it, and publishing asks for it."""
    fr, en = (data.get(f"{key}_fr") or "").strip(), (data.get(f"{key}_en") or "").strip()
    return {"fr": fr, "en": en} if fr or en else None


def item_from_fields(data: dict) -> dict:
    """The item of the editor's form values (code, type, text_fr, options as lines, its condition or the
    condition's text...), in the order of a definition file, with only the fields of its type; raise
    :class:`EditError` for lines it cannot read."""
    kind = data["type"]
    own = TYPE_FIELDS.get(kind, ())
    item = {"code": data["code"], "theme": data["theme"], "type": kind}
    if data.get("required"):
        item["required"] = True
    sides = sides_or_default([side for side in rounds.SIDES if data.get(f"side_{side}")])
    if sides is not None:
        item["sides"] = sides
    when = data.get("when")
    if isinstance(when, str):  # as typed in a definition file
        when = parse_condition(when)
    if when:
        item["when"] = when
    item["text"] = text_of_fields(data, "text")
    for key in ("partner_text", "help"):
        if text_of_fields(data, key):
            item[key] = text_of_fields(data, key)
    if "scale" in own and data.get("scale"):
        item["scale"] = data["scale"]
    if "gap" in own and data.get("gap"):
        item["gap"] = data["gap"]
    if "options" in own:
        item["options"] = parse_lines(data.get("options") or "", "options", ("exclusive",))
        if data.get("other"):
            item["other"] = True
    if "min" in own:
        for key in ("min", "max"):
            if data.get(key) is not None:
                item[key] = whole(float(data[key]))
        if not data.get("integer"):
            item["integer"] = False
        if text_of_fields(data, "unit"):
            item["unit"] = text_of_fields(data, "unit")
    if "max_length" in own and data.get("max_length"):
        item["max_length"] = data["max_length"]
    if "story" in own and data.get("story"):
        item["story"] = True
    if "rows" in own:
        item["rows"] = parse_lines(data.get("rows") or "", "rows")
        item["columns"] = parse_lines(data.get("columns") or "", "columns", ("gap",))
    return item


def fields_of_item(item: dict) -> dict:
    """The editor's form values of an item (the reverse of :func:`item_from_fields`)."""
    data = {key: item.get(key) for key in ("code", "type", "theme", "scale", "gap", "min", "max", "max_length")}
    data["min"], data["max"] = whole(data["min"]), whole(data["max"])
    data["gap"] = data["gap"] or ""
    data["scale"] = data["scale"] or ""
    data.update(required=bool(item.get("required")), other=bool(item.get("other")), story=bool(item.get("story")),
                integer=item.get("integer", True), when=condition_text(item.get("when")),
                options=lines_of(item.get("options"), ("exclusive",)), rows=lines_of(item.get("rows")),
                columns=lines_of(item.get("columns"), ("gap",)))
    sides = item.get("sides") or list(rounds.SIDES)
    for side in rounds.SIDES:
        data[f"side_{side}"] = side in sides
    for key in ITEM_TEXTS:
        text = item.get(key) or {}
        data[f"{key}_fr"], data[f"{key}_en"] = text.get("fr", ""), text.get("en", "")
    return data


def whole(number):
    """A number as its author typed it: 1945, not 1945.0 (a stored version keeps its bounds as floats)."""
    return int(number) if isinstance(number, float) and number.is_integer() else number


def new_item(code: str, kind: str, theme: str, scale: str | None = None) -> dict:
    """A new item's first state, for the editor's form."""
    item = {"code": code, "theme": theme, "type": kind, "text": {"fr": "", "en": ""}}
    if kind in ("scale", "matrix") and scale:
        item["scale"] = scale
    return item
