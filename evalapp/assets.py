"""plotly.js from the installed plotly package, under a versioned URL the browser caches for a year."""
from pathlib import Path

import plotly
from flask import Blueprint, abort, send_file

bp = Blueprint("assets", __name__)

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
ONE_YEAR = 365 * 24 * 3600


@bp.get("/assets/plotly-<version>.min.js")
def plotly_js(version):
    if version != plotly.__version__:
        abort(404)
    return send_file(PLOTLY_JS, mimetype="text/javascript", max_age=ONE_YEAR, conditional=True)


def plotly_url() -> str:
    from flask import url_for

    return url_for("assets.plotly_js", version=plotly.__version__)
