"""Response headers every answer carries: ETag and 304, Cache-Control, CORS, nosniff."""

from flask import Flask, Response, current_app, request
from flask_cors import CORS

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


def init_app(app: Flask) -> None:
    """Add conditional GET, caching, CORS and nosniff headers to every response."""
    origins = app.config["CORS_ORIGINS"]
    everyone = origins == ["*"]
    CORS(
        app,
        origins="*" if everyone else origins,
        send_wildcard=everyone,
        methods=["GET", "HEAD", "OPTIONS"],
        expose_headers=["ETag", "Link", "Location"],
        max_age=600,
    )
    app.after_request(_conditional_get)
    app.after_request(_nosniff)
