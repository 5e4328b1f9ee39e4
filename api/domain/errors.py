"""Typed errors: what went wrong, which parameter or field, and the status it answers with.

Any layer raises these; `api.http.problems` alone turns them into problem+json responses,
and the command line prints the same problems, one line each.
"""

from collections.abc import Mapping
from typing import Any, NamedTuple


class ApiError(Exception):
    """An error with an HTTP status, a human-readable detail and errors keyed by field."""

    status = 500
    # RFC 9457: about:blank says the status alone explains the problem.
    problem_type = "about:blank"

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


class SearchSyntaxError(InvalidParameters):
    """A search (`q`) that does not parse (400 naming `q`)."""

    def __init__(self, message: str) -> None:
        super().__init__(f"invalid query parameter 'q': {message}", errors={"q": [message]})


class MalformedBody(ApiError):
    """A request body that is not JSON at all (400)."""

    status = 400


class Unauthorized(ApiError):
    """No token, or one that is malformed, unknown or revoked (401)."""

    status = 401


class Forbidden(ApiError):
    """A valid token whose scope is too small for this request (403)."""

    status = 403


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


class UnsupportedMediaType(ApiError):
    """A body in a content type this endpoint does not take (415)."""

    status = 415


class InvalidBody(ApiError):
    """A well-formed request body that fails validation (422)."""

    status = 422


class PreconditionRequired(ApiError):
    """A write that must say which revision it changes, with If-Match (428)."""

    status = 428


class ServiceUnavailable(ApiError):
    """A dependency, such as the database, is not ready (503)."""

    status = 503


class InsufficientStorage(ApiError):
    """A write the database had no room for: nothing of it was written (507)."""

    status = 507


class QueryTimeout(ServiceUnavailable):
    """A read whose database work ran past the request's budget (503, query-timeout)."""

    problem_type = "/problems/query-timeout"

    def __init__(self, limit_ms: int) -> None:
        super().__init__(
            f"The query took longer than the limit of {limit_ms} ms and was stopped. Narrow the "
            "filters (a shorter date range, fewer actors or tags, a more specific search) "
            "and try again.",
            headers={"Retry-After": "1"},
        )
        self.limit_ms = limit_ms


class Problem(NamedTuple):
    """Why a record cannot be written: where it came from, which field, and what is wrong."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return ": ".join(part for part in (self.where, self.field, self.message) if part)


class InvalidRecords(InvalidBody):
    """Records that cannot be written (422); each problem names its record and field.

    The API answers the problems keyed by field; the command line prints one a line.
    """

    def __init__(self, problems: list[Problem], *, kind: str = "record") -> None:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.field, []).append(problem.message)
        super().__init__(f"invalid {kind}: {', '.join(errors)}", errors=errors)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


def flatten_messages(
    messages: Any, *, index_lists: bool, prefix: str = ""
) -> dict[str, list[str]]:
    """Flatten nested validation messages into `{"field.sub[0]": [message, ...]}`.

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


def validation_problems(where: str, messages: Any) -> list[Problem]:
    """Turn a record's nested validation messages into one problem per message."""
    return [
        Problem(where, field, message)
        for field, field_messages in flatten_messages(messages, index_lists=True).items()
        for message in field_messages
    ]
