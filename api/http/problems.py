"""The one place that shapes every error as RFC 9457 problem+json.

Typed errors (`api.domain.errors`), werkzeug's HTTP errors, a database that is busy or
gone, and gunicorn's own errors (`server_errors`) all answer with `problem_body`.
"""

import http
import json
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app
from peewee import InterfaceError, OperationalError, PeeweeException
from werkzeug.exceptions import HTTPException, InternalServerError

from api.domain.errors import ApiError
from api.storage.connection import discard_connection

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_body(
    status: int, detail: str | None = None, errors: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    """Return the problem+json body of an error with this status."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or http.HTTPStatus(status).description,
    }
    if errors:
        body["errors"] = dict(errors)
    return body


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Build an `application/problem+json` response."""
    # ASCII escapes: an echoed field name may hold a lone surrogate, which UTF-8 cannot encode.
    response = current_app.response_class(
        json.dumps(problem_body(status, detail, errors)),
        status=status,
        mimetype=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def _handle_api_error(error: ApiError) -> Response:
    return problem_response(
        error.status, error.detail, errors=error.errors or None, headers=error.headers
    )


def _handle_http_exception(error: HTTPException) -> Response:
    if error.code is None or error.code < 400:
        return error.get_response()
    # Keep what werkzeug adds, such as `Allow` on 405, and drop its HTML content type.
    headers = {
        name: value
        for name, value in error.get_headers()
        if name.lower() not in {"content-type", "content-length"}
    }
    detail = error.description
    if error.code == 429:
        detail = f"Rate limit exceeded ({error.description}); retry after Retry-After seconds."
    if isinstance(error, InternalServerError):
        detail = "The server failed to answer this request; the failure has been logged."
    return problem_response(error.code, detail, headers=headers)


def _handle_database_unavailable(error: PeeweeException) -> Response:
    current_app.logger.warning("database unavailable: %s", error)
    discard_connection()
    return problem_response(
        503,
        "The database is busy or unreachable; try again shortly.",
        headers={"Retry-After": "1"},
    )


def register_error_handlers(app: Flask) -> None:
    """Shape every error the app raises as problem+json."""
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(OperationalError, _handle_database_unavailable)
    app.register_error_handler(InterfaceError, _handle_database_unavailable)
