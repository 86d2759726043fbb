"""Figures into pages: JSON that is safe inside a <script type="application/json"> block.

Pages carry no inline script: static/js/charts.js draws every figure from its JSON block
with the one plotly.js the page loads.
"""
import plotly.io

_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def figure_json(figure) -> str:
    text = plotly.io.to_json(figure, validate=False, engine="json")
    for char, escaped in _UNSAFE.items():
        text = text.replace(char, escaped)
    return text
