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


def _name(country, lang: str) -> str:
    # The common name reads better than the official one ("Bolivie", not "Bolivie, l'État plurinational de").
    base = getattr(country, "common_name", None) or country.name
    return _translation(lang).gettext(base)


@cache
def country_choices(lang: str) -> list[tuple[str, str]]:
    """(alpha-2 code, name) pairs sorted by name in ``lang``."""
    pairs = [(c.alpha_2, _name(c, lang)) for c in pycountry.countries]
    return sorted(pairs, key=lambda pair: fold(pair[1]))


def country_name(code: str, lang: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return _name(country, lang) if country else code


def fold(text: str) -> str:
    """Lowercase without accents, for matching what people type ("Sénégal" = "senegal")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _lookup() -> dict[str, str]:
    table = {}
    for country in pycountry.countries:
        names = [country.alpha_2, country.alpha_3, country.name, getattr(country, "common_name", ""),
                 getattr(country, "official_name", "")]
        names += [_translation("fr").gettext(n) for n in names[2:] if n]
        for name in names:
            if name:
                table[fold(name)] = country.alpha_2
    return table


def country_code(text: str) -> str | None:
    """The alpha-2 code of a code or a name in French or English, or None."""
    return _lookup().get(fold(text))
