"""What printed reports need beyond their page: the footer of every A4 page (CSS margin boxes)."""
import re

from markupsafe import Markup

_UNSAFE = re.compile(r"[^A-Za-z0-9 ]")


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: every character but letters, digits and spaces escaped (\\3C for "<"),
    so that a round's title can neither end the string nor the <style> element."""
    return '"' + _UNSAFE.sub(lambda m: f"\\{ord(m.group()):x} ", " ".join(text.split())) + '"'


def page_footer(left: str) -> Markup:
    """The @page rule printing ``left`` (the round's name) and "page / pages" at the foot of every page."""
    style = "font: 8pt sans-serif; color: #444;"
    return Markup(f"@page {{ @bottom-left {{ content: {css_string(left)}; {style} }}"
                  f' @bottom-right {{ content: counter(page) " / " counter(pages); {style} }} }}')
