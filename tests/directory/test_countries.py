"""Country names as people read them, in French and English."""
import pytest

from evalapp.directory.countries import countries_by_name, country_choices, country_name


def test_countries_are_sorted_by_name_accents_aside():
    assert countries_by_name(["BF", "BJ", "DE", "BF"], "fr") == [
        ("DE", "Allemagne"), ("BJ", "Bénin"), ("BF", "Burkina Faso")]
    assert [code for code, _ in countries_by_name(["BF", "BJ", "DE"], "en")] == ["BJ", "BF", "DE"]


@pytest.mark.parametrize("code, lang, name", [
    ("RU", "fr", "Fédération de Russie"),  # ISO's "Russie, Fédération de", turned back
    ("AX", "fr", "Îles Åland"),
    ("SH", "fr", "Sainte-Hélène, Ascension et Tristan da Cunha"),  # a list of places, left in its order
    ("BQ", "fr", "Bonaire, Saint-Eustache et Saba"),
    ("BQ", "en", "Bonaire, Sint Eustatius and Saba"),
    ("VI", "fr", "Îles Vierges des États-Unis"),
    ("FK", "fr", "Îles Malouines (Falkland)"),
    ("VG", "en", "British Virgin Islands"),
    ("CD", "en", "Democratic Republic of the Congo"),  # not "The Democratic…", listed under T
])
def test_a_countrys_name_reads_in_order(code, lang, name):
    assert country_name(code, lang) == name


def test_the_list_offers_every_country_once_with_its_name():
    choices = dict(country_choices("fr"))
    assert choices["SH"] == "Sainte-Hélène, Ascension et Tristan da Cunha" and choices["FR"] == "France"
    assert len(set(choices.values())) == len(choices)
