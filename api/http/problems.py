"""The one place that shapes every error as RFC 9457 problem+json.

Typed errors (`api.domain.errors`), werkzeug's HTTP errors, a database that is busy or
gone, and gunicorn's own errors (`server_errors`) all answer with `problem_body`.
"""

import http
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app
from peewee import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from api.domain.errors import ApiError, InsufficientStorage, QueryTimeout
from api.storage.connection import (
    budget_ms,
    causes,
    discard_connection,
    out_of_space,
    stopped_by_budget,
)

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_body(
    status: int,
    detail: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    *,
    problem_type: str = "about:blank",
) -> dict[str, Any]:
    """Return the problem+json body of an error with this status."""
    body: dict[str, Any] = {
        "type": problem_type,
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
    problem_type: str = "about:blank",
) -> Response:
    """Build an `application/problem+json` response."""
    # ASCII escapes: an echoed field name may hold a lone surrogate, which UTF-8 cannot encode.
    response = current_app.response_class(
        json.dumps(problem_body(status, detail, errors, problem_type=problem_type)),
        status=status,
        mimetype=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def _handle_api_error(error: ApiError) -> Response:
    return problem_response(
        error.status,
        error.detail,
        errors=error.errors or None,
        headers=error.headers,
        problem_type=error.problem_type,
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


def _handle_database_unavailable(error: Exception) -> Response:
    if stopped_by_budget(error):
        limit_ms = budget_ms() or current_app.config["QUERY_TIMEOUT_MS"]
        return _handle_api_error(QueryTimeout(limit_ms))
    # What failed first, under what a rollback of it may have raised since.
    told = dict.fromkeys(f"{type(cause).__name__}: {cause}" for cause in causes(error))
    chain = " <- ".join(told)
    if out_of_space(error):
        current_app.logger.error("database full, write refused: %s", chain)
        return _handle_api_error(
            InsufficientStorage(
                "The database has no room left for this write, and nothing of it was written. "
                "Disk space must be freed on the database's host; reads still work."
            )
        )
    current_app.logger.warning("database unavailable: %s", chain)
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
    # Rows read lazily raise the driver's own errors, which peewee does not wrap.
    for driver_error in _driver_operational_errors():
        app.register_error_handler(driver_error, _handle_database_unavailable)


def _driver_operational_errors() -> list[type[Exception]]:
    """Return the drivers' OperationalError classes: sqlite3's, and psycopg2's if installed."""
    errors: list[type[Exception]] = [sqlite3.OperationalError]
    try:
        import psycopg2  # noqa: PLC0415 - the postgres extra, present only where it is used
    except ImportError:
        return errors
    return [*errors, psycopg2.OperationalError]
