"""The footer of printed reports: the round's name inside a CSS string that nothing can end."""
from evalapp.reporting.paper import css_string, page_footer


def test_a_round_title_can_end_neither_the_css_string_nor_the_style_element():
    footer = str(page_footer('Tour 2026 </style><script>alert(1)</script> "fin" \\ \n'))
    assert "<" not in footer and ">" not in footer and "\n" not in footer
    assert footer.count('"') == 4  # its own string and the " / " between the page numbers
    assert css_string("Évaluation 2026") == '"\\c9 valuation 2026"'
    assert 'counter(page) " / " counter(pages)' in footer
