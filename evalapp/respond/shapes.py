"""A questionnaire page drawn once per shape, then filled in for each response.

Nearly all of a section's page is the same for every respondent who sees it: its texts, choices,
layout and navigation depend only on the page's *shape* — the questionnaire version, the section,
the side, the language, and which sections and items are asked. What belongs to one response is
little: its link's token, the round's and the authority's names, the form's token, and the answers
saved (an option ticked, a text typed) with their fingerprints.

The first GET of a shape renders the page's template with *slots* in place of all that; the HTML is
split at the slots and kept, in this process (a bounded number of shapes: a cache of what the
questionnaire's immutable versions draw, which no other process needs). Each later GET of the shape
joins the kept text with the response's own values, escaped as the template escapes them: a join of
strings instead of a template's rendering and a form's construction, which took most of the page's
time. A page that differs in anything else (a message waiting in the session, the required
answers marked after ``?check``, the focus asked by the review page, errors) is rendered in full.

Nothing kept belongs to a respondent: the shape is drawn with stand-ins for the invitation and the
response that hold only slots and refuse any other attribute, so a template that starts showing
more of a respondent fails when drawing the shape instead of showing one respondent's data to
another. ``KEEP_PAGE_SHAPES = False`` renders every page in full (tests compare the two).
"""
from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import partial

from flask import current_app, render_template, request, session
from markupsafe import escape
from wtforms import SelectMultipleField

from evalapp.questionnaires.types.html import Page

#: How many shapes a process keeps (a questionnaire version has a few dozen: sections × sides × languages).
KEEP = 256


@dataclass(frozen=True)
class Filling:
    """What one response puts in the slots of a page's shape."""

    token: str
    round_title: str
    authority_name: str
    form_token: str
    loaded: str
    #: The saved answers, shaped as the page's form data.
    data: dict


Fill = Callable[[Filling], str]


class Slots:
    """The slots of a shape being drawn: each stands in the HTML for a value of the response."""

    def __init__(self):
        # A marker no text of a questionnaire can hold by chance, made of letters and digits only,
        # so that escaping and URL quoting leave it as it is.
        self._marker = f"slot{secrets.token_hex(8)}n"
        self._fills: list[Fill] = []

    def slot(self, fill: Fill) -> str:
        self._fills.append(fill)
        return f"{self._marker}{len(self._fills) - 1}n"

    def checked(self, field, value: str) -> str:
        """' checked' on an option of ``field`` when the response chose ``value`` (as WTForms decides it)."""
        name, coerce = field.name, field.coerce
        value = coerce(value)
        if isinstance(field, SelectMultipleField):
            def fill(filling: Filling) -> str:
                data = filling.data.get(name)
                return " checked" if data is not None and value in [coerce(v) for v in data] else ""
        else:
            def fill(filling: Filling) -> str:
                data = filling.data.get(name)
                return " checked" if data is not None and coerce(data) == value else ""
        return self.slot(fill)

    def shown(self, field, show: Callable[[object], str]) -> str:
        """The text showing the response's answer to ``field``: ``show(its data)``, escaped."""
        name = field.name
        return self.slot(lambda filling: escape(show(filling.data.get(name))))

    def split(self, html: str) -> Shape:
        parts = re.split(f"{self._marker}(\\d+)n", html)
        return Shape(tuple(parts[0::2]), tuple(self._fills[int(n)] for n in parts[1::2]))


@dataclass(frozen=True)
class Shape:
    """A page's HTML with its slots: ``texts`` around ``fills``, one fewer fill than texts."""

    texts: tuple[str, ...]
    fills: tuple[Fill, ...]

    def fill(self, filling: Filling) -> str:
        parts = [self.texts[0]]
        for fill, text in zip(self.fills, self.texts[1:], strict=True):
            parts.append(fill(filling))
            parts.append(text)
        return "".join(parts)


class UndeclaredInShape(Exception):
    """A template read something of a respondent that a page's shape has no slot for."""


class StandIn:
    """The invitation (or its round, authority, response) as a page drawn from its shape reads it: the
    values declared, and nothing else (its slots, while the shape is drawn; respond/reading.py's
    values, while the view decides which shape)."""

    def __init__(self, what: str, **values):
        self.__dict__.update(values)
        self._what = what

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        # Not an AttributeError, which Jinja would turn into an empty value.
        raise UndeclaredInShape(f"{self._what}.{name} is not read for a page drawn from its shape "
                                "(evalapp/respond/shapes.py, reading.py): declare it, or draw that page in full")


_kept: dict[Hashable, Shape] = {}
_keeping = threading.Lock()


def shape_of(key: Hashable, draw: Callable[[Slots], str]) -> Shape:
    """The shape kept under ``key``, drawn by ``draw`` the first time."""
    shape = _kept.get(key)
    if shape is None:
        slots = Slots()
        shape = slots.split(draw(slots))
        with _keeping:
            if len(_kept) >= KEEP:
                # The oldest goes first.
                _kept.pop(next(iter(_kept)), None)
            _kept[key] = shape
    return shape


def drawn_alike() -> bool:
    """Whether this GET draws the page as its shape does (nothing waiting in the session, nothing asked in the address)."""
    return (current_app.config["KEEP_PAGE_SHAPES"] and not request.args.get("check")
            and not request.args.get("focus") and "_flashes" not in session)


def section_page(invitation, context: dict, form: Callable[[], object], filling: Filling) -> str:
    """A section's page for ``invitation``, from its kept shape.

    ``context`` is the template's context without the response's own values (it makes the shape:
    every value in it is part of the key); ``form()`` builds the page's form, without answers.
    """
    key = ("respond/section.html", invitation.round.questionnaire_version.checksum, request.script_root,
           *((name, _hashable(value)) for name, value in sorted(context.items())))

    def draw(slots: Slots) -> str:
        drawn_form = form()
        drawn_form.csrf_token.current_token = slots.slot(lambda f: f.form_token)
        stand_in = StandIn(
            "invitation", token=slots.slot(lambda f: f.token),
            round=StandIn("round", title=slots.slot(lambda f: escape(f.round_title))),
            authority=StandIn("authority", name=slots.slot(lambda f: escape(f.authority_name))))
        return render_template("respond/section.html", **context, form=drawn_form, invitation=stand_in,
                               response=StandIn("response"), loaded=slots.slot(lambda f: escape(f.loaded)),
                               conflicts={}, focus=None, question_page=partial(Page, slots=slots))

    return shape_of(key, draw).fill(filling)


def _hashable(value):
    """A context value as part of a key: sections and items by their codes (they belong to the version)."""
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    code = getattr(value, "code", None)
    if code is not None and not isinstance(value, (str, int)):
        return ("code", type(value).__name__, code)
    return value
