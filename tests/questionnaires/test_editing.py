"""Changes to a definition document, as the editor makes them: each a new document, the old one untouched."""
import copy

import pytest
import yaml

from evalapp.questionnaires import DEFINITIONS_DIR, editing
from evalapp.questionnaires.editing import EditError
from evalapp.questionnaires.loader import validate_document

AICT = yaml.safe_load((DEFINITIONS_DIR / "aict-v2.yaml").read_text(encoding="utf-8"))


def codes(document, section):
    return [item["code"] for item in editing.section_of(document, section)["items"]]


def test_every_item_of_aict_goes_through_the_form_and_back_unchanged():
    for section in AICT["sections"]:
        for item in section["items"]:
            back = editing.item_from_fields(editing.fields_of_item(item))
            assert {k: v for k, v in back.items()} == {k: v for k, v in item.items() if not (k == "integer" and v)}


def test_changes_leave_the_document_they_were_given_as_it_was():
    before = copy.deepcopy(AICT)
    editing.delete_item(AICT, "REC_01")
    editing.move_section(AICT, "reciprocity", -1)
    editing.duplicate_item(AICT, "REC_01")
    assert AICT == before


def test_move_an_item_within_its_page_then_onto_the_next():
    first, second = (s["code"] for s in AICT["sections"][:2])
    last = codes(AICT, first)[-1]
    moved = editing.move_item(AICT, last, -1)
    assert codes(moved, first)[-2:] == [last, codes(AICT, first)[-2]]
    moved = editing.move_item(AICT, last, 1)
    assert last not in codes(moved, first) and codes(moved, second)[0] == last
    validate_document(moved, "moved")


def test_a_copy_gets_a_code_never_used_before_and_sits_after_its_original():
    copied, code = editing.duplicate_item(AICT, "REC_01", taken={"REC_30", "REC_31"})
    assert code not in editing.answer_codes(AICT) and code not in {"REC_30", "REC_31"}
    assert codes(copied, "reciprocity")[1] == code
    validate_document(copied, "copied")


def test_a_code_already_in_the_document_is_refused():
    item = dict(editing.item_of(AICT, "REC_01"), code="REC_02")
    with pytest.raises(EditError):
        editing.replace_item(AICT, "REC_01", item)
    with pytest.raises(EditError):
        editing.add_item(AICT, "reciprocity", item)


def test_lines_of_options_rows_and_columns():
    options = editing.parse_lines("yes | Oui | Yes\nno | Non | No | exclusive\n\nlater | Plus tard", "options",
                                  ("exclusive",))
    assert options == [{"code": "yes", "label": {"fr": "Oui", "en": "Yes"}},
                       {"code": "no", "label": {"fr": "Non", "en": "No"}, "exclusive": True},
                       {"code": "later", "label": {"fr": "Plus tard", "en": ""}}]
    assert editing.parse_lines(editing.lines_of(options, ("exclusive",)), "options", ("exclusive",)) == options
    with pytest.raises(EditError, match="Line 1"):
        editing.parse_lines("yes", "options")
    with pytest.raises(EditError, match="not understood"):
        editing.parse_lines("yes | Oui | Yes | maybe", "options", ("exclusive",))
    columns = editing.parse_lines("TER | Territoire | Territory | gap=territory", "columns", ("gap",))
    assert columns[0]["gap"] == "territory"


def test_a_condition_is_typed_as_in_a_file():
    assert editing.parse_condition('{item: CTX_01, equals: "yes"}') == {"item": "CTX_01", "equals": "yes"}
    assert editing.parse_condition("  ") is None
    for broken in ("{item: [", "CTX_01"):
        with pytest.raises(EditError):
            editing.parse_condition(broken)
    assert editing.parse_condition(editing.condition_text({"any": [{"side": "home"}, {"partnership": False}]})) == {
        "any": [{"side": "home"}, {"partnership": False}]}


def test_texts_out_and_back_in():
    texts = editing.texts_of(AICT)
    places = [where for where, _fr, _en in texts]
    assert len(places) == len(set(places))
    assert ("scale agreement 1", "Pas du tout d'accord", "Strongly disagree") in texts
    changed, unknown = editing.with_texts(AICT, {"item REC_01 text": ("", "Shared initiatives"),
                                                 "item NOPE_01 text": ("x", "y")})
    assert unknown == ["item NOPE_01 text"]
    assert editing.item_of(changed, "REC_01")["text"] == {"fr": editing.item_of(AICT, "REC_01")["text"]["fr"],
                                                          "en": "Shared initiatives"}


def test_a_new_questionnaire_is_valid_from_the_start():
    document = editing.new_document("reseau", "Mon réseau", "My network")
    validate_document(document, "new")
    document = editing.add_section(document, "Deuxième", "Second", "second", "SEC_01", "general")
    assert editing.propose_code(document, "second") == "SEC_02"
    validate_document(document, "two pages")
    with pytest.raises(EditError):
        editing.add_section(document, "Encore", "Again", "second", "SEC_09", "general")


def test_a_stored_version_downloads_as_a_file_the_loader_reads_back_the_same():
    stored = validate_document(AICT, "aict").model_dump(mode="json")  # as the database keeps it
    text = editing.to_yaml(stored)
    assert "\n    1:\n" in text and "'1':" not in text
    assert validate_document(yaml.safe_load(text), "again").model_dump(mode="json") == stored
