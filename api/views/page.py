"""The timeline page at `/`: static files of this package, and plotly.js from its PyPI package."""

from importlib import resources
from pathlib import Path

from flask import Blueprint, Response, send_file, send_from_directory

blp = Blueprint("page", __name__)
# The page runs only its own files: no inline script or style, no framing, no other origin.
# One exception, by hash: an empty <style> element. plotly.js appends one and fills it with
# its rules through the CSSOM (insertRule), which the policy does not check; its content,
# empty, cannot carry anything in. Without it plotly's layers lose their positions. plotly also
# appends maplibre's stylesheet (for map traces; the page draws none): it stays refused.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; script-src 'self'; style-src 'self' 'report-sample' {EMPTY_STYLE_HASH}; "
    "img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@blp.after_request
def _locked_down(response: Response) -> Response:
    """Send the page and its files with a strict policy: its own code, never framed."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


PAGE_FILES = Path(__file__).resolve().parent.parent / "page"
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
