"""An invitation link opens its own response and nothing else, even in a browser that opened another link."""
from tests.respond.helpers import post_section, section_data, start, submit


def test_one_link_never_shows_or_changes_another_links_answers(app, client, tokens):
    home, partner = tokens
    start(client, home)
    post_section(client, home, "story", {**section_data("story"), "STO_02": "Réponse de la maison"})
    # The same browser (same cookies) opens the partner's link.
    start(client, partner)
    assert "Réponse de la maison" not in client.get(f"/r/{partner}/p/story").text
    assert "Réponse de la maison" not in client.get(f"/r/{partner}/review").text
    post_section(client, partner, "story", {**section_data("story", "partner"), "STO_02": "Réponse du partenaire"})
    assert "Réponse du partenaire" not in client.get(f"/r/{home}/p/story").text
    assert "Réponse de la maison" in client.get(f"/r/{home}/p/story").text
    # Submitting one link submits that response only.
    submit(client, partner)
    assert "Réponse de la maison" in client.get(f"/r/{home}/p/story").text  # still open for editing
    assert client.get(f"/r/{home}/review").status_code == 200
