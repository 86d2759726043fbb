"""Loading definition files: validation messages, idempotence, versions never rewritten."""
import json
import textwrap

import pytest
from sqlalchemy import func, select

from evalapp.extensions import db
from evalapp.models import QuestionnaireItem, QuestionnaireVersion
from evalapp.questionnaires import DEFINITIONS_DIR
from evalapp.questionnaires.loader import DefinitionError, load_all, read_definition

MINIMAL = """\
code: mini
version: 1
title: {fr: "Mini", en: "Mini"}
estimated_minutes: 2
themes:
  - {code: reciprocity, label: {fr: "Réciprocité", en: "Reciprocity"}}
scales:
  agreement:
    1: {fr: "Non", en: "No"}
    2: {fr: "Plutôt non", en: "Rather no"}
    3: {fr: "Moyen", en: "Middling"}
    4: {fr: "Plutôt oui", en: "Rather yes"}
    5: {fr: "Oui", en: "Yes"}
sections:
  - code: reciprocity
    title: {fr: "Réciprocité", en: "Reciprocity"}
    items:
      - code: REC_01
        theme: reciprocity
        type: scale
        scale: agreement
        text: {fr: "Les décisions sont prises ensemble.", en: "Decisions are taken together."}
"""


def write(tmp_path, text, name="mini-v1.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_minimal_file_is_valid(tmp_path):
    definition = read_definition(write(tmp_path, MINIMAL))
    assert definition.code == "mini" and definition.items_by_code["REC_01"].scale == "agreement"


@pytest.mark.parametrize("change, expected", [
    (("scale: agreement\n        text", "scale: likert\n        text"),
     "mini-v1.yaml: item REC_01: scale 'likert' is not among the file's scales"),
    (("type: scale", "type: slider"), "mini-v1.yaml: item REC_01: type: Input should be"),
    (("theme: reciprocity\n        type", "theme: weather\n        type"),
     "mini-v1.yaml: item REC_01: theme 'weather' is not among the file's themes"),
    (('en: "Decisions are taken together."', 'de: "Zusammen."'), "mini-v1.yaml: item REC_01: text.en: Field required"),
    (("code: REC_01", "code: rec one"), "mini-v1.yaml: item rec one: code: String should match pattern"),
    (("type: scale\n        scale: agreement", "type: number"), "mini-v1.yaml: item REC_01: Value error, a number item needs both 'min' and 'max'"),
])
def test_broken_file_is_refused_naming_file_item_and_problem(tmp_path, change, expected):
    old, new = change
    assert old in MINIMAL
    with pytest.raises(DefinitionError) as caught:
        read_definition(write(tmp_path, MINIMAL.replace(old, new)))
    assert expected in str(caught.value)


def test_duplicate_codes_are_refused(tmp_path):
    doubled = MINIMAL + MINIMAL[MINIMAL.index("      - code: REC_01"):]
    with pytest.raises(DefinitionError, match="item REC_01: code 'REC_01' is used twice"):
        read_definition(write(tmp_path, doubled))


def test_unreadable_yaml_is_refused_with_the_file_name(tmp_path):
    with pytest.raises(DefinitionError, match="mini-v1.yaml: cannot be read"):
        read_definition(write(tmp_path, "code: [unclosed"))


def test_file_name_must_match_code_and_version(tmp_path):
    with pytest.raises(DefinitionError, match="name it mini-v1.yaml"):
        read_definition(write(tmp_path, MINIMAL, name="mini-v2.yaml"))


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_loading_the_same_version_twice_changes_nothing(app):
    with app.app_context():
        first = load_all()
        db.session.commit()
        versions, items = count(QuestionnaireVersion), count(QuestionnaireItem)
        second = load_all()
        db.session.commit()
        assert [r.created for r in first] == [True, True] and [r.created for r in second] == [False, False]
        assert [(r.version.code, r.version.version) for r in first] == [("aict", 1), ("aict", 2)]
        assert (count(QuestionnaireVersion), count(QuestionnaireItem)) == (versions, items)
        # Every answerable code of each version is stored, the matrix cells included.
        assert items == sum(len([c for i in read_definition(DEFINITIONS_DIR / name).items_by_code.values()
                                 for c in i.answer_codes]) for name in ("aict-v1.yaml", "aict-v2.yaml"))


def test_changed_content_under_an_existing_version_is_refused(app, runner, tmp_path):
    write(tmp_path, MINIMAL)
    assert runner.invoke(args=["questionnaire", "load", "--dir", str(tmp_path)]).exit_code == 0
    write(tmp_path, MINIMAL.replace("Decisions are taken together.", "Decisions are shared."))
    refused = runner.invoke(args=["questionnaire", "load", "--dir", str(tmp_path)])
    # The command speaks English, whatever the interface's default language.
    assert refused.exit_code == 1 and "mini v1 is already loaded with other content" in refused.output


def test_a_new_version_leaves_the_old_one_as_it_was(app, tmp_path):
    write(tmp_path, MINIMAL)
    with app.app_context():
        load_all(tmp_path)
        db.session.commit()
        v2 = MINIMAL.replace("version: 1", "version: 2").replace("Decisions are taken together.", "Decisions are shared.")
        write(tmp_path, v2, name="mini-v2.yaml")
        results = load_all(tmp_path)
        db.session.commit()
        assert [r.created for r in results] == [False, True]
        v1 = db.session.scalar(select(QuestionnaireVersion).filter_by(code="mini", version=1))
        assert v1.definition["sections"][0]["items"][0]["text"]["en"] == "Decisions are taken together."


def test_cli_load_reports_what_it_did_and_refuses_broken_files(runner, tmp_path):
    result = runner.invoke(args=["questionnaire", "load"])
    assert result.exit_code == 0 and "aict v1: loaded" in result.output and "aict v2: loaded" in result.output
    result = runner.invoke(args=["questionnaire", "load"])
    assert "aict v1: already loaded, unchanged" in result.output
    assert "aict v2: already loaded, unchanged" in result.output
    write(tmp_path, MINIMAL.replace("scale: agreement\n        text", "scale: likert\n        text"))
    result = runner.invoke(args=["questionnaire", "load", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "mini-v1.yaml: item REC_01: scale 'likert'" in result.output


MATRIX = MINIMAL + """\
      - code: IMP_01
        theme: reciprocity
        type: matrix
        scale: agreement
        text: {fr: "Les effets.", en: "The effects."}
        rows:
          - {code: SOC, label: {fr: "Sociaux", en: "Social"}}
        columns:
          - {code: TER, gap: territory, label: {fr: "Chez nous", en: "At home"}}
          - {code: BTW, gap: relationship, label: {fr: "Entre nous", en: "Between us"}}
          - {code: NAT, label: {fr: "Dans le pays", en: "In the country"}}
"""


def test_a_file_says_what_a_gap_between_the_sides_means(tmp_path):
    definition = read_definition(write(tmp_path, MATRIX.replace(
        "scale: agreement\n        text: {fr: \"Les d", "scale: agreement\n        gap: relationship\n        text: {fr: \"Les d")))
    rec, matrix = definition.items_by_code["REC_01"], definition.items_by_code["IMP_01"]
    assert rec.gap == "relationship" and rec.gap_of("REC_01") == "relationship"
    assert [column.gap for column in matrix.columns] == ["territory", "relationship", None]
    assert [matrix.gap_of(code) for code in matrix.answer_codes] == ["territory", "relationship", None]
    assert matrix.gap is None


def test_a_file_that_does_not_say_keeps_its_stored_content(tmp_path):
    # Versions stored before the key existed keep their content and checksum: no "gap": null appears.
    definition = read_definition(write(tmp_path, MINIMAL))
    assert definition.items_by_code["REC_01"].gap is None
    assert "gap" not in json.dumps(definition.model_dump(mode="json"))
    matrix = read_definition(write(tmp_path, MATRIX)).model_dump(mode="json")["sections"][0]["items"][1]
    assert [column.get("gap", "absent") for column in matrix["columns"]] == ["territory", "relationship", "absent"]


@pytest.mark.parametrize("change, expected", [
    (("scale: agreement\n        text: {fr: \"Les d", "scale: agreement\n        gap: conflict\n        text: {fr: \"Les d"),
     "mini-v1.yaml: item REC_01: gap: Input should be 'relationship' or 'territory'"),
    (("{code: TER, gap: territory", "{code: TER, gap: unequal"),
     "mini-v1.yaml: item IMP_01: columns.0.gap: Input should be 'relationship' or 'territory'"),
    (("type: matrix\n        scale: agreement", "type: matrix\n        gap: territory\n        scale: agreement"),
     "mini-v1.yaml: item IMP_01: Value error, 'gap' is only for scale items (a matrix says it on each column), "
     "not for a matrix item"),
    (("{code: SOC, label", "{code: SOC, gap: territory, label"),
     "mini-v1.yaml: item IMP_01: rows.0.gap: Extra inputs are not permitted"),
])
def test_a_gap_is_said_only_where_it_means_something(tmp_path, change, expected):
    old, new = change
    assert old in MATRIX
    with pytest.raises(DefinitionError) as caught:
        read_definition(write(tmp_path, MATRIX.replace(old, new)))
    assert expected in str(caught.value)


def test_a_gap_on_a_choice_is_refused(tmp_path):
    choice = MINIMAL.replace("type: scale\n        scale: agreement",
                             "type: single\n        gap: relationship\n        options:\n"
                             "          - {code: a, label: {fr: A, en: A}}\n          - {code: b, label: {fr: B, en: B}}")
    with pytest.raises(DefinitionError, match="item REC_01: Value error, 'gap' is only for scale items"):
        read_definition(write(tmp_path, choice))


INTROS = MINIMAL.replace('estimated_minutes: 2', """intro: {fr: "Avec votre partenaire.", en: "With your partner."}
intro_without_partnership: {fr: "Sans partenaire.", en: "Without a partner."}
estimated_minutes: 2""")


def test_a_file_may_welcome_an_authority_invited_on_its_own_in_other_words(tmp_path):
    definition = read_definition(write(tmp_path, INTROS))
    assert definition.intro_for(partnership=True).en == "With your partner."
    assert definition.intro_for(partnership=False).en == "Without a partner."
    # Without the alternative, everyone reads the one intro; a file without it keeps its stored content.
    plain = read_definition(write(tmp_path, INTROS.replace(
        'intro_without_partnership: {fr: "Sans partenaire.", en: "Without a partner."}\n', "")))
    assert plain.intro_for(partnership=False).en == "With your partner."
    assert "intro_without_partnership" not in plain.model_dump(mode="json")


@pytest.mark.parametrize("change, expected", [
    (('intro: {fr: "Avec votre partenaire.", en: "With your partner."}\n', ""),
     "mini-v1.yaml: intro_without_partnership: give an 'intro' too"),
    (('{fr: "Sans partenaire.", en: "Without a partner."}', '{fr: "Sans partenaire."}'),
     "mini-v1.yaml: intro_without_partnership.en: Field required"),
])
def test_an_intro_without_partnership_is_refused_when_it_cannot_be_used(tmp_path, change, expected):
    old, new = change
    assert old in INTROS
    with pytest.raises(DefinitionError) as caught:
        read_definition(write(tmp_path, INTROS.replace(old, new)))
    assert expected in str(caught.value)
