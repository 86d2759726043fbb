"""The findings that open a round's report: what the figures say, in sentences a non-specialist reads.

Every number comes from the aggregates the dashboards show (evalapp/reporting/aggregate.py), and
every group smaller than MIN_GROUP_SIZE is left out or counted with the other small ones, as on
the dashboards. Sentences are written in the language of the request's locale (the report forces
the one asked for). No Plotly here.
"""
from dataclasses import dataclass, field

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from evalapp.directory.countries import country_name
from evalapp.i18n import ngettext
from evalapp.models import AUTHORITY_TYPES, SIDE_LABELS, Round
from evalapp.questionnaires.definition import Definition
from evalapp.questionnaires.loader import definition_of
from evalapp.reporting import aggregate, gaps, versions

#: How many items the findings name among the most and the least agreed with, and partnerships among the widest gaps.
ITEMS_NAMED = 3
PARTNERSHIPS_NAMED = 3
#: The scale whose items say how much respondents agree: the findings rank those.
AGREEMENT = "agreement"
#: A change of an index smaller than this (points out of 100) reads as "about the same".
SMALL_CHANGE = 2


@dataclass
class ThemeLine:
    """One theme's index as the findings' table shows it; numbers already written out."""

    label: str
    n: str
    mean: str
    #: The standard deviation, then the lowest and highest index.
    sd: str
    range: str
    change: str


@dataclass
class Story:
    text: str
    #: "Ville – side", or None when the report hides the authorities.
    author: str | None


@dataclass
class Findings:
    participation: list[str] = field(default_factory=list)
    #: What an index is, then one sentence per theme.
    themes: list[str] = field(default_factory=list)
    theme_table: list[ThemeLine] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    reciprocity: list[str] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)


def _num(value: float, digits: int = 0) -> str:
    return format_decimal(round(value, digits), format="#,##0" + ("." + "0" * digits if digits else ""))


def round_findings(round_: Round, definition: Definition, lang: str, min_n: int,
                   previous: Round | None = None, anonymous: bool = False) -> Findings:
    """The findings of ``round_`` (its figures as the dashboards count them, unfiltered), with the change since
    ``previous`` (an earlier round of the same questionnaire) when given."""
    findings = Findings()
    findings.participation = participation(round_, lang, min_n)
    findings.themes, findings.theme_table = themes(round_, definition, lang, min_n, previous)
    findings.items = items(round_, definition, lang, min_n)
    findings.reciprocity = reciprocity(round_, definition, lang)
    findings.stories = selected_stories(round_, definition, anonymous)
    return findings


def participation(round_: Round, lang: str, min_n: int) -> list[str]:
    """The response rate, and who answered by side, type and country (groups under ``min_n`` together)."""
    progress = aggregate.progress(round_.id)
    submitted = progress.counts.get("submitted", 0)
    if not progress.invited:
        return [_("No authority has been invited to this round yet.")]
    sentences = [_("%(submitted)s of the %(invited)s authorities invited submitted their answers: a response rate "
                   "of %(rate)s.", submitted=submitted, invited=progress.invited,
                   rate=format_percent(round(submitted / progress.invited, 2)))]
    if not submitted:
        return sentences
    by = aggregate.submitted_by(round_.id)
    names = {
        "side": lambda v: _("%(side)s side", side=SIDE_LABELS[v]).capitalize() if v in SIDE_LABELS else v,
        "kind": lambda v: str(AUTHORITY_TYPES.get(v, v)),
        "country": lambda v: country_name(v, lang),
    }
    heads = {"side": _("By side of the partnership"), "kind": _("By type of authority"), "country": _("By country")}
    for facet in aggregate.FACETS:
        sentence = _groups_sentence(by.get(facet, {}), names[facet], min_n, lang)
        if sentence:
            sentences.append(_("%(heading)s: %(groups)s.", heading=heads[facet], groups=sentence))
    return sentences


#: What separates the groups of a sentence, in each language's typography.
LIST_SEPARATORS = {"fr": " ; ", "en": "; "}


def _groups_sentence(counts: dict[str, int], name, min_n: int, lang: str) -> str:
    """"France 20, Burkina Faso 6 and 4 in groups of fewer than 3": the small groups counted together."""
    shown = sorted(((name(v), n) for v, n in counts.items() if n >= min_n), key=lambda p: (-p[1], p[0]))
    small = sum(n for n in counts.values() if n < min_n)
    parts = [f"{label} {n}" for label, n in shown]
    if small:
        parts.append(ngettext("%(num)s in groups of fewer than %(min)s", "%(num)s in groups of fewer than %(min)s",
                              small, min=min_n))
    return LIST_SEPARATORS.get(lang, "; ").join(parts)


def previous_round(round_: Round, candidates) -> Round | None:
    """The latest of ``candidates`` that opened before ``round_`` on the same questionnaire (any version)."""
    earlier = [r for r in candidates if r.id != round_.id and r.opens_on < round_.opens_on
               and r.questionnaire_version.code == round_.questionnaire_version.code]
    return max(earlier, key=lambda r: (r.opens_on, r.id), default=None)


def themes(round_: Round, definition: Definition, lang: str, min_n: int,
           previous: Round | None) -> tuple[list[str], list[ThemeLine]]:
    labels = {t: definition.theme_label(t, lang) for t in definition.scored_themes}
    summaries = [s for s in aggregate.theme_summaries(round_, aggregate.Filters(), min_n) if s.theme in labels]
    sentences = [_("Each theme index runs from 0 (every answer at the bottom of its scale) to 100 (every answer at "
                   "the top); 50 is the middle of the scale.")]
    changes, compared_with, not_compared = {}, "", []
    if previous is not None:
        means = aggregate.rounds_compared([previous, round_], min_n)
        before, now = means.get(previous.id, {}), means.get(round_.id, {})
        compared = versions.compare_versions({
            v.version: definition_of(v) for v in {previous.questionnaire_version, round_.questionnaire_version}})
        for theme in labels:
            (old, n_old), (new, n_new) = before.get(theme, (None, 0)), now.get(theme, (None, 0))
            # An index the two versions make of no item in common is not compared at all.
            comparable = any(compared.theme_of[code] == theme for code in compared.shared)
            if old is not None and new is not None and comparable:
                changes[theme] = (new - old, n_old, n_new, theme in compared.themes)
            elif not comparable:
                not_compared.append(labels[theme])
        compared_with = previous.title
    table, differing = [], []
    for s in summaries:
        label = labels[s.theme]
        if s.mean is None:
            sentences.append(_("%(theme)s: fewer than %(min)s responses have an index; it is not shown.",
                               theme=label, min=min_n))
            table.append(ThemeLine(label, f"< {min_n}", "—", "—", "—", "—"))
            continue
        change_text = "—"
        if s.theme in changes:
            delta, n_before, n_now, differs = changes[s.theme]
            change_text = _signed(delta)
            sentences.append(_change_sentence(label, delta, n_before, n_now, compared_with))
            if differs:
                differing.append(label)
        table.append(ThemeLine(label, str(s.n), _num(s.mean), _num(s.sd), f"{_num(s.minimum)}–{_num(s.maximum)}",
                               change_text))
    for label in not_compared:
        sentences.append(_("The two questionnaire versions have no item in common for %(themes)s: its change is not "
                           "shown.", themes=label))
    if differing:
        sentences.append(_("The two questionnaire versions do not make these indices of quite the same items: "
                           "%(themes)s. Compare them with care.", themes=", ".join(differing)))
    shown = [s for s in summaries if s.mean is not None]
    if len(shown) > 1:
        high, low = max(shown, key=lambda s: s.mean), min(shown, key=lambda s: s.mean)
        sentences.insert(1, _("Answers are most positive on %(high)s (%(high_index)s out of 100) and least on "
                              "%(low)s (%(low_index)s).", high=labels[high.theme], high_index=_num(high.mean),
                              low=labels[low.theme], low_index=_num(low.mean)))
    return sentences, table


def _signed(delta: float) -> str:
    text = _num(abs(delta))
    return "0" if text == "0" else ("+" if delta > 0 else "−") + text


def _change_sentence(label: str, delta: float, n_before: int, n_now: int, previous: str) -> str:
    """The change of one index since the previous round, over the authorities that answered both rounds: how
    many of them have the index in each round (one may have answered none of a theme's items once)."""
    if n_before == n_now:
        among = ngettext("for the %(num)s authority that answered both rounds",
                         "for the %(num)s authorities that answered both rounds", n_now)
    else:
        among = _("for the authorities that answered both rounds (%(before)s with this index then, %(now)s now)",
                  before=n_before, now=n_now)
    if abs(delta) < SMALL_CHANGE:
        return _("%(theme)s: about the same as in “%(round)s” (%(change)s points), %(among)s.",
                 theme=label, round=previous, change=_signed(delta), among=among)
    if delta > 0:
        return _("%(theme)s: up %(change)s points since “%(round)s”, %(among)s.",
                 theme=label, round=previous, change=_num(delta), among=among)
    return _("%(theme)s: down %(change)s points since “%(round)s”, %(among)s.",
             theme=label, round=previous, change=_num(-delta), among=among)


def items(round_: Round, definition: Definition, lang: str, min_n: int) -> list[str]:
    """The agreement items most and least agreed with, by mean score (items under ``min_n`` scores left out)."""
    candidates = [i for s in definition.sections for i in s.items
                  if i.kind.chart == "distribution" and i.theme in definition.scored_themes and i.scale == AGREEMENT]
    if not candidates:
        return []
    dists = aggregate.distributions(round_, [i.code for i in candidates], aggregate.Filters(), min_n)
    ranked = sorted((i for i in candidates if dists[i.code].n), key=lambda i: (-dists[i.code].mean, i.code))
    if len(ranked) < 2:
        return [_("Too few answers to rank the statements yet.")]
    scale = dict(definition.scale_labels(AGREEMENT, lang))
    named = min(ITEMS_NAMED, len(ranked) // 2)

    def line(item):
        d = dists[item.code]
        return _("“%(text)s” (%(code)s): %(mean)s out of 5, n = %(n)s", text=item.text.get(lang), code=item.code,
                 mean=_num(d.mean, 1), n=d.n)

    return [
        _("Scores run from 1 (“%(low)s”) to 5 (“%(high)s”).", low=scale[1], high=scale[5]),
        _("Most agreed with: %(items)s.", items=LIST_SEPARATORS.get(lang, "; ").join(line(i) for i in ranked[:named])),
        _("Least agreed with: %(items)s.",
          items=LIST_SEPARATORS.get(lang, "; ").join(line(i) for i in reversed(ranked[-named:]))),
    ]


def reciprocity(round_: Round, definition: Definition, lang: str) -> list[str]:
    """How many partnerships both sides answered, and the widest gaps: on which theme, and what it means there."""
    comparisons = aggregate.partnership_comparisons(round_)
    if not comparisons:
        return [_("No partnership has both sides' answers yet: gaps between partners cannot be read.")]
    labels = {t: definition.theme_label(t, lang) for t in definition.scored_themes}
    theme_gaps = gaps.theme_gaps(definition)
    sentences = [ngettext("%(num)s partnership has both sides' answers.",
                          "%(num)s partnerships have both sides' answers.", len(comparisons))]
    widest = sorted(((c, *_widest_gap(c)) for c in comparisons if c.gaps),
                    key=lambda found: (-found[2], -found[0].gaps[found[1]], found[0].home_name))[:PARTNERSHIPS_NAMED]
    if widest:
        sentences.append(_("The widest gaps between partners (0 to 100 points):"))
    for c, theme, gap in widest:
        sentences.append(_("%(home)s – %(partner)s: %(gap)s points on %(theme)s (%(home)s %(home_index)s, "
                           "%(partner)s %(partner_index)s): %(meaning)s",
                           home=c.home_name, partner=c.partner_name, gap=_num(gap), theme=labels[theme],
                           home_index=_num(c.home[theme]), partner_index=_num(c.partner[theme]),
                           meaning=_gap_meaning(theme_gaps[theme])))
    return sentences


def _widest_gap(comparison) -> tuple[str, int]:
    """A partnership's widest gap: its theme, and the gap between the two indices as the sentence shows them
    (rounded first, so that the reader's subtraction gives the gap printed)."""
    def shown(theme):
        return abs(round(comparison.home[theme]) - round(comparison.partner[theme]))
    theme = max(comparison.gaps, key=lambda t: (shown(t), comparison.gaps[t], t))
    return theme, shown(theme)


def _gap_meaning(theme: gaps.ThemeGaps) -> str:
    """What a theme's gap means, as the end of a sentence."""
    if theme.meaning == gaps.RELATIONSHIP:
        return _("the two partners see the relationship they share differently.")
    if theme.meaning == gaps.TERRITORY:
        return _("the partnership benefits one territory more than the other; it is not a disagreement.")
    if theme.mixed:
        return _("partly a disagreement about the relationship, partly unequal benefits (the partnership's report "
                 "tells them apart item by item).")
    return _("the questionnaire does not say what this gap means.")


def selected_stories(round_: Round, definition: Definition, anonymous: bool) -> list[Story]:
    """The stories the organisers selected (Most Significant Change), with their authority unless ``anonymous``."""
    codes = [i.code for s in definition.sections for i in s.items if i.kind.free_text and i.kind.narrative]
    return [Story(s.text, None if anonymous else f"{s.authority} ({SIDE_LABELS.get(s.side, s.side)})")
            for s in aggregate.text_answers(round_, codes, selected_only=True)]
