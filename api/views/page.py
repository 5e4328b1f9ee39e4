"""The timeline page at `/`: static files of this package, and plotly.js from its PyPI package."""

from importlib import resources

from flask import Blueprint, Response, send_file, send_from_directory

from api.views import PAGE_FILES, locked_down

blp = Blueprint("page", __name__)
blp.after_request(locked_down)

# plotly.js ships inside the plotly package on PyPI: no CDN, no npm, works offline.
PLOTLY_JS = resources.files("plotly") / "package_data" / "plotly.min.js"
ASSET_MAX_AGE = 3600


@blp.get("/")
def index() -> Response:
    """Serve the timeline page."""
    return send_from_directory(PAGE_FILES, "index.html", max_age=60)


@blp.get("/page/<path:name>")
def page_file(name: str) -> Response:
    """Serve the page's own scripts and styles."""
    return send_from_directory(PAGE_FILES, name, max_age=ASSET_MAX_AGE)


@blp.get("/vendor/plotly.min.js")
def plotly_js() -> Response:
    """Serve plotly.js from the installed plotly package."""
    with resources.as_file(PLOTLY_JS) as path:
        return send_file(path, mimetype="text/javascript", max_age=86400)
