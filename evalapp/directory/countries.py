"""ISO 3166-1 countries with their names in French and English (from pycountry)."""
import gettext
import unicodedata
from functools import cache

import pycountry


@cache
def _translation(lang: str):
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


#: Names the ISO lists write in an order that cannot be turned back by rule, by (code, language).
READING_ORDER = {("VI", "fr"): "Îles Vierges des États-Unis", ("FK", "fr"): "Îles Malouines (Falkland)",
                 ("CD", "en"): "Democratic Republic of the Congo"}


def _name(country, lang: str) -> str:
    if (country.alpha_2, lang) in READING_ORDER:
        return READING_ORDER[country.alpha_2, lang]
    # The common name reads better than the official one ("Bolivie", not "Bolivie, l'État plurinational de").
    base = getattr(country, "common_name", None) or country.name
    return _natural_order(_translation(lang).gettext(base))


def _natural_order(name: str) -> str:
    """ISO lists invert some names ("Russie, Fédération de"); put them back in reading order. A list of places
    ("Bonaire, Saint-Eustache et Saba") is already in it."""
    if ", " not in name:
        return name
    head, tail = name.split(", ", 1)
    if " et " in tail or " and " in tail:
        return name
    return f"{tail}{head}" if tail.endswith("'") else f"{tail} {head}"


@cache
def country_choices(lang: str) -> list[tuple[str, str]]:
    """(alpha-2 code, name) pairs sorted by name in ``lang``."""
    pairs = [(c.alpha_2, _name(c, lang)) for c in pycountry.countries]
    return sorted(pairs, key=lambda pair: fold(pair[1]))


def countries_by_name(codes, lang: str) -> list[tuple[str, str]]:
    """(code, name) of the given countries, sorted by name as people read them ("Bénin" before "Burkina Faso")."""
    return sorted(((code, country_name(code, lang)) for code in set(codes)), key=lambda pair: fold(pair[1]))


def country_name(code: str, lang: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return _name(country, lang) if country else code


def fold(text: str) -> str:
    """Lowercase, without accents, apostrophes or hyphens, for matching what people type
    ("Sénégal" = "senegal", "Côte d’Ivoire" = "cote d'ivoire" = "Cote-d-Ivoire")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    for mark in ("’", "'", "-", "‐", ",", "."):
        plain = plain.replace(mark, " ")
    return " ".join(plain.split())


#: Names people use that ISO 3166 spells otherwise.
ALIASES = {
    "palestine": "PS", "russie": "RU", "russia": "RU", "royaume uni": "GB", "uk": "GB", "angleterre": "GB",
    "rdc": "CD", "drc": "CD", "republique democratique du congo": "CD", "congo brazzaville": "CG",
    "etats unis": "US", "usa": "US", "coree du sud": "KR", "south korea": "KR", "vietnam": "VN", "iran": "IR",
    "syrie": "SY", "syria": "SY", "bolivie": "BO", "venezuela": "VE", "tanzanie": "TZ", "laos": "LA",
    "moldavie": "MD", "taiwan": "TW", "cap vert": "CV", "turquie": "TR", "turkey": "TR",
}


@cache
def _lookup() -> dict[str, str]:
    table = {}
    for country in pycountry.countries:
        names = [country.alpha_2, country.alpha_3, country.name, getattr(country, "common_name", ""),
                 getattr(country, "official_name", "")]
        names += [_translation("fr").gettext(n) for n in names[2:] if n]
        names.append(_name(country, "fr"))
        for name in names:
            if name:
                table[fold(name)] = country.alpha_2
    table.update(ALIASES)
    return table


def countries_named_like(text: str) -> list[str]:
    """Codes of the countries whose name (French or English) contains ``text``, for searches."""
    folded = fold(text)
    if len(folded) < 3:
        return []
    return sorted({code for name, code in _lookup().items() if folded in name and len(name) > 3})


def country_code(text: str) -> str | None:
    """The alpha-2 code of a code or a name in French or English, or None."""
    return _lookup().get(fold(text))
