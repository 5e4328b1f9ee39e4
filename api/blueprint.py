"""Blueprints whose query parameters are strict and whose errors are typed problems."""

import difflib
from collections.abc import Callable
from typing import Any, NoReturn

import flask_smorest
from marshmallow import RAISE, Schema, ValidationError
from webargs.flaskparser import FlaskParser

from api.errors import InvalidBody, InvalidParameters, flatten_messages


class ProblemParser(FlaskParser):
    """Parse with webargs; raise InvalidParameters (query) or InvalidBody (JSON) on errors."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE}

    def handle_error(
        self,
        error: ValidationError,
        req: Any,
        schema: Schema,
        *,
        error_status_code: int | None,
        error_headers: Any,
    ) -> NoReturn:
        """Raise the typed error for this location, naming every offending parameter."""
        location, messages = next(iter(error.messages.items()))
        if location in {"query", "querystring", "view_args"}:
            errors = flatten_messages(messages, index_lists=False)
            _suggest_known_names(errors, schema)
            names = ", ".join(repr(name) for name in errors)
            raise InvalidParameters(f"invalid query parameters: {names}", errors=errors)
        errors = flatten_messages(messages, index_lists=True)
        raise InvalidBody(f"invalid request body: {', '.join(errors)}", errors=errors)


def _suggest_known_names(errors: dict[str, list[str]], schema: Schema) -> None:
    known = sorted(field.data_key or name for name, field in schema.fields.items())
    for name, messages in errors.items():
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        known_list = ", ".join(known) if known else "none"
        errors[name] = [f"{message}{hint} Known parameters: {known_list}." for message in messages]


class ApiBlueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose argument errors are problem+json with 400 or 422."""

    ARGUMENTS_PARSER = ProblemParser()

    def read(
        self,
        args_schema: type[Schema],
        response_schema: type[Schema],
        *,
        operation_id: str,
        headers: dict | None = None,
    ) -> Callable:
        """Wire and document a GET: strict query args (400), its 200 body, 304, 414 and 503."""

        def decorator(view: Callable) -> Callable:
            view = self.alt_response(503, response="SERVICE_UNAVAILABLE")(view)
            view = self.alt_response(414, response="REQUEST_URI_TOO_LONG")(view)
            view = self.alt_response(304, response="NOT_MODIFIED")(view)
            view = self.response(200, response_schema, headers=headers)(view)
            view = self.arguments(args_schema, location="query", error_status_code=400)(view)
            return self.doc(operationId=operation_id)(view)

        return decorator
