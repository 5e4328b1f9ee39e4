"""Links in responses: under TIMELINE_PUBLIC_URL when set, else relative; never the Host header.

A response may be cached and served to others, so nothing a client sends (its `Host`, its
`X-Forwarded-Host`) may appear in it.
"""

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request


def public_url(path: str, query: str = "") -> str:
    """Return the link to `path` (with `query`, if any) as responses carry it."""
    link = f"{current_app.config['PUBLIC_URL'].rstrip('/')}{request.script_root}{path}"
    return f"{link}?{query}" if query else link


def request_link() -> str:
    """Return the link to the request being answered, its query as sent."""
    return public_url(request.path, request.query_string.decode("latin-1"))


def _rebased_redirect(response: Response) -> Response:
    """Rebase a redirect werkzeug built from the Host header (merged slashes and the like).

    Flask answers routing redirects itself, past the error handlers, with an HTML body that
    names the host too: both are replaced.
    """
    location = response.headers.get("Location", "")
    if response.status_code in {301, 302, 307, 308} and location.startswith(request.host_url):
        parts = urlsplit(location)
        response.headers["Location"] = public_url(
            parts.path.removeprefix(request.script_root), parts.query
        )
        response.set_data(b"")
        del response.headers["Content-Type"]
    return response


def init_app(app: Flask) -> None:
    """Keep the Host header out of redirects."""
    app.after_request(_rebased_redirect)
