"""Numbers read from addresses and forms, bounded, so that no database is asked for a number it cannot hold.

An id or a page number of 10^23 typed in an address would overflow PostgreSQL's integers (and
SQLite's): it answers 404, or the last page, instead of a 500.
"""
from flask import request
from werkzeug.routing import IntegerConverter

from evalapp.extensions import db

#: Every id is a PostgreSQL ``integer``; nothing counted here comes near it.
MAX_NUMBER = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<id:name>`` in a URL rule: a positive whole number no larger than an id can be, else 404."""

    def __init__(self, map):
        super().__init__(map, min=1, max=MAX_NUMBER)


def whole_number(text, default: int | None = None) -> int | None:
    """``text`` as a whole number from 0 to MAX_NUMBER, or ``default``."""
    text = str(text or "").strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_NUMBER:
        return default
    return int(text)


def page_number(name: str = "page") -> int:
    """The page asked for in the address, from 1: beyond any page, the largest; not a number, the first."""
    text = str(request.args.get(name) or "").strip()
    if text.isascii() and text.isdigit() and int(text) > MAX_NUMBER:
        return MAX_NUMBER
    return max(whole_number(text, 1), 1)


def paginate(query, per_page: int):
    """Flask-SQLAlchemy's pagination of the page asked for; past the last page, the last page."""
    page = db.paginate(query, page=page_number(), per_page=per_page, error_out=False)
    if page.page > max(page.pages, 1):
        page = db.paginate(query, page=page.pages, per_page=per_page, error_out=False)
    return page


def register(app):
    app.url_map.converters["id"] = IdConverter
