"""One respondent played over HTTP, from the invitation link to the submission.

``walk(client, base_url, token, side, seed)`` opens the link, chooses a role, answers every
page of the questionnaire with "Next", reviews and submits, as a browser would: each form
is posted with the CSRF token of the page it came from, and redirects are followed. It
returns the answers it gave, as the database should hold them.

The answers come from ``random.Random(seed)``: the same seed gives the same answers, other
seeds other choices, numbers (typed as people write them in the page's language) and
texts (accents, quotes, ``<``, ``=``...), some optional questions left out; always valid
for the questionnaire.

``client`` is anything with the API of ``requests.Session``: ``get(url, timeout=...)``,
``post(url, data=..., timeout=...)``, responses with ``status_code``, ``text`` and ``url``.
So the same walk runs in the tests (over :class:`Session`, the standard library's urllib:
requests is not installed here) and from a locust ``HttpUser`` (``self.client``).
"""
import random
import re
from dataclasses import dataclass
from http.cookiejar import CookieJar
from typing import NamedTuple
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, Request, build_opener

from evalapp.models import RESPONDENT_ROLES
from evalapp.questionnaires import DEFINITIONS_DIR
from evalapp.questionnaires.definition import DONT_KNOW, OTHER, Definition, Item, Section
from evalapp.questionnaires.loader import read_definition
from evalapp.respond.forms import OTHER_MAX_LENGTH, other_field_name

AICT = read_definition(DEFINITIONS_DIR / "aict-v1.yaml")
#: Seconds one request may take before the walk gives up.
REQUEST_TIMEOUT = 15
#: How often an optional question (or matrix cell) is left unanswered.
SKIPPED = 0.15

#: What texts are made of: accents, quotes, markup, formulas, other scripts, an emoji.
WORDS = (
    "jumelage", "coopération", "décentralisée", "élu·es", "Saint-Étienne", "Ouagadougou", "Œuvre", "ça",
    "naïveté", "Straße", "Łódź", "Ærø", "北京", "😀", "—", "…", "« eau potable »", "l'école",
    "aujourd'hui", '"guillemets"', "a < b", "b > a", "x=1", "=SOMME(A1:A3)", "+33 1 23", "-5", "@maire",
    "&", "&amp;", "<b>gras</b>", "<script>alert('x')</script>", "50 %", "10 €", "; ,", "\\n",
)


@dataclass(frozen=True)
class Answers:
    """What one respondent gives: a role, and item (or matrix cell) code → value as stored.

    Values: 1–5 or ``"dk"`` (scales, matrix cells), an option code (single choice), the sorted
    option codes (multiple choice), a number, a text; ``CODE__other`` → the text of "other".
    """

    role: str
    values: dict


class WalkError(Exception):
    """A page answered something other than what a respondent going forward should see."""


def choose_answers(seed: int, side: str = "home", definition: Definition = AICT) -> Answers:
    """The role and answers of respondent ``seed`` on ``side``: deterministic, varied, valid."""
    rng = random.Random(seed)
    role = rng.choice(sorted(RESPONDENT_ROLES))
    values = {}
    for section in definition.sections_for(side):
        for item in section.items_for(side):
            if item.required or rng.random() >= SKIPPED:
                values.update(_answer(item, rng))
    return Answers(role, values)


def _answer(item: Item, rng: random.Random) -> dict:
    if item.type == "scale":
        return {item.code: _scale(rng)}
    if item.type == "matrix":
        return {cell.code: _scale(rng) for cell in item.cells if rng.random() >= SKIPPED}
    if item.type == "number":
        return {item.code: _number(item, rng)}
    if item.type in ("short_text", "long_text"):
        return {item.code: _text(rng, item.text_limit, paragraphs=item.type == "long_text")}
    pool = [o.code for o in item.options if not o.exclusive] + ([OTHER] if item.other else [])
    if item.type == "single":
        chosen = rng.choice(pool)
        answer = {item.code: chosen}
    else:
        exclusive = [o.code for o in item.options if o.exclusive]
        if exclusive and rng.random() < 0.15:
            chosen = [rng.choice(exclusive)]
        else:
            chosen = sorted(rng.sample(pool, rng.randint(1, len(pool))))
        answer = {item.code: chosen}
    if OTHER in chosen:
        answer[other_field_name(item)] = _text(rng, OTHER_MAX_LENGTH)
    return answer


def _scale(rng: random.Random) -> int | str:
    return DONT_KNOW if rng.random() < 0.1 else rng.randint(1, 5)


def _number(item: Item, rng: random.Random) -> int | float:
    if rng.random() < 0.1:
        return int(rng.choice((item.min, item.max)))
    if item.integer:
        return rng.randint(int(item.min), int(item.max))
    return round(rng.uniform(item.min, item.max), rng.choice((1, 2)))


def _text(rng: random.Random, limit: int, paragraphs: bool = False) -> str:
    """A few words (lines of them in long texts); one text in twenty exactly ``limit`` characters long."""
    separators = (" ",) * 8 + ("\r\n",) * paragraphs
    at_limit = rng.random() < 0.05
    words = rng.randint(1, 80 if paragraphs else 10)
    text = rng.choice(WORDS)
    while len(text) < limit and (at_limit or len(text.split()) < words):
        text += rng.choice(separators) + rng.choice(WORDS)
    text = text[:limit]
    # Stored text is stripped: no space at either end, so that what is sent is what is kept.
    return text[:-1] + "x" if text[-1].isspace() else text


def type_number(value: int | float, lang: str, rng: random.Random) -> str:
    """A number as someone writes it on a page in ``lang``: 12500, 12 500 or 2,5 in French; 12,500 or 2.5 in English."""
    text = f"{value:,}" if rng.random() < 0.5 else str(value)
    if lang == "fr":
        text = text.replace(",", rng.choice((" ", "\u00a0", "\u202f"))).replace(".", ",")
    return text


def form_data(section: Section, side: str, answers: Answers, lang: str, rng: random.Random) -> dict:
    """The form fields of ``section`` that carry ``answers``, typed for a page in ``lang``."""
    data = {}
    for item in section.items_for(side):
        codes = item.answer_codes + ([other_field_name(item)] if item.other else [])
        for code in (c for c in codes if c in answers.values):
            value = answers.values[code]
            if item.type == "number":
                data[code] = type_number(value, lang, rng)
            else:
                data[code] = value if isinstance(value, list) else str(value)
    return data


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if match is None:
        raise WalkError("no CSRF token in the page")
    return match.group(1)


def page_lang(html: str) -> str:
    match = re.search(r'name="page_lang" value="(\w+)"', html)
    if match is None:
        raise WalkError("no page_lang in the page")
    return match.group(1)


def walk(client, base_url: str, token: str, side: str = "home", seed: int = 0,
         timeout: float = REQUEST_TIMEOUT, definition: Definition = AICT) -> Answers:
    """Answer invitation ``token`` from its link to its submission; return the answers given.

    Raise :class:`WalkError` as soon as a page answers anything but 200 where the respondent
    should be (after redirects).
    """
    answers = choose_answers(seed, side, definition)
    typing = random.Random(f"typing-{seed}")
    link = f"{base_url.rstrip('/')}/r/{token}"
    sections = definition.sections_for(side)
    destinations = [f"{link}/p/{s.code}" for s in sections] + [f"{link}/review"]

    page = _checked(client.get(link, timeout=timeout), "GET", link, link)
    page = _post(client, f"{link}/start", {"csrf_token": csrf_token(page.text), "respondent_role": answers.role},
                 destinations[0], timeout)
    for section, destination in zip(sections, destinations[1:], strict=True):
        lang = page_lang(page.text)
        data = {"csrf_token": csrf_token(page.text), "page_lang": lang, "action": "next",
                **form_data(section, side, answers, lang, typing)}
        page = _post(client, f"{link}/p/{section.code}", data, destination, timeout)
    _post(client, f"{link}/submit", {"csrf_token": csrf_token(page.text)}, link, timeout)
    return answers


def _post(client, url: str, data: dict, destination: str, timeout: float):
    return _checked(client.post(url, data=data, timeout=timeout), "POST", url, destination)


def _checked(response, method: str, url: str, destination: str):
    """``response`` if it is a 200 at ``destination``, else a WalkError saying what came instead."""
    if response.status_code == 200 and urlsplit(response.url).path == urlsplit(destination).path:
        return response
    message = (f"{method} {urlsplit(url).path} answered {response.status_code} at {urlsplit(response.url).path}"
               f" instead of 200 at {urlsplit(destination).path}")
    errors = [re.sub(r"<[^>]+>|\s+", " ", e).strip()
              for e in re.findall(r'class="field-error"[^>]*>(.*?)</p>', response.text, re.S)]
    raise WalkError(message + (f"; errors: {' | '.join(errors)}" if errors else ""))


class Reply(NamedTuple):
    status_code: int
    text: str
    url: str


class Session:
    """The part of ``requests.Session`` the walk uses, over urllib: cookies kept, redirects followed."""

    def __init__(self):
        self._opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def get(self, url: str, timeout: float = REQUEST_TIMEOUT) -> Reply:
        return self._open(Request(url), timeout)

    def post(self, url: str, data: dict | None = None, timeout: float = REQUEST_TIMEOUT) -> Reply:
        return self._open(Request(url, data=urlencode(data or {}, doseq=True).encode()), timeout)

    def _open(self, request: Request, timeout: float) -> Reply:
        try:
            with self._opener.open(request, timeout=timeout) as response:
                return Reply(response.status, response.read().decode(), response.url)
        except HTTPError as error:
            with error:
                return Reply(error.code, error.read().decode(errors="replace"), error.url)
