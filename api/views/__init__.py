"""Views, one blueprint per resource; and the headers of the pages a browser runs here."""

from pathlib import Path

from flask import Response

# The page's and the docs' own HTML, scripts and styles.
PAGE_FILES = Path(__file__).resolve().parent.parent / "page"

# The pages run only their own files: no inline script or style, no framing, no other origin.
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


def locked_down(response: Response) -> Response:
    """Send a page and its files with a strict policy: its own code, never framed."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
