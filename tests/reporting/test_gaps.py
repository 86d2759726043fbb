"""What a gap between the two sides means: said by the file (twin v2), read for aict v1."""
from pathlib import Path

from evalapp.questionnaires.loader import read_definition
from evalapp.reporting.gaps import ThemeGaps, gap_meanings, reads_aict_v1, theme_gaps
from tests.respond.helpers import AICT

DEFINITIONS = Path(__file__).parent.parent / "questionnaires" / "definitions"


def test_aict_v1_is_read_item_by_item_as_its_wording_says():
    meanings = gap_meanings(AICT)
    assert reads_aict_v1(AICT)
    relationship = ["REC_01", "REC_02", "REC_09", "IMP_01_SOC_BTW", "IMP_01_CUL_BTW", "IMP_06"]
    territory = ["REC_10", "REC_11", "IMP_01_SOC_TER", "IMP_01_ECO_NAT", "IMP_02", "IMP_04", "HUM_01", "HUM_06", "ORG_01"]
    assert {code: meanings[code] for code in relationship} == dict.fromkeys(relationship, "relationship")
    assert {code: meanings[code] for code in territory} == dict.fromkeys(territory, "territory")
    assert "REC_12" not in meanings and "CTX_09" not in meanings  # not scored, or asked of one side only
    assert theme_gaps(AICT) == {"reciprocity": ThemeGaps(9, 2, 0), "impact": ThemeGaps(5, 12, 0),
                                "human": ThemeGaps(0, 7, 0), "organisation": ThemeGaps(0, 10, 0)}


def test_a_file_says_it_and_a_file_that_does_not_is_not_guessed():
    second = read_definition(DEFINITIONS / "twin-v2.yaml")
    assert not reads_aict_v1(second)
    assert gap_meanings(second) == {"REL_01": "relationship", "REL_03": "relationship", "PEO_01": "territory",
                                    "PEO_02": "territory", "ORG_01": None}
    assert set(gap_meanings(read_definition(DEFINITIONS / "twin-v1.yaml")).values()) == {None}
