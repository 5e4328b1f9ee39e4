"""Response headers every answer carries: ETag and 304, Cache-Control, CORS, nosniff."""

from flask import Flask, Response, current_app, request
from flask_cors import CORS

from api.http.limits import WRITE_METHODS

NO_STORE_PATHS = frozenset({"/healthz", "/readyz"})


def _conditional_get(response: Response) -> Response:
    if request.method not in {"GET", "HEAD"}:
        return response
    if response.status_code == 200 and not response.is_streamed:
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = (
                "no-store"
                if request.path in NO_STORE_PATHS
                else current_app.config["CACHE_CONTROL"]
            )
        if response.get_etag() == (None, None):
            response.add_etag()
        # Answers 304 without a body when If-None-Match names this ETag.
        response.make_conditional(request)
    return response


def _nosniff(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _wants_to_write() -> bool:
    if request.method in WRITE_METHODS:
        return True
    requested = request.headers.get("Access-Control-Request-Method", "").upper()
    return request.method == "OPTIONS" and requested in WRITE_METHODS


def _cors_for_writes(response: Response) -> Response:
    """Take CORS permission back from writes, and their preflights, by other origins."""
    origin = request.headers.get("Origin")
    if origin and _wants_to_write() and origin not in current_app.config["CORS_WRITE_ORIGINS"]:
        granted = {name for name, _ in response.headers.items() if name.startswith("Access-Con")}
        for name in granted:
            del response.headers[name]
    return response


def init_app(app: Flask) -> None:
    """Add conditional GET, caching, CORS and nosniff headers to every response."""
    read_origins, write_origins = app.config["CORS_ORIGINS"], app.config["CORS_WRITE_ORIGINS"]
    everyone = read_origins == ["*"]
    # Registered before flask-cors, so that it runs after flask-cors has added its headers.
    app.after_request(_cors_for_writes)
    CORS(
        app,
        origins="*" if everyone else [*read_origins, *write_origins],
        send_wildcard=everyone,
        methods=["GET", "HEAD", "OPTIONS", *WRITE_METHODS],
        expose_headers=[
            "ETag",
            "Link",
            "Location",
            "Retry-After",
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
        ],
        max_age=600,
    )
    app.after_request(_conditional_get)
    app.after_request(_nosniff)
