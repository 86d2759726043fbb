"""Plotly figures from aggregated data. Pure: data in, figure out; no Flask, no database.

Every text that comes from people (authority names, questions, answers) goes through
:func:`safe`, since Plotly renders a subset of HTML in titles, labels and hover text.
Translated titles and labels are passed in by the caller.
"""
import html
import re

import plotly.graph_objects as go

from evalapp.models import ResponseStatus
from evalapp.reporting.aggregate import ChoiceCounts, Distribution, PartnershipComparison, Progress, ThemeSummary

# Colours that stay distinct for colour-blind readers (Okabe–Ito), from the low end of a scale to the high end.
SCALE_COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#bababa", 4: "#67a9cf", 5: "#2166ac"}
DONT_KNOW_COLOUR = "#e0e0e0"
HOME_COLOUR, PARTNER_COLOUR, AVERAGE_COLOUR = "#0072B2", "#D55E00", "#7f7f7f"
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "size": 13}
#: The fewest bars a diverging chart has room for.
MIN_BARS = 3
#: 0–100 axes show every ten, 100 included.
INDEX_AXIS = {"range": [0, 101], "tickvals": [0, 20, 40, 60, 80, 100]}


def safe(text) -> str:
    """Text as Plotly must show it: literally, never as markup."""
    return html.escape(str(text), quote=False)


def wrap(text: str, width: int = 45) -> str:
    """Break a long label into lines (Plotly's <br>), escaping it first; never at a no-break space."""
    words, lines, line = [w for w in re.split(r"[^\S\u00a0\u202f]+", safe(text)) if w], [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def _layout(fig: go.Figure, title: str, height: int | None = None, **extra) -> go.Figure:
    if not fig.data or all(not getattr(t, "x", None) and not getattr(t, "z", None) and not getattr(t, "r", None)
                           for t in fig.data):
        # Nothing to draw (a hidden group): say so rather than show bare axes.
        fig.add_annotation(text=safe(extra.pop("empty", "—")), showarrow=False, x=0.5, y=0.5,
                           xref="paper", yref="paper", font={"size": 14, "color": "#595959"})
        extra = {"xaxis": {"visible": False}, "yaxis": {"visible": False}}
        height = 160
    extra.pop("empty", None)
    title = wrap(title, 45)
    # Room above the plot for every line of the title, so that a long one never runs into it.
    top = 30 + 22 * (title.count("<br>") + 1)
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        font=FONT, paper_bgcolor="white", plot_bgcolor="white", height=height and height + top - 70,
        **{"legend": {"orientation": "h", "y": -0.15}, "margin": {"l": 10, "r": 10, "t": top, "b": 40}, **extra},
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def n_label(n: int, hidden_below: int | None = None) -> str:
    if hidden_below and n < hidden_below:
        return f"n < {hidden_below}"
    return f"n = {n}"


def response_status(progress: Progress, labels: dict[str, str], title: str) -> go.Figure:
    """Invitations by response status, one horizontal stacked bar."""
    fig = go.Figure()
    colours = {ResponseStatus.NOT_STARTED: "#bababa", ResponseStatus.IN_PROGRESS: "#E69F00",
               ResponseStatus.SUBMITTED: "#009E73"}
    for status in reversed(ResponseStatus):
        count = progress.counts.get(status, 0)
        fig.add_bar(y=[""], x=[count], orientation="h", name=safe(labels[status]), marker_color=colours[status],
                    text=[count], textposition="inside", hovertemplate=f"{safe(labels[status])}: %{{x}}<extra></extra>")
    return _layout(fig, f"{title} ({n_label(progress.invited)})", height=230, barmode="stack",
                   xaxis={"title": None}, yaxis={"visible": False}, legend={"orientation": "h", "y": -0.35})


def response_rate(progress: Progress, title: str, rate_label: str, count_label: str, day_text=str) -> go.Figure:
    """Submissions day by day and the cumulative response rate, on a time axis (days apart stay apart).

    ``day_text`` writes a day in the page's language, for the hover labels; the axis writes
    days as 25/11, read the same in French and British English.
    """
    days = [d.isoformat() for d, _, _, _ in progress.days]
    names = [safe(day_text(d)) for d, _, _, _ in progress.days]
    fig = go.Figure()
    fig.add_bar(x=days, y=[n for _, n, _, _ in progress.days], name=safe(count_label), marker_color="#56B4E9",
                yaxis="y2", opacity=0.6, customdata=names, hovertemplate="%{customdata}: %{y}<extra></extra>")
    fig.add_scatter(x=days, y=[rate * 100 for _, _, _, rate in progress.days], name=safe(rate_label),
                    mode="lines+markers", line={"color": "#009E73", "width": 3}, customdata=names,
                    hovertemplate="%{customdata}: %{y:.0f} %<extra></extra>")
    return _layout(fig, f"{title} ({n_label(progress.invited)})", height=380,
                   xaxis={"type": "date", "tickformat": "%d/%m", "automargin": True},
                   legend={"orientation": "h", "y": -0.2, "yanchor": "top", "x": 0},
                   yaxis={"title": safe(rate_label) + " (%)", **INDEX_AXIS},
                   yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "title": safe(count_label),
                           "rangemode": "tozero", "tickformat": "d", "dtick": 1 if max((n for _, n, _, _ in progress.days), default=0) < 10 else None})


def theme_indices(summaries: list[ThemeSummary], theme_labels: dict[str, str], title: str, axis: str,
                  hidden_below: int) -> go.Figure:
    """Mean theme index with its standard deviation and n, one bar per theme."""
    shown = [s for s in summaries if s.mean is not None]
    fig = go.Figure()
    fig.add_bar(
        x=[s.mean for s in shown], y=[wrap(theme_labels[s.theme], 30) for s in shown], orientation="h",
        error_x={"type": "data", "array": [s.sd for s in shown], "color": "#444"},
        text=[f"{s.mean:.0f} ({n_label(s.n)})" for s in shown], textposition="inside", insidetextanchor="start",
        marker_color="#0072B2",
        hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    )
    hidden = [theme_labels[s.theme] for s in summaries if s.mean is None]
    if hidden:
        title = f"{title} — {', '.join(hidden)}: {n_label(0, hidden_below)}"
    return _layout(fig, title, height=100 + 60 * max(len(shown), 1), empty=n_label(0, hidden_below),
                   xaxis={"title": safe(axis), **INDEX_AXIS}, yaxis={"autorange": "reversed"})


def diverging_bars(items: list[tuple[str, str]], dists: dict[str, Distribution], scale_labels: dict[int, str],
                   dont_know_label: str, title: str, hidden_below: int) -> go.Figure:
    """One diverging stacked bar per item: the low end of the scale (1, 2) left of zero, the high end (4, 5)
    right, the middle split across zero; "don't know" is drawn apart on the right, never as a score.

    Every item shares the one scale whose ``scale_labels`` name the bars: chart items of different
    scales apart."""
    shown = [(code, text) for code, text in items if dists[code].n]
    names = [f"{wrap(text, 60)} ({n_label(dists[code].n)})" for code, text in shown]
    fig = go.Figure()
    for value in (2, 1, 3, 4, 5):
        shares = []
        for code, _ in shown:
            d = dists[code]
            share = 100 * d.counts.get(value, 0) / d.n
            shares.append(-share if value < 3 else (share / 2 if value == 3 else share))
        fig.add_bar(y=names, x=shares, orientation="h", name=safe(scale_labels[value]), marker_color=SCALE_COLOURS[value],
                    legendrank=value, customdata=[abs(s) for s in shares],
                    hovertemplate=f"{safe(scale_labels[value])}: %{{customdata:.0f}} %<extra></extra>")
        if value == 3:  # the other half of the middle, on the negative side
            fig.add_bar(y=names, x=[-s for s in shares], orientation="h", marker_color=SCALE_COLOURS[3],
                        showlegend=False, hoverinfo="skip")
    fig.add_bar(y=names, x=[dists[code].dont_know for code, _ in shown], orientation="h", xaxis="x2",
                name=safe(dont_know_label), marker_color=DONT_KNOW_COLOUR,
                hovertemplate=f"{safe(dont_know_label)}: %{{x}}<extra></extra>")
    hidden = len(items) - len(shown)
    if hidden:
        title = f"{title} — {hidden} × {n_label(0, hidden_below)}"
    if not shown:
        fig = go.Figure()
    # Room for MIN_BARS bars at least, the rest left blank: the legend below a chart of one item then fits.
    rows = max(len(shown), MIN_BARS)
    # Each bar as high as the longest label, so that wrapped labels never overlap (on an A4 page too).
    lines = max((name.count("<br>") + 1 for name in names), default=1)
    return _layout(fig, title, height=140 + max(64, 18 * lines + 14) * rows, barmode="relative",
                   empty=n_label(0, hidden_below),
                   xaxis={"domain": [0, 0.74], "range": [-100, 100], "ticksuffix": " %", "zeroline": True,
                          "zerolinecolor": "#333", "tickvals": [-100, -50, 0, 50, 100]},
                   xaxis2={"domain": [0.86, 1], "showgrid": False, "rangemode": "tozero", "tickformat": "d",
                           "dtick": 1 if max((d.dont_know for d in dists.values()), default=0) < 5 else None},
                   yaxis={"range": [rows - 0.5, -0.5]})


def impact_heatmap(rows: list[tuple[str, str]], columns: list[tuple[str, str]], cell_code, dists: dict[str, Distribution],
                   scale_labels: dict[int, str], title: str, hidden_below: int) -> go.Figure:
    """The 4 × 3 territorial impact matrix: mean answer (1–5) of each dynamic at each level, with n; the
    colour bar names the matrix's own scale."""
    z, text = [], []
    for row_code, _ in rows:
        z_row, text_row = [], []
        for col_code, _ in columns:
            d = dists[cell_code(row_code, col_code)]
            z_row.append(d.mean)
            text_row.append(n_label(d.n) if d.mean is not None else n_label(0, hidden_below))
        z.append(z_row)
        text.append(text_row)
    if all(value is None for row in z for value in row):
        return _layout(go.Figure(), title, empty=n_label(0, hidden_below))
    fig = go.Figure(go.Heatmap(
        z=z, x=[wrap(label, 18) for _, label in columns], y=[wrap(label, 22) for _, label in rows],
        text=text, texttemplate="%{z:.1f}<br>%{text}", zmin=1, zmax=5, colorscale="Blues", hoverongaps=False,
        hovertemplate="%{y} — %{x}: %{z:.2f}<extra></extra>",
        colorbar={"tickvals": list(scale_labels), "ticktext": [f"{v} {safe(label)}" for v, label in scale_labels.items()]},
    ))
    lines = max(label.count("<br>") + 1 for label in fig.data[0].y)
    return _layout(fig, title, height=160 + len(rows) * max(60, 18 * lines + 14), yaxis={"autorange": "reversed"})


def choice_frequencies(counts: ChoiceCounts, options: list[tuple[str, str]], title: str, axis: str,
                       hidden_below: int) -> go.Figure:
    """Share of respondents who chose each option, with n."""
    if counts.n < hidden_below:
        return _layout(go.Figure(), title, empty=n_label(counts.n, hidden_below))
    labels = [wrap(label, 32) for _, label in options]
    shares = [100 * counts.counts.get(code, 0) / counts.n for code, _ in options]
    fig = go.Figure()
    fig.add_bar(
        y=labels, x=shares, orientation="h", marker_color="#0072B2", textangle=0, cliponaxis=False,
        # The share the axis shows, then how many respondents it is: after a short bar, at the end of a long one
        # (written after a bar near 100 %, it would run out of the chart).
        text=[f"{share:.0f} % ({counts.counts.get(code, 0)})" for share, (code, _) in zip(shares, options, strict=True)],
        textposition=["inside" if share >= 50 else "outside" for share in shares], insidetextanchor="end",
        insidetextfont={"color": "white"},
        hovertemplate="%{y}: %{text}<extra></extra>",
    )
    # Every answer gets the height of the longest label (bands are equal), so that wrapped labels never overlap.
    lines = max(label.count("<br>") + 1 for label in labels)
    return _layout(fig, f"{title} ({n_label(counts.n)})", height=90 + len(labels) * max(40, 18 * lines + 10),
                   xaxis={"title": safe(axis), **INDEX_AXIS, "ticksuffix": " %"}, yaxis={"autorange": "reversed"})


def dumbbell(comparison: PartnershipComparison, theme_labels: dict[str, str], title: str, axis: str) -> go.Figure:
    """The two sides' theme indices, joined by a line whose length is the gap."""
    themes = [t for t in theme_labels if t in comparison.home or t in comparison.partner]
    y = [safe(theme_labels[t]) for t in themes]
    fig = go.Figure()
    for theme, label in zip(themes, y, strict=True):
        if theme in comparison.home and theme in comparison.partner:
            fig.add_scatter(x=[comparison.home[theme], comparison.partner[theme]], y=[label, label], mode="lines",
                            line={"color": "#bbb", "width": 4}, showlegend=False, hoverinfo="skip")
    for name, values, colour in ((comparison.home_name, comparison.home, HOME_COLOUR),
                                 (comparison.partner_name, comparison.partner, PARTNER_COLOUR)):
        fig.add_scatter(x=[values.get(t) for t in themes], y=y, mode="markers", name=safe(name),
                        marker={"size": 14, "color": colour}, hovertemplate="%{y}: %{x:.0f}<extra>" + safe(name) + "</extra>")
    return _layout(fig, title, height=360, xaxis={"title": safe(axis), **INDEX_AXIS}, yaxis={"autorange": "reversed"},
                   legend={"orientation": "h", "y": -0.3, "yanchor": "top", "x": 0}, margin={"l": 10, "r": 10, "t": 70, "b": 90})


def gap_ranking(comparisons: list[PartnershipComparison], title: str, axis: str) -> go.Figure:
    """Partnerships ranked by their mean reciprocity gap across themes."""
    ranked = [c for c in comparisons if c.mean_gap is not None]
    fig = go.Figure()
    fig.add_bar(
        x=[c.mean_gap for c in ranked], y=[wrap(f"{c.home_name} – {c.partner_name}", 40) for c in ranked],
        orientation="h", marker_color="#D55E00", text=[f"{c.mean_gap:.0f}" for c in ranked], textposition="auto",
        hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    )
    return _layout(fig, title, height=120 + 40 * max(len(ranked), 1), xaxis={"title": safe(axis), "rangemode": "tozero"},
                   yaxis={"autorange": "reversed"})


def radar(series: list[tuple[str, dict[str, float], str]], theme_labels: dict[str, str], title: str) -> go.Figure:
    """Theme indices as a radar: one trace per (name, indices, colour)."""
    themes = list(theme_labels)
    labels = [safe(theme_labels[t]) for t in themes]
    fig = go.Figure()
    for name, values, colour in series:
        r = [values.get(t) for t in themes]
        fig.add_scatterpolar(r=r + r[:1], theta=labels + labels[:1], name=safe(name), line={"color": colour},
                             fill="toself", opacity=0.55, connectgaps=False,
                             hovertemplate="%{theta}: %{r:.0f}<extra>" + safe(name) + "</extra>")
    return _layout(fig, title, height=460, polar={"radialaxis": {"range": [0, 100]}},
                   legend={"orientation": "h", "y": -0.12}, margin={"l": 90, "r": 90, "t": 90, "b": 60})


def rounds_over_time(round_titles: list[tuple[int, str]], means: dict[int, dict[str, tuple[float | None, int]]],
                     theme_labels: dict[str, str], title: str, axis: str) -> go.Figure:
    """Each theme's mean index across rounds, over the same authorities."""
    fig = go.Figure()
    x = [wrap(t, 25) for _, t in round_titles]
    for theme, label in theme_labels.items():
        values = [means.get(rid, {}).get(theme, (None, 0)) for rid, _ in round_titles]
        fig.add_scatter(x=x, y=[v for v, _ in values], name=safe(label), mode="lines+markers",
                        customdata=[n for _, n in values], hovertemplate="%{x}: %{y:.0f} (n = %{customdata})<extra></extra>")
    return _layout(fig, title, height=360, yaxis={"title": safe(axis), **INDEX_AXIS})


def tag_bars(counts: list[tuple[str, int]], title: str, axis: str) -> go.Figure:
    fig = go.Figure()
    fig.add_bar(y=[safe(tag) for tag, _ in counts], x=[n for _, n in counts], orientation="h", marker_color="#009E73",
                text=[n for _, n in counts], textposition="auto", hovertemplate="%{y}: %{x}<extra></extra>")
    return _layout(fig, title, height=100 + 32 * max(len(counts), 1), xaxis={"title": safe(axis), "tickformat": "d",
                   "dtick": 1 if max((n for _, n in counts), default=0) < 10 else None}, yaxis={"autorange": "reversed"})
