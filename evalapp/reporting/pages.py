"""The charts of each dashboard page: aggregates → figures, each with a table as its text alternative.

Used by the organisers' views and the printable report; labels are translated here.
"""
import html
from dataclasses import dataclass, field

from babel.lists import format_list
from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _

from evalapp.i18n import ngettext
from evalapp.models import STATUS_LABELS, ResponseStatus
from evalapp.questionnaires.definition import OTHER, SCORED_THEMES, Definition
from evalapp.questionnaires.loader import definition_of
from evalapp.reporting import aggregate, charts, gaps, versions
from evalapp.reporting.embed import figure_json


@dataclass
class Chart:
    """A figure ready for a page, with the same numbers as a table for screen readers and print."""

    id: str
    title: str
    figure: str
    headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def make_chart(chart_id: str, figure, headers=(), rows=(), notes=()) -> Chart:
    """A Chart titled as its figure is (the title carries n)."""
    title = html.unescape((figure.layout.title.text or "").replace("<br>", " "))
    return Chart(chart_id, title, figure_json(figure), list(headers), list(rows), list(notes))


def _num(value, digits=0):
    return "—" if value is None else format_decimal(round(value, digits), format="#,##0" + ("." + "0" * digits if digits else ""))


def _percent(share: float) -> str:
    """0.645 → "65 %" in French, "65%" in English."""
    return format_percent(round(share, 2))


def theme_labels(definition: Definition, lang: str) -> dict[str, str]:
    """The labels of the scored themes the questionnaire has (a questionnaire need not have all four)."""
    return {t: definition.theme_label(t, lang) for t in definition.scored_themes}


def status_labels() -> dict[str, str]:
    return {status: str(STATUS_LABELS[status]).capitalize() for status in ResponseStatus}


def overview_charts(round_, min_n: int, filters: aggregate.Filters | None = None, day_text=str) -> list[Chart]:
    progress = aggregate.progress(round_.id, filters or aggregate.Filters())
    labels = status_labels()
    status = make_chart("status", charts.response_status(progress, labels, _("Response status")),
                        [_("Status"), _("Invitations")], [[labels[s], progress.counts.get(s, 0)] for s in labels])
    rate = make_chart("rate", charts.response_rate(progress, _("Response rate over time"), _("Response rate"),
                                                   _("Submitted that day"), day_text),
                      [_("Day"), _("Submitted that day"), _("Submitted so far"), _("Response rate")],
                 [[day_text(d), n, total, _percent(rate)] for d, n, total, rate in progress.days])
    return [status, rate]


def theme_chart(round_, definition, lang, filters, min_n) -> Chart:
    labels = theme_labels(definition, lang)
    summaries = [s for s in aggregate.theme_summaries(round_, filters, min_n) if s.theme in labels]
    title = _("Theme indices (0–100)")
    return make_chart("themes", charts.theme_indices(summaries, labels, title, _("Index (0–100)"), min_n),
                      [_("Theme"), "n", _("Mean"), _("Standard deviation"), _("Lowest"), _("Highest")],
                 [[labels[s.theme], s.n if s.mean is not None else f"< {min_n}", _num(s.mean), _num(s.sd),
                   _num(s.minimum), _num(s.maximum)] for s in summaries])


def item_charts(round_, definition, side_text, lang, filters, min_n) -> list[Chart]:
    """One diverging bar chart per scored theme and scale (its scale items), and the impact heatmap.

    A theme whose items use several scales (agreement, frequency...) gets one chart per scale, so
    that every item is drawn under its own scale's labels.
    """
    result = []
    scale_items = [i for s in definition.sections for i in s.items if i.kind.chart == "distribution" and i.theme in definition.scored_themes]
    dists = aggregate.distributions(round_, [i.code for i in scale_items], filters, min_n)
    labels = theme_labels(definition, lang)
    for theme in definition.scored_themes:
        groups = items_by_scale([i for i in scale_items if i.theme == theme])
        for number, (scale_name, items) in enumerate(groups.items(), start=1):
            scale = dict(definition.scale_labels(scale_name, lang))
            if len(groups) == 1:
                title = _("%(theme)s: answers item by item", theme=labels[theme])
            else:
                title = _("%(theme)s: answers item by item, from “%(low)s” to “%(high)s”",
                          theme=labels[theme], low=scale[1], high=scale[5])
            figure = charts.diverging_bars([(i.code, f"{i.code} {side_text(i)}") for i in items], dists, scale,
                                           _("Don't know / not applicable"), title, min_n)
            result.append(make_chart(
                f"items-{theme}" if number == 1 else f"items-{theme}-{number}", figure,
                [_("Item"), "n", *[f"{v} – {scale[v]}" for v in range(1, 6)], _("Don't know / not applicable"), _("Mean")],
                [[f"{i.code} {side_text(i)}", *_distribution_cells(dists[i.code], min_n)] for i in items],
            ))
    matrix = next((i for s in definition.sections for i in s.items if i.kind.chart == "heatmap"), None)
    if matrix:
        cells = aggregate.distributions(round_, matrix.answer_codes, filters, min_n)
        rows = [(r.code, r.label.get(lang)) for r in matrix.rows]
        columns = [(c.code, c.label.get(lang)) for c in matrix.columns]
        scale = dict(definition.scale_labels(matrix.scale, lang))
        title = _("Territorial impact: mean answer for each dynamic at each level, from 1 (“%(low)s”) to 5 (“%(high)s”)",
                  low=scale[1], high=scale[5])
        figure = charts.impact_heatmap(rows, columns, lambda r, c: f"{matrix.code}_{r}_{c}", cells, scale, title, min_n)
        result.append(make_chart(
            "impact-matrix", figure, ["", *[label for _, label in columns]],
            [[row_label, *[_cell_text(cells[f"{matrix.code}_{r}_{c}"], min_n) for c, _ in columns]]
             for r, row_label in rows],
        ))
    return result


def items_by_scale(items) -> dict[str, list]:
    """The items grouped by their scale, each scale in the order of its first item."""
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.scale, []).append(item)
    return groups


def _distribution_cells(d, min_n) -> list:
    if not d.n:
        return [f"< {min_n}", *["—"] * 7]
    return [d.n, *[d.counts.get(v, 0) for v in range(1, 6)], d.dont_know, _num(d.mean, 2)]


def _cell_text(d, min_n) -> str:
    return f"{_num(d.mean, 1)} (n = {d.n})" if d.n else f"— (n < {min_n})"


def choice_charts(round_, definition, side_text, lang, filters, min_n) -> list[Chart]:
    items = [i for s in definition.sections for i in s.items if i.kind.chart == "choices"]
    counts = aggregate.choice_counts(round_, [i.code for i in items], filters, min_n)
    result = []
    for item in items:
        options = [(o.code, o.label.get(lang)) for o in item.options] + ([(OTHER, _("Other"))] if item.other else [])
        data = counts[item.code]
        title = f"{item.code} {side_text(item)}"
        figure = charts.choice_frequencies(data, options, title, _("Share of respondents"), min_n)
        shown = data.n >= min_n
        result.append(make_chart(
            f"choice-{item.code}", figure, [_("Answer"), _("Respondents"), _("Share")],
            [[label, data.counts.get(code, 0), _percent(data.counts.get(code, 0) / data.n)]
             for code, label in options] if shown else [],
            notes=[_("Other: %(text)s", text=text) for text in data.others] + _more_others(data),
        ))
    return result


def _more_others(data) -> list[str]:
    more = data.counts.get(OTHER, 0) - len(data.others)
    if more <= 0:
        return []
    return [ngettext("… and %(num)s more “Other” answer: the Texts page lists them all.",
                     "… and %(num)s more “Other” answers: the Texts page lists them all.", more)]


def reciprocity_charts(round_, definition, lang, filters) -> tuple[list[Chart], list]:
    comparisons = aggregate.partnership_comparisons(round_, filters)
    labels = theme_labels(definition, lang)
    readings = gaps.theme_readings(definition, labels)
    title = _("Partnerships ranked by reciprocity gap (mean over themes, 0–100)")
    ranking = make_chart("gap-ranking", charts.gap_ranking(comparisons, title, _("Gap")),
                         [_("Partnership"), *labels.values(), _("Mean gap")],
                    [[f"{c.home_name} – {c.partner_name}", *[_num(c.gaps.get(t)) for t in labels], _num(c.mean_gap)]
                     for c in comparisons],
                         [_("The mean gap adds up gaps that mean different things: read each theme's apart."),
                          *readings.values()])
    column = gaps.theme_labels(definition)
    dumbbells = [dumbbell_chart(c, labels, column) for c in comparisons]
    return [ranking, *dumbbells], comparisons


def partnership_chart(comparison, definition, lang) -> Chart:
    """One partnership's dumbbell, with what each theme's gap means below it."""
    labels = theme_labels(definition, lang)
    return dumbbell_chart(comparison, labels, gaps.theme_labels(definition),
                          [*gaps.theme_readings(definition, labels).values(), *gaps.notes(definition)])


def dumbbell_chart(comparison, labels, gap_labels, notes=()) -> Chart:
    """The two sides' theme indices, with what each theme's gap means (``gap_labels``) in the table."""
    title = f"{comparison.home_name} – {comparison.partner_name}"
    return make_chart(f"pair-{comparison.partnership_id}", charts.dumbbell(comparison, labels, title, _("Index (0–100)")),
                      [_("Theme"), comparison.home_name, comparison.partner_name, _("Gap"), _("What a gap means")],
                 [[label, _num(comparison.home.get(t)), _num(comparison.partner.get(t)), _num(comparison.gaps.get(t)),
                   gap_labels[t]] for t, label in labels.items()], notes)


def radar_chart(chart_id, title, series, labels) -> Chart:
    return make_chart(chart_id, charts.radar(series, labels, title),
                      [_("Theme"), *[name for name, _, _ in series]],
                 [[label, *[_num(values.get(t)) for _, values, _ in series]] for t, label in labels.items()])


def average_indices(round_, min_n) -> dict[str, float]:
    return {s.theme: s.mean for s in aggregate.theme_summaries(round_, aggregate.Filters(), min_n) if s.mean is not None}


def tag_chart(round_) -> Chart:
    counts = aggregate.tag_counts(round_)
    title = _("Stories by tag")
    return make_chart("tags", charts.tag_bars(counts, title, _("Stories")),
                      [_("Tag"), _("Stories")], [[tag, n] for tag, n in counts])


def question_text(definition: Definition, code: str, lang: str) -> str | None:
    """The question of an item or matrix cell code (a cell's: its row and column), None if the definition has no such code."""
    item = definition.owners.get(code)
    if item is None:
        return None
    if code == item.code:
        return item.text.get(lang)
    cell = next(cell for cell in item.cells if cell.code == code)
    return f"{cell.row.label.get(lang)} — {cell.column.label.get(lang)}"


def only_in(numbers: tuple[int, ...]) -> str:
    """(2,) → "Only in version 2"; (1, 3) → "Only in versions 1 and 3", in the page's language."""
    if len(numbers) == 1:
        return _("Only in version %(number)s", number=numbers[0])
    return _("Only in versions %(numbers)s", numbers=format_list([str(n) for n in numbers], locale=get_locale()))


@dataclass
class ItemMeans:
    """One row of the rounds compared item by item."""

    code: str
    question: str
    #: The mean and n of each round, as the table writes them.
    cells: list[str]


@dataclass
class RoundsComparison:
    """Rounds compared, across questionnaire versions: what the page shows."""

    chart: Chart
    #: The round names of the table's columns (with their version when they differ).
    round_names: list[str]
    #: The items every version has, theme by theme: [(theme label, rows)].
    items: list[tuple[str, list[ItemMeans]]]
    #: The items only some versions have, not compared: [("Only in version 2", [(code, question)])].
    apart: list[tuple[str, list[tuple[str, str]]]]


def rounds_comparison(rounds, lang, min_n) -> RoundsComparison:
    """The theme indices of ``rounds`` over the same authorities, a note under them for each theme whose index
    other versions make of other items, the items every version has item by item, and the others apart."""
    definitions = {r.questionnaire_version.version: definition_of(r.questionnaire_version) for r in rounds}
    newest_first = [definitions[v] for v in sorted(definitions, reverse=True)]
    compared = versions.compare_versions(definitions)
    labels = {theme: next(d.theme_label(theme, lang) for d in newest_first if theme in d.scored_themes)
              for theme in SCORED_THEMES if any(theme in d.scored_themes for d in newest_first)}

    def question(code):
        return next(text for d in newest_first if (text := question_text(d, code, lang)) is not None)

    several = len(definitions) > 1
    names = [_("%(round)s (version %(number)s)", round=r.title, number=r.questionnaire_version.version) if several
             else r.title for r in rounds]
    means = aggregate.rounds_compared(rounds, min_n)
    title = _("Theme indices across rounds, same authorities")
    figure = charts.rounds_over_time([(r.id, name) for r, name in zip(rounds, names, strict=True)], means, labels,
                                     title, _("Index (0–100)"))
    chart = make_chart("rounds", figure, [_("Round"), *labels.values()],
                       [[name, *[_mean_text(*means[r.id].get(t, (None, 0)), min_n) for t in labels]]
                        for r, name in zip(rounds, names, strict=True)], _theme_notes(compared, labels))
    item_means = aggregate.items_compared(rounds, compared.shared, min_n)
    items = [(label, [ItemMeans(code, question(code),
                                [_mean_text(*item_means[r.id].get(code, (None, 0)), min_n, digits=2) for r in rounds])
                      for code in compared.shared if compared.theme_of[code] == theme])
             for theme, label in labels.items()]
    apart = [(only_in(numbers), [(code, question(code)) for code in codes]) for numbers, codes in compared.apart]
    return RoundsComparison(chart, names, [(label, rows) for label, rows in items if rows], apart)


def _theme_notes(compared: versions.VersionsCompared, labels: dict[str, str]) -> list[str]:
    """A note for each theme whose index the versions make of other items, saying which; an index made
    of no item in common is not comparable at all, and the note says so."""
    notes = []
    for theme, differences in compared.themes.items():
        if any(compared.theme_of[code] == theme for code in compared.shared):
            warning = _("%(theme)s: the versions do not make this index of the same items; compare it with care.",
                        theme=labels[theme])
        else:
            warning = _("%(theme)s: the versions have no item of this index in common; its values cannot be "
                        "compared from one version to the other.", theme=labels[theme])
        notes.append(" ".join([warning, *[_("%(versions)s: %(codes)s.", versions=only_in(numbers),
                                            codes=", ".join(codes)) for numbers, codes in differences]]))
    return notes


def _mean_text(mean, n, min_n, digits=0) -> str:
    """A mean with its n, or a dash when fewer than ``min_n`` gave one (n then says only that)."""
    return f"{_num(mean, digits)} (n = {n})" if mean is not None else f"— (n < {min_n})" if n else "—"


def authority_radar(round_, invitation, definition, lang, min_n, with_partner: bool) -> Chart:
    """An authority's theme indices against the round's average and, for organisers, its partner's."""
    labels = theme_labels(definition, lang)
    own = aggregate.indices_of(round_, [invitation.response.id]).get(invitation.response.id, {})
    series = [(invitation.authority.name, own, charts.HOME_COLOUR),
              (_("Round average"), average_indices(round_, min_n), charts.AVERAGE_COLOUR)]
    partner = aggregate.partner_response(invitation) if with_partner else None
    if partner is not None:
        series.append((partner.invitation.authority.name,
                       aggregate.indices_of(round_, [partner.id]).get(partner.id, {}), charts.PARTNER_COLOUR))
    return radar_chart("radar", _("Theme indices of %(name)s", name=invitation.authority.name), series, labels)
