"""French by default, English on request, the choice remembered; no untranslated string."""
from pathlib import Path

from babel.messages.pofile import read_po

from tests.respond.helpers import csrf_token

CATALOGUE = Path(__file__).parent.parent / "evalapp" / "translations"


def read_catalogue(path):
    with path.open("rb") as f:
        return read_po(f)


def test_french_catalogue_translates_every_interface_string():
    template = read_catalogue(CATALOGUE / "messages.pot")
    french = read_catalogue(CATALOGUE / "fr" / "LC_MESSAGES" / "messages.po")
    ids = {m.id for m in template if m.id}
    translated = {m.id for m in french if m.id and not m.fuzzy
                  and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    assert ids - translated == set(), "untranslated: run `make messages` and translate"


def test_catalogue_template_is_up_to_date(tmp_path):
    """Every string in the code is in messages.pot: `make messages` was run after the last change."""
    from babel.messages.frontend import CommandLineInterface

    root = Path(__file__).parent.parent
    out = tmp_path / "fresh.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "--ignore-dirs", ".*", "-F", str(root / "babel.cfg"), "-k", "_l",
        "-o", str(out), str(root / "evalapp"), str(root / "templates"),
    ])
    fresh = {m.id for m in read_catalogue(out) if m.id}
    current = {m.id for m in read_catalogue(CATALOGUE / "messages.pot") if m.id}
    assert fresh - current == set()


def test_pages_are_french_by_default_and_english_on_request(client):
    page = client.get("/")
    assert '<html lang="fr">' in page.text and "Évaluer l'action internationale" in page.text.replace("&#39;", "'")
    response = client.post("/language", data={"csrf_token": csrf_token(page.text), "lang": "en", "next": "/"})
    assert response.status_code == 303 and response.location == "/"
    page = client.get("/")
    assert '<html lang="en">' in page.text and "Evaluating the international action" in page.text


def test_language_switch_needs_csrf_and_never_redirects_off_site(client):
    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 400
    token = csrf_token(client.get("/").text)
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post("/language", data={"csrf_token": token, "lang": "en", "next": target})
        assert response.location == "/"


def test_unknown_language_is_ignored(client):
    token = csrf_token(client.get("/").text)
    client.post("/language", data={"csrf_token": token, "lang": "de", "next": "/"})
    assert '<html lang="fr">' in client.get("/").text
