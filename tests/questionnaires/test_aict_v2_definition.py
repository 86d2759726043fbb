"""aict-v2: the review of v1 done (../shared/QUESTIONNAIRE-REVIEW.md), v1 left as rounds used it."""
import re

import pytest

from evalapp.questionnaires import DEFINITIONS_DIR
from evalapp.questionnaires.conditions import asked
from evalapp.questionnaires.definition import SCORED_THEMES
from evalapp.questionnaires.loader import checksum, read_definition

V1 = read_definition(DEFINITIONS_DIR / "aict-v1.yaml")
V2 = read_definition(DEFINITIONS_DIR / "aict-v2.yaml")

#: Words that presume one partner authority (a partnership in general may be answered for all of them).
PRESUMES_A_PARTNER = re.compile(
    r"\b(votre|notre|son|le|du|au) partenaire\b|collectivité partenaire|territoire partenaire\b|nos deux|"
    r"\b(your|our|its|the) partner\b(?! territories)|partner authority|partner territory\b|partner's|our two|both our", re.IGNORECASE)


def texts(item, side):
    """Every text a respondent of ``side`` reads with ``item``."""
    text = item.partner_text if side == "partner" and item.partner_text else item.text
    shown = [text, item.help, *(c.label for c in item.columns or ()), *(r.label for r in item.rows or ())]
    return [t.get(lang) for t in shown if t for lang in ("fr", "en")]


def asked_items(side, partnership):
    # Answers that open every item asked on a condition of an answer: only the invitation then hides any.
    everything = {"EVA_11": "yes", "EVA_16": "yes", "IMP_16": "yes"}
    shown = asked(V2, side, partnership, everything)
    return [item for section in shown.sections_of(V2, side) for item in shown.items_of(section, side)], shown


def test_v1_keeps_the_content_its_rounds_were_stored_with():
    assert checksum(V1) == "82d5b2cfe0275883ebd00ee0952d3b8f12547da3ca1d2a984b4c1dfc04d2a2dc"


def test_v2_has_the_framework_pages_evaluation_before_the_changes_it_may_cause():
    assert (V2.code, V2.version) == ("aict", 2)
    assert [s.code for s in V2.sections] == [
        "profile", "context", "reciprocity", "impact", "human", "evaluation", "organisation", "story"]
    assert V2.scored_themes == list(SCORED_THEMES)


def test_an_authority_invited_on_its_own_is_asked_nothing_that_presumes_a_partner():
    alone, shown = asked_items("home", partnership=False)
    assert "reciprocity" not in shown.sections and "PRO_03" not in shown.items
    assert [(item.code, text) for item in alone for text in texts(item, "home") if PRESUMES_A_PARTNER.search(text)] == []
    intro = V2.intro_for(partnership=False)
    assert not PRESUMES_A_PARTNER.search(intro.fr) and not PRESUMES_A_PARTNER.search(intro.en)
    # The same words are there for an invitation in a partnership: the check above can fail.
    home, shown = asked_items("home", partnership=True)
    assert "reciprocity" in shown.sections and "PRO_03" in shown.items
    presuming = {item.code for item in home for text in texts(item, "home") if PRESUMES_A_PARTNER.search(text)}
    assert {"PRO_03", "REC_01", "CTX_08", "IMP_13", "HUM_09"} <= presuming
    assert PRESUMES_A_PARTNER.search(V2.intro_for(partnership=True).fr)


def test_both_sides_of_a_partnership_are_asked_the_same_codes():
    home, _ = asked_items("home", partnership=True)
    partner, _ = asked_items("partner", partnership=True)
    assert [item.code for item in home] == [item.code for item in partner]
    # The State and the naming of the action, asked of the home side only in v1, now of both.
    assert {"CTX_11", "CTX_12", "CTX_13", "CTX_14"} <= {item.code for item in partner}


def test_every_mirrored_scale_says_what_a_gap_between_the_sides_means():
    for item in V2.items_by_code.values():
        if item.type == "scale":
            assert item.gap in ("relationship", "territory"), item.code
        if item.type == "matrix":
            assert [c.gap for c in item.columns] == ["territory", "territory", "relationship"], item.code
    gaps = {item.code: item.gap for item in V2.items_by_code.values()}
    # One shared relationship: the two sides disagree. Each its own side: the benefits are unequal.
    assert gaps["REC_02"] == gaps["IMP_10"] == "relationship"
    assert gaps["REC_16"] == gaps["HUM_01"] == gaps["ORG_11"] == gaps["IMP_13"] == "territory"


@pytest.mark.parametrize("code, scale", [("HUM_06", "frequency"), ("CTX_02", "intensity"), ("IMP_12", "effects"),
                                         ("REC_01", "agreement")])
def test_each_question_is_answered_on_a_scale_that_fits_its_wording(code, scale):
    item = V2.items_by_code[code]
    assert item.scale == scale
    first_words = {"frequency": "À quelle fréquence", "intensity": "Quelle est l'intensité",
                   "effects": "Quelle est l'importance"}
    if scale in first_words:
        assert item.text.fr.startswith(first_words[scale])
    else:
        assert not item.text.fr.endswith("?")  # a statement to agree or disagree with


def test_the_files_errors_are_fixed():
    options = {code: {o.code: o for o in V2.items_by_code[code].options} for code in ("IMP_09", "EVA_15", "IMP_07",
                                                                                      "PRO_06")}
    assert options["IMP_09"]["nothing"].exclusive and options["EVA_15"]["unused"].exclusive
    assert "fmcu" not in options["PRO_06"]
    assert {"twinning_committee", "none", "dont_know"} <= set(options["IMP_07"])
    assert options["IMP_07"]["none"].exclusive and options["IMP_07"]["dont_know"].exclusive
    assert V2.items_by_code["PRO_02"].max >= 100_000_000


def test_the_story_is_sorted_into_the_four_themes_or_another_domain():
    domain = V2.items_by_code["STO_04"]
    assert domain.type == "single" and domain.other
    assert [o.code for o in domain.options] == list(SCORED_THEMES)
    assert V2.items_by_code["STO_01"].story and V2.items_by_code["STO_01"].required


def test_questions_about_the_last_evaluation_wait_for_an_evaluation():
    for code in ("EVA_12", "EVA_13", "EVA_14", "EVA_15", "EVA_16", "ORG_21"):
        assert V2.items_by_code[code].when.model_dump() == {"item": "EVA_11", "equals": "yes"}, code
    never, _ = asked_items("home", partnership=True)
    not_evaluated = asked(V2, "home", True, {"EVA_11": "no"})
    assert "EVA_12" in {i.code for i in never} and "EVA_12" not in not_evaluated.items
    assert "ORG_21" not in not_evaluated.items


def test_french_typography_keeps_its_non_breaking_spaces():
    for item in V2.items_by_code.values():
        for text in [item.text.fr, *(o.label.fr for o in item.options or ())]:
            assert not re.search(r" [?:;!»]|« ", text), (item.code, text)


def mapping_tables():
    """The two tables of CHANGES-v2.md: v1 → v2 codes with their status, and the codes new in v2."""
    text = (DEFINITIONS_DIR.parent / "CHANGES-v2.md").read_text(encoding="utf-8")
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in text.splitlines()
            if re.match(r"\| [A-Z]{3}_\d\d \|", line)]
    mapping = [(v1, [c.strip() for c in v2.split(",")], status) for v1, v2, status in (r for r in rows if len(r) == 3)]
    new = [r[0] for r in rows if len(r) == 2]
    return mapping, new


def test_changes_map_every_v1_code_once_and_never_reuse_one_for_another_meaning():
    mapping, new = mapping_tables()
    assert [v1 for v1, _, _ in mapping] == list(V1.items_by_code)
    for v1, v2, status in mapping:
        assert status in ("kept", "new code", "dropped"), v1
        if status == "kept":
            old, now = V1.items_by_code[v1], V2.items_by_code[v2[0]]
            assert v2 == [v1] and (old.type, old.theme, old.scale, old.sides) == (now.type, now.theme, now.scale, now.sides)
            assert now.answer_codes == old.answer_codes
        elif status == "new code":
            assert all(code in V2.items_by_code and code not in V1.items_by_code for code in v2), v1
    # Every v2 code is accounted for once: kept, replacing a v1 code, or new.
    accounted = [code for _, v2, status in mapping if status != "dropped" for code in v2] + new
    assert sorted(accounted) == sorted(V2.items_by_code)
    assert not set(new) & set(V1.items_by_code)
    # No matrix cell code of v2 is a v1 code either.
    v1_cells = {c for i in V1.items_by_code.values() for c in i.answer_codes}
    kept = {v1 for v1, _, status in mapping if status == "kept"}
    assert {c for i in V2.items_by_code.values() if i.code not in kept for c in i.answer_codes} & v1_cells == set()
