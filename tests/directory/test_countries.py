"""Country names as people read them, in French and English."""
from evalapp.directory.countries import countries_by_name


def test_countries_are_sorted_by_name_accents_aside():
    assert countries_by_name(["BF", "BJ", "DE", "BF"], "fr") == [
        ("DE", "Allemagne"), ("BJ", "Bénin"), ("BF", "Burkina Faso")]
    assert [code for code, _ in countries_by_name(["BF", "BJ", "DE"], "en")] == ["BJ", "BF", "DE"]
