"""Importing authorities and partnerships from CSV as Excel saves it: all or nothing."""
import io

import pytest
from sqlalchemy import func, select

from evalapp.extensions import db
from evalapp.models import Authority, Partnership
from tests.respond.helpers import csrf_token

FRENCH_EXCEL = (
    "nom;type;pays;région;population;langue;courriel\r\n"
    "Ville de Chambéry;Commune;France;Auvergne-Rhône-Alpes;60 000;fr;international@chambery.example\r\n"
    "Commune de Ouahigouya;foreign_municipality;BF;Nord;120000;fr;\r\n"
    "Województwo Wielkopolskie;Collectivité régionale étrangère;Pologne;Wielkopolska;3500000;anglais;\r\n"
)


def upload(orga, data: bytes, kind="authorities", check_only=False, name="annuaire.csv"):
    page = orga.get("/o/import")
    form = {"csrf_token": csrf_token(page.text), "kind": kind, "file": (io.BytesIO(data), name)}
    if check_only:
        form["check_only"] = "y"
    return orga.post("/o/import", data=form, content_type="multipart/form-data")


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"])
def test_french_excel_file_imports_with_or_without_bom(app, orga, encoding):
    data = FRENCH_EXCEL.encode(encoding, errors="replace") if encoding == "cp1252" else FRENCH_EXCEL.encode(encoding)
    if encoding == "cp1252":
        data = FRENCH_EXCEL.replace("Województwo", "Wojewodztwo").encode("cp1252")
    response = upload(orga, data)
    assert response.status_code == 303, response.text
    with app.app_context():
        chambery = db.session.scalar(select(Authority).where(Authority.name == "Ville de Chambéry"))
        assert (chambery.kind, chambery.country, chambery.population, chambery.region) == (
            "commune", "FR", 60000, "Auvergne-Rhône-Alpes")
        polish = db.session.scalar(select(Authority).where(Authority.country == "PL"))
        assert polish.kind == "foreign_regional" and polish.language == "en"


def test_comma_separated_english_headers_work_too(app, orga):
    data = b"name,type,country\nVille de Nantes,commune,FR\nRufisque,foreign_municipality,Senegal\n"
    assert upload(orga, data).status_code == 303
    assert count(app, Authority) == 2


def test_every_problem_is_reported_by_line_and_column_and_nothing_is_written(app, orga):
    data = (
        "name;type;country;population;email\r\n"
        "Ville de Chambéry;commune;FR;60000;ok@example.org\r\n"
        ";castle;Atlantis;beaucoup;not-an-email\r\n"
        "Ville de Chambéry;commune;FR;;\r\n"
    ).encode("utf-8-sig")
    response = upload(orga, data)
    assert response.status_code == 200
    html = response.text
    assert "6 problèmes : rien n" in html
    for line, column in [(3, "name"), (3, "type"), (3, "country"), (3, "population"), (3, "email"), (4, "name")]:
        assert f"<tr><td>{line}</td><td>{column}</td>" in html, (line, column)
    assert "même collectivité qu" in html
    assert count(app, Authority) == 0


def test_addresses_the_mail_library_cannot_send_to_are_refused(app, orga):
    data = "name;type;country;email\r\nVille de Grenoble;commune;FR;intl@é..example\r\n".encode()
    assert "<tr><td>2</td><td>email</td>" in upload(orga, data).text
    assert count(app, Authority) == 0


def test_a_workbook_or_a_file_with_nul_characters_is_refused_as_not_csv(app, orga):
    for data in (b"name;type;country\r\nVille\x00 de Nantes;commune;FR\r\n", b"PK\x03\x04\x14\x00\x06\x00"):
        response = upload(orga, data)
        assert response.status_code == 200 and "ce n&#39;est pas un fichier CSV" in response.text
    assert count(app, Authority) == 0


def test_missing_and_unknown_columns_are_reported(orga):
    response = upload(orga, b"nom;pays;colour\nA;FR;red\n")
    assert "<tr><td>1</td><td>type</td><td>colonne obligatoire absente" in response.text
    assert "<tr><td>1</td><td>colour</td><td>colonne inconnue" in response.text


def test_check_only_reports_and_writes_nothing(app, orga):
    response = upload(orga, FRENCH_EXCEL.encode("utf-8-sig"), check_only=True)
    assert "Le fichier est valide : 3 lignes" in response.text
    assert count(app, Authority) == 0


def test_partnerships_reference_authorities_by_name(app, orga):
    upload(orga, FRENCH_EXCEL.encode("utf-8-sig"))
    data = ("home_authority;partner_authority;start_year;name\r\n"
            "ville de chambery;Commune de Ouahigouya;1991;Chambéry – Ouahigouya\r\n").encode("utf-8-sig")
    assert upload(orga, data, kind="partnerships").status_code == 303
    with app.app_context():
        pair = db.session.scalar(select(Partnership))
        assert pair.home_authority.name == "Ville de Chambéry" and pair.start_year == 1991
    again = upload(orga, data, kind="partnerships")
    assert "déjà dans l" in again.text and count(app, Partnership) == 1
    bad = "home_authority;partner_authority;start_year\r\nNowhere;Commune de Ouahigouya;l'an dernier\r\n"
    response = upload(orga, bad.encode(), kind="partnerships")
    assert "<tr><td>2</td><td>home_authority</td>" in response.text
    assert "<tr><td>2</td><td>start_year</td>" in response.text


def test_templates_download_and_import_as_they_are(app, orga):
    for kind in ("authorities", "partnerships"):
        response = orga.get(f"/o/import/{kind}-template.csv")
        assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
        assert response.data.startswith("\ufeff".encode())
        assert upload(orga, response.data, kind=kind).status_code == 303, kind
    assert count(app, Partnership) == 1


def test_the_interface_labels_and_common_names_are_understood(app, orga):
    data = ("nom;type;pays\r\n"
            "Métropole de Lyon;Métropole;France\r\n"
            "Commune de Kaya;Collectivité locale étrangère (municipalité);Burkina Faso\r\n"
            "Oblast de Moscou;Foreign regional authority;Russie\r\n"
            "Ville de Bouaké;Commune étrangère;Côte d’Ivoire\r\n").encode("utf-8-sig")
    assert upload(orga, data).status_code == 303
    with app.app_context():
        kinds = dict(db.session.execute(select(Authority.name, Authority.kind)).all())
        countries = dict(db.session.execute(select(Authority.name, Authority.country)).all())
    assert kinds == {"Métropole de Lyon": "intercommunalite", "Commune de Kaya": "foreign_municipality",
                     "Oblast de Moscou": "foreign_regional", "Ville de Bouaké": "foreign_municipality"}
    assert countries["Ville de Bouaké"] == "CI" and countries["Oblast de Moscou"] == "RU"


def test_the_report_names_columns_as_the_file_does(orga):
    response = upload(orga, b"nom;type;pays\r\n;commune;Atlantide\r\n")
    assert "<tr><td>2</td><td>nom</td>" in response.text and "<tr><td>2</td><td>pays</td>" in response.text


def test_a_header_without_rows_is_reported(orga):
    assert "aucune ligne de données" in upload(orga, b"nom;type;pays\r\n").text


# --- Encodings: every file imports with its own characters, or is refused naming the line -------

#: French as people type it: accents, œ, « », the typographic apostrophe, capitals with accents.
FRENCH_NAMES = [
    ("Ville de Saint-Étienne", "Commune", "France", "Auvergne-Rhône-Alpes"),
    ("Région Île-de-France", "Région", "France", "Île-de-France"),
    ("Communauté d’agglomération « Cœur d’Essonne »", "Intercommunalité", "France", "Île-de-France"),
    ("Ville de Besançon", "commune", "FR", "Bourgogne-Franche-Comté"),
    ("Commune de Ouahigouya", "Collectivité locale étrangère", "Burkina Faso", "Nord"),
    ("Conseil départemental de l’Hérault", "Département", "France", "Occitanie"),
]


def french_file(delimiter=";", newline="\r\n", names=FRENCH_NAMES):
    lines = [delimiter.join(["nom", "type", "pays", "région"])] + [delimiter.join(row) for row in names]
    return newline.join(lines) + newline


def stored_names(app):
    with app.app_context():
        return sorted(db.session.scalars(select(Authority.name)))


def problems(html):
    """The report's rows: (line, column, problem), as the page shows them."""
    import re
    from html import unescape

    return [tuple(unescape(cell) for cell in row)
            for row in re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>", html, re.S)]


@pytest.mark.parametrize("encoding, delimiter, newline, shown", [
    ("utf-8", ";", "\r\n", "UTF-8"),
    ("utf-8-sig", ",", "\n", "UTF-8"),
    # Excel's "Unicode text": UTF-16 with a BOM, tab-separated.
    ("utf-16", "\t", "\r\n", "UTF-16"),
    # Old Mac Excel: Mac Roman, lines ended by a carriage return alone.
    ("mac_roman", ";", "\r", "Mac Roman"),
    ("mac_roman", ";", "\r\n", "Mac Roman"),
    # Excel for Windows, "CSV (separator: semicolon)".
    ("cp1252", ";", "\r\n", "Windows-1252"),
])
def test_french_text_imports_exactly_from_every_encoding_a_spreadsheet_saves(app, orga, encoding, delimiter, newline,
                                                                              shown):
    data = french_file(delimiter, newline).encode(encoding)
    check = upload(orga, data, check_only=True)
    assert "Le fichier est valide : 6 lignes" in check.text, problems(check.text)
    assert f"lu en {shown}" in check.text
    response = upload(orga, data)
    assert response.status_code == 303
    assert stored_names(app) == sorted(row[0] for row in FRENCH_NAMES)
    with app.app_context():
        regions = set(db.session.scalars(select(Authority.region)))
    assert regions == {row[3] for row in FRENCH_NAMES}


def test_a_latin_1_file_imports_exactly(app, orga):
    names = [row for row in FRENCH_NAMES if not set("œ’") & set("".join(row))]  # Latin-1 has neither
    assert len(names) == 4
    assert upload(orga, french_file(names=names).encode("latin-1")).status_code == 303
    assert stored_names(app) == sorted(row[0] for row in names)


@pytest.mark.parametrize("odd_lines, rest, other, said", [
    ([3, 6], "utf-8", "cp1252", "n'est pas dans le même encodage que le reste du fichier (UTF-8)"),
    ([2], "utf-8", "mac_roman", "n'est pas dans le même encodage que le reste du fichier (UTF-8)"),
    ([4], "cp1252", "utf-8", "est en UTF-8, contrairement au reste du fichier"),
])
def test_a_file_pasted_together_from_two_encodings_is_refused_naming_the_odd_lines(app, orga, odd_lines, rest, other,
                                                                                    said):
    lines = french_file().split("\r\n")[:-1]
    data = b"".join((line + "\r\n").encode(other if n in odd_lines else rest) for n, line in enumerate(lines, 1))
    response = upload(orga, data)
    assert response.status_code == 200 and "rien n'a été importé" in response.text
    reported = problems(response.text)
    assert [int(line) for line, _, _ in reported] == odd_lines
    assert all(said in message and "« CSV UTF-8 »" in message for _, _, message in reported)
    assert count(app, Authority) == 0


@pytest.mark.parametrize("encoding", ["mac_roman", "cp1252"])
def test_a_file_whose_encoding_cannot_be_told_is_refused_with_how_to_save_it(app, orga, encoding):
    # One accented letter: in Windows-1252 and Mac Roman both readings look like text.
    data = "nom;type;pays\r\nVille de Saint-Étienne;commune;FR\r\n".encode(encoding)
    response = upload(orga, data)
    assert response.status_code == 200
    [(line, _, message)] = problems(response.text)
    assert line == "2" and "« CSV UTF-8 »" in message and "Saint-Étienne" in message
    assert count(app, Authority) == 0


# --- Files that are not well-formed CSV: a problem naming the line, never a 500 ----------------

def test_a_value_over_the_csv_limit_is_reported_at_its_line(app, orga):
    data = ("nom;type;pays\r\nVille de Lyon;commune;FR\r\nVille de Nantes;commune;FR;" + "x" * 200_000 + "\r\n").encode()
    response = upload(orga, data)
    assert response.status_code == 200
    [(line, _, message)] = problems(response.text)
    assert line == "3" and "plus de 131\u202f072 caractères" in message
    assert count(app, Authority) == 0


@pytest.mark.parametrize("rows_after", [2, 3000])
def test_a_quote_never_closed_is_reported_at_the_line_it_opens(app, orga, rows_after):
    data = ("nom;type;pays\r\nVille de Lyon;commune;FR\r\n\"Ville de Nantes;commune;FR\r\n"
            + "Ville de Paris;commune;FR\r\n" * rows_after).encode()
    response = upload(orga, data)
    assert response.status_code == 200
    [(line, _, message)] = problems(response.text)
    assert line == "3" and "guillemet ouvert à cette ligne n'est jamais fermé" in message
    assert count(app, Authority) == 0


def test_a_quote_closed_in_the_middle_of_a_value_is_reported_rather_than_dropped(app, orga):
    data = b'nom;type;pays\r\nVille de Lyon;commune;FR\r\n"Ville" de Nantes;commune;FR\r\n'
    [(line, _, message)] = problems(upload(orga, data).text)
    assert line == "3" and "guillemet" in message
    assert count(app, Authority) == 0


def test_values_beyond_the_header_and_repeated_columns_are_reported_rather_than_dropped(app, orga):
    data = "nom;type;pays\r\nVille de Lyon;commune;FR;Rhône\r\nVille de Nantes;commune;FR;;\r\n".encode()
    assert problems(upload(orga, data).text) == [("2", "", "4 valeurs, mais l'en-tête n'a que 3 colonnes")]
    data = b"nom;type;pays;nom\r\nVille de Lyon;commune;FR;Lyon\r\n"
    assert problems(upload(orga, data).text) == [("1", "nom", "colonne en double")]
    assert count(app, Authority) == 0


@pytest.mark.parametrize("data, expected", [
    (b"", "le fichier est vide"),
    (b"\xef\xbb\xbf", "le fichier est vide"),
    (b"\xff\xfe", "le fichier est vide"),
    (b"\r\n\r\n  \r\n", "le fichier est vide"),
    (b"nom;type;pays\r\n", "aucune ligne de données"),
    (b"nom;type;pays\r\n;;\r\n\r\n", "aucune ligne de données"),
    (bytes(range(1, 256)) * 40, "ce n'est pas un fichier CSV"),
    (b"\xff\xfe" + "nom;type;pays\r\n".encode("utf-16-le") + b"\x00\xd8", "UTF-16"),
    (b"nom|type|pays\r\nVille de Lyon|commune|FR\r\n", "séparées par des virgules, des points-virgules"),
    (("nom;type;pays\r\n" + "x" * 100_000 + ";commune;FR\r\n").encode(), "200 caractères au plus"),
])
def test_no_file_makes_the_import_fail(app, orga, data, expected):
    response = upload(orga, data)
    assert response.status_code == 200 and "import-report" in response.text
    assert expected in " ".join(message for _, _, message in problems(response.text)), problems(response.text)
    assert count(app, Authority) == 0
