"""What the questionnaire versions of rounds compared share, and what they do not.

Pure: definitions in, plain data out; no Flask, no database. An item keeps its code from one
version to the next as long as its meaning does not change, and a changed item gets a new code
(FORMAT.md): so the answers to a code every version has are compared, a code only some versions
have is listed apart, and a theme index made of other items in another version is flagged.
Only scored answers count here (scale items and matrix cells of the scored themes): they are what
the comparison charts.
"""
from dataclasses import dataclass

from evalapp.questionnaires.definition import SCORED_THEMES, Definition

#: The versions (numbers) that have some codes, and those codes: ((1,), ["HUM_06"]).
Apart = tuple[tuple[int, ...], list[str]]


def scored_codes(definition: Definition) -> dict[str, str]:
    """The codes of a definition's scored answers, each with its theme, in questionnaire order."""
    return {code: item.theme for section in definition.sections for item in section.items
            if item.kind.scored and item.theme in SCORED_THEMES for code in item.answer_codes}


@dataclass
class VersionsCompared:
    #: The theme of every scored code of any version (the newest version's), in the newest version's order.
    theme_of: dict[str, str]
    #: The scored codes every version has.
    shared: list[str]
    #: The scored codes some versions have and others do not, grouped by the versions that have them.
    apart: list[Apart]
    #: For each theme whose index is not made of the same codes in every version, how they differ.
    themes: dict[str, list[Apart]]


def compare_versions(definitions: dict[int, Definition]) -> VersionsCompared:
    """Compare the scored codes of ``definitions`` (by version number)."""
    versions = sorted(definitions)
    codes = {v: scored_codes(definitions[v]) for v in versions}
    # Every code once, with the theme and place of the newest version that has it.
    theme_of: dict[str, str] = {}
    for version in reversed(versions):
        theme_of.update({code: theme for code, theme in codes[version].items() if code not in theme_of})
    shared = [code for code in theme_of if all(code in codes[v] for v in versions)]
    themes = {}
    for theme in SCORED_THEMES:
        # A theme's index differs when some version has a code in it that another has not (or not in it).
        differing = _apart(list(theme_of), {v: {c for c, t in codes[v].items() if t == theme} for v in versions})
        if differing:
            themes[theme] = differing
    return VersionsCompared(theme_of=theme_of, shared=shared, apart=_apart(list(theme_of), codes), themes=themes)


def _apart(order: list[str], codes: dict[int, set[str] | dict]) -> list[Apart]:
    """The codes some versions have and others not, grouped by the versions that have them, in ``order``."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for code in order:
        having = tuple(v for v in sorted(codes) if code in codes[v])
        if having and len(having) < len(codes):
            groups.setdefault(having, []).append(code)
    return sorted(groups.items())
