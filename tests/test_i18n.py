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


def test_counts_in_sentences_are_written_as_each_language_writes_numbers(app):
    """"Invite 5,200 authorities" / "Inviter 5 200 collectivités", in pages and in messages from the code;
    what is put into a page's sentence is escaped, and a text e-mail's is not."""
    from flask import render_template_string
    from flask_babel import force_locale

    from evalapp.i18n import ngettext

    sentence = '{{ ngettext("Invite %(num)s authority", "Invite %(num)s authorities", n) }}'
    with app.test_request_context():
        with force_locale("en_GB"):
            assert render_template_string(sentence, n=5200) == "Invite 5,200 authorities"
            assert render_template_string(sentence, n=1) == "Invite 1 authority"
            assert ngettext("%(num)s row imported.", "%(num)s rows imported.", 12500) == "12,500 rows imported."
            escaped = '{{ ngettext("%(num)s of %(name)s", "%(num)s of %(name)s", 2, name=name) }}'
            assert render_template_string(escaped, name="<b>") == "2 of &lt;b&gt;"
            assert app.jinja_env.overlay(autoescape=False).from_string(escaped).render(name="A & B") == "2 of A & B"
        with force_locale("fr_FR"):
            assert render_template_string(sentence, n=5200) == "Inviter 5\u202f200 collectivités"


def test_no_interface_string_is_translated_inside_an_f_string():
    """Babel's extractor does not look into f-strings: a _("...") there is never in the catalogue, and the page
    shows it in English whatever the language (the conflict notice of a respondent's page once did)."""
    import io
    import re
    import tokenize

    inside = re.compile(r"\{[^{}]*\b(_|_l|gettext|ngettext|lazy_gettext)\(")
    found = []
    for path in (Path(__file__).parent.parent / "evalapp").rglob("*.py"):
        for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            prefix = re.match(r"[a-zA-Z]*", token.string).group(0).lower()
            if token.type == tokenize.STRING and "f" in prefix and inside.search(token.string):
                found.append(f"{path.name}:{token.start[0]}")
    assert found == []
