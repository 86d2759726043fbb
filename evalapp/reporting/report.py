"""The round's report: its findings, then the detail section by section, those the organisers keep.

A section is named by a code: the participation, the theme indices, each scored theme (its items
item by item, and the impact matrix in its theme), the reciprocity between partners and the other
questions (multiple choices). The report's language is the one asked for, whatever the interface's.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _

from evalapp.questionnaires.definition import Definition
from evalapp.reporting import pages

# Not a theme code: a scored theme is a section of its own, named by its code.
PARTICIPATION, THEMES, RECIPROCITY, CHOICES = "participation", "theme-indices", "partners", "choices"


@dataclass
class DetailSection:
    code: str
    title: str
    charts: list = field(default_factory=list)


def section_labels(definition: Definition, lang: str) -> dict[str, str]:
    """Every section a report of ``definition`` may hold, in order, with its title."""
    return {
        PARTICIPATION: _("Who answered"),
        THEMES: _("The four themes at a glance") if len(definition.scored_themes) == 4 else _("The themes at a glance"),
        **{theme: definition.theme_label(theme, lang) for theme in definition.scored_themes},
        RECIPROCITY: _("Reciprocity between partners"),
        CHOICES: _("Other questions"),
    }


def kept_sections(round_, definition: Definition) -> list[str]:
    """The codes of the sections the round's report holds: all but those the organisers left out."""
    left_out = set(round_.report_left_out or [])
    return [code for code in section_labels(definition, "en") if code not in left_out]


def chart_theme(chart_id: str, definition: Definition) -> str | None:
    """The scored theme an item chart belongs to (items-<theme>[-n], or the impact matrix's)."""
    if chart_id == "impact-matrix":
        matrix = next((i for s in definition.sections for i in s.items if i.kind.chart == "heatmap"), None)
        return matrix.theme if matrix else None
    return next((t for t in definition.scored_themes
                 if chart_id == f"items-{t}" or chart_id.startswith(f"items-{t}-")), None)


def detail_sections(round_, definition: Definition, lang: str, filters, min_n: int, day_text, side_text,
                    kept: list[str]) -> list[DetailSection]:
    """The charts of each kept section, each with its table (pages.py); only the kept ones are computed."""
    labels = section_labels(definition, lang)
    sections = {code: DetailSection(code, labels[code]) for code in kept}
    if PARTICIPATION in sections:
        sections[PARTICIPATION].charts = pages.overview_charts(round_, min_n, filters, day_text)
    if THEMES in sections:
        sections[THEMES].charts = [pages.theme_chart(round_, definition, lang, filters, min_n)]
    if any(t in sections for t in definition.scored_themes):
        for chart in pages.item_charts(round_, definition, side_text, lang, filters, min_n):
            theme = chart_theme(chart.id, definition)
            if theme in sections:
                sections[theme].charts.append(chart)
    if RECIPROCITY in sections:
        charts, _comparisons = pages.reciprocity_charts(round_, definition, lang, filters)
        # The ranking only: each partnership's detail is its own report.
        sections[RECIPROCITY].charts = charts[:1]
    if CHOICES in sections:
        sections[CHOICES].charts = pages.choice_charts(round_, definition, side_text, lang, filters, min_n)
    return [sections[code] for code in kept]
