"""Typed API errors, and the one place that shapes every error as RFC 9457 problem+json."""

import http
import json
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app
from werkzeug.exceptions import HTTPException, InternalServerError

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ApiError(Exception):
    """An error with an HTTP status, a human-readable detail and errors keyed by field."""

    status = 500

    def __init__(
        self,
        detail: str,
        *,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})


class InvalidParameters(ApiError):
    """Query or path parameters that are malformed, unknown or inconsistent (400)."""

    status = 400

    @classmethod
    def for_parameter(cls, name: str, message: str) -> "InvalidParameters":
        """Build the error for one offending parameter."""
        return cls(f"invalid query parameter {name!r}: {message}", errors={name: [message]})


class MalformedBody(ApiError):
    """A request body that is not JSON at all (400)."""

    status = 400


class InvalidBody(ApiError):
    """A well-formed request body that fails validation (422)."""

    status = 422


class NotFound(ApiError):
    """No resource at this URL (404)."""

    status = 404


class Conflict(ApiError):
    """The write clashes with what exists: a taken id, a record still referenced (409)."""

    status = 409


class Gone(ApiError):
    """The resource existed and was deleted (410)."""

    status = 410


class PreconditionFailed(ApiError):
    """If-Match names a revision that is no longer current (412)."""

    status = 412


class PreconditionRequired(ApiError):
    """A write that must say which revision it changes, with If-Match (428)."""

    status = 428


class UnsupportedMediaType(ApiError):
    """A body in a content type this endpoint does not take (415)."""

    status = 415


class ServiceUnavailable(ApiError):
    """A dependency, such as the database, is not ready (503)."""

    status = 503


def flatten_messages(
    messages: Any, *, index_lists: bool, prefix: str = ""
) -> dict[str, list[str]]:
    """Flatten nested marshmallow messages into `{"field.sub[0]": [message, ...]}`.

    With `index_lists` false, the errors of a list's items are keyed by the list itself,
    as suits a repeatable query parameter.
    """
    if isinstance(messages, str):
        return {prefix or "_request": [messages]}
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return {prefix or "_request": list(messages)}
    flat: dict[str, list[str]] = {}
    items = messages.items() if isinstance(messages, Mapping) else enumerate(messages)
    for key, value in items:
        if isinstance(key, int):
            path = f"{prefix}[{key}]" if index_lists else prefix
        elif key == "_schema":
            path = prefix
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        nested = flatten_messages(value, index_lists=index_lists, prefix=path)
        for field, field_messages in nested.items():
            flat.setdefault(field, []).extend(field_messages)
    return flat


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Build an `application/problem+json` response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or http.HTTPStatus(status).description,
    }
    if errors:
        body["errors"] = dict(errors)
    # ASCII escapes: an echoed field name may hold a lone surrogate, which UTF-8 cannot encode.
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype=PROBLEM_CONTENT_TYPE
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


def register_error_handlers(app: Flask) -> None:
    """Shape every error the app raises as problem+json."""
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
