"""Limits: request body size (413) and rate limits per client for reads and writes (429)."""

import time

from flask import Flask, Response, g, request
from flask_limiter import ApplicationLimit, HeaderNames, Limiter

READ_METHODS = ("GET", "HEAD")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})


def client_address() -> str:
    """Return who a rate limit counts: the client's address."""
    return request.remote_addr or "unknown"


def _remember_retry_after(response: Response) -> Response:
    g.own_retry_after = response.headers.get("Retry-After")
    return response


def _rate_limit_headers_as_drafted(response: Response) -> Response:
    """Give RateLimit-Reset in seconds from now, and Retry-After only when asked to wait."""
    reset = response.headers.get("RateLimit-Reset")
    if reset is not None and reset.isdigit():
        response.headers["RateLimit-Reset"] = str(max(0, int(reset) - int(time.time())))
    # The limiter sets Retry-After to its window's reset on every answer; only a 429 means
    # that. Any other answer keeps the Retry-After it was given (a 503's 1 s), or none.
    if response.status_code != 429:
        own = g.pop("own_retry_after", None)
        if own is None:
            response.headers.pop("Retry-After", None)
        else:
            response.headers["Retry-After"] = own
    return response


def init_app(app: Flask) -> Limiter:
    """Cap request bodies and rate-limit reads and writes as the settings say."""
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY"]
    # Registered before the limiter's own hook, so that it runs after it.
    app.after_request(_rate_limit_headers_as_drafted)
    limiter = Limiter(
        client_address,
        app=app,
        enabled=app.config["RATE_LIMIT_ENABLED"],
        storage_uri=app.config["RATE_LIMIT_STORAGE"],
        application_limits=[
            ApplicationLimit(app.config["RATE_LIMIT_READ"], scope="reads", methods=READ_METHODS),
            ApplicationLimit(
                app.config["RATE_LIMIT_WRITE"], scope="writes", methods=WRITE_METHODS
            ),
        ],
        headers_enabled=True,
        header_name_mapping={
            HeaderNames.LIMIT: "RateLimit-Limit",
            HeaderNames.REMAINING: "RateLimit-Remaining",
            HeaderNames.RESET: "RateLimit-Reset",
        },
        key_prefix="timeline",
    )
    limiter.request_filter(lambda: request.path in UNLIMITED_PATHS)
    # Registered after the limiter's hook, so that it runs before it.
    app.after_request(_remember_retry_after)
    return limiter
