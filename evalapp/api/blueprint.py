import json

from flask import Blueprint, current_app

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def json_response(data, status: int = 200):
    """``data`` as JSON, its keys in the order they were made (a response's answers in questionnaire order),
    not sorted as ``jsonify`` sorts them; UTF-8 as is."""
    return current_app.response_class(json.dumps(data, ensure_ascii=False, allow_nan=False) + "\n", status=status,
                                      mimetype="application/json")
