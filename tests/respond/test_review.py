"""The review page folds each section under its count of answered items, and opens those where a
required question is not answered; after submitting, every section is shown open."""
import re

import pytest

from tests.factories import create_partnership_invitations, create_round
from tests.respond.helpers import AICT, fill_everything, post_section, section_data, start, submit


@pytest.fixture
def token(app):
    return create_partnership_invitations(app, create_round(app))[0]


def sections_of(html: str) -> dict[str, tuple[bool, str]]:
    """Each section of the page: its code → (shown open?, its summary line as text)."""
    found = re.findall(r'<details class="review-section[^"]*" id="review-([a-z_]+)"( open)?>\s*<summary>(.*?)</summary>',
                       html, re.S)
    return {code: (bool(opened), " ".join(re.sub(r"<[^>]+>", " ", summary).split())) for code, opened, summary in found}


def items_of(code: str):
    return AICT.section("home", code).items_for("home")


def test_each_section_is_folded_under_its_count_and_open_where_a_required_answer_is_missing(client, token):
    start(client, token)
    post_section(client, token, "profile", section_data("profile"))
    optional = next(i for i in items_of("context") if not i.required and i.type != "matrix")
    post_section(client, token, "context", {k: v for k, v in section_data("context").items() if k != optional.code})
    required = next(i for i in items_of("reciprocity") if i.required)
    post_section(client, token, "reciprocity",
                 {k: v for k, v in section_data("reciprocity").items() if k != required.code})
    # A matrix counts as answered once all its cells are: here one of its twelve is left out.
    matrix = next(i for i in items_of("impact") if i.type == "matrix")
    post_section(client, token, "impact",
                 {k: v for k, v in section_data("impact").items() if k != matrix.cells[-1].code})

    sections = sections_of(client.get(f"/r/{token}/review").text)

    assert list(sections) == [s.code for s in AICT.sections_for("home")]
    n = {code: len(items_of(code)) for code in sections}
    assert sections["profile"] == (False, f"Votre collectivité Réponses : {n['profile']} sur {n['profile']}")
    assert sections["context"][0] is False
    assert sections["context"][1].endswith(f"Réponses : {n['context'] - 1} sur {n['context']}")
    assert sections["reciprocity"][0] is True
    assert sections["reciprocity"][1].endswith(
        f"Réponses : {n['reciprocity'] - 1} sur {n['reciprocity']} 1 question obligatoire sans réponse")
    assert sections["impact"] == (False, f"{AICT.section('home', 'impact').title.fr} "
                                         f"Réponses : {n['impact'] - 1} sur {n['impact']}")
    # Pages not visited yet: open only where a question is required, with how many.
    for code in list(sections)[4:]:
        missing = sum(i.required for i in items_of(code))
        assert sections[code][0] is bool(missing), code
        assert f"Réponses : 0 sur {n[code]}" in sections[code][1]
        assert ("obligatoire" in sections[code][1]) is bool(missing), code


def test_the_counts_read_in_english_too(client, token):
    start(client, token)
    post_section(client, token, "profile", section_data("profile"), action="lang-en")
    sections = sections_of(client.get(f"/r/{token}/review").text)
    assert sections["profile"] == (False, "Your authority 7 of 7 answered")
    assert sections["reciprocity"] == (True, "Reciprocity and equality in the relationship 0 of 13 answered "
                                             "4 required questions not answered")
    assert sections["story"] == (True, "The most significant change 0 of 3 answered 1 required question not answered")


def test_after_submitting_every_section_is_shown_open_and_complete(client, token):
    fill_everything(client, token)
    submit(client, token)
    sections = sections_of(client.get(f"/r/{token}").text)
    assert len(sections) == len(AICT.sections_for("home"))
    for code, (opened, summary) in sections.items():
        total = len(items_of(code))
        assert opened and summary.endswith(f"Réponses : {total} sur {total}"), code
