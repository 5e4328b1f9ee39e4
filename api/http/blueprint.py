"""Blueprints whose query parameters are strict and whose errors are typed problems."""

import difflib
import functools
import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, NoReturn

import flask
import flask_smorest
from marshmallow import RAISE, Schema, ValidationError
from webargs.core import is_json
from webargs.flaskparser import FlaskParser

from api.domain.errors import (
    InvalidBody,
    InvalidParameters,
    MalformedBody,
    UnsupportedMediaType,
    flatten_messages,
)
from api.http.auth import require_scope

READ_ERRORS = (401, 403, 414, 429, 503)
WRITE_ERRORS = (400, 401, 403, 409, 413, 415, 422, 429, 503)
BEARER = {"bearerAuth": []}


def _with_scope(scope: str) -> Callable:
    """Check the request's token before anything else, so a stranger learns nothing more."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            require_scope(scope)
            return view(*args, **kwargs)

        return checked

    return decorator


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


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

    def _raw_load_json(self, req: flask.Request) -> Any:
        """Load a JSON body: another content type is a 415, a body that is not JSON a 400."""
        if not is_json(req.mimetype):
            raise UnsupportedMediaType(
                f"Send a JSON body (got {req.mimetype or 'no Content-Type'}).",
                errors={"Content-Type": ["Use application/json."]},
            )
        try:
            return json.loads(req.get_data(cache=True), parse_constant=_reject_constant)
        except (ValueError, RecursionError) as error:
            # RecursionError: nesting deeper than the parser can follow.
            message = str(error) if isinstance(error, ValueError) else "Nested too deeply."
            raise MalformedBody(
                f"The body is not valid JSON: {message}", errors={"body": [message]}
            ) from None


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
        response_schema: type[Schema] | dict,
        *,
        operation_id: str,
        headers: dict | None = None,
        content_type: str | None = None,
        conditional: bool = True,
    ) -> Callable:
        """Wire and document a GET: strict query args (400), its 200 body, 304, 414 and 503."""

        def decorator(view: Callable) -> Callable:
            view = self._alt_responses(view, (304, *READ_ERRORS) if conditional else READ_ERRORS)
            view = self.response(200, response_schema, headers=headers, content_type=content_type)(
                view
            )
            # An instance, not the class: webargs would build (and deep-copy) a schema from a
            # class on every request, a sixth of a page's time (measured in bench/).
            parse = self.arguments(args_schema(), location="query", error_status_code=400)
            view = parse(view)
            # Reads are public unless TIMELINE_REQUIRE_READ_TOKEN is set.
            return self.doc(operationId=operation_id, security=[{}, BEARER])(view)

        return decorator

    def write(
        self,
        status: int,
        *,
        scope: str,
        operation_id: str,
        body_schema: Schema | None = None,
        response_schema: type[Schema] | None = None,
        headers: dict | None = None,
        errors: tuple[int, ...] = WRITE_ERRORS,
        content_types: tuple[str, ...] = ("application/json",),
    ) -> Callable:
        """Wire and document a write: its token (checked first), JSON body and answer."""

        def decorator(view: Callable) -> Callable:
            view = self._alt_responses(view, errors)
            view = self.response(status, response_schema, headers=headers)(view)
            if body_schema is not None:
                parse = self.arguments(body_schema, location="json", content_type=content_types[0])
                view = parse(view)
                extra = {t: {"schema": body_schema} for t in content_types[1:]}
                if extra:
                    view = self.doc(requestBody={"content": extra})(view)
            view = _with_scope(scope)(view)
            return self.doc(operationId=operation_id, security=[BEARER])(view)

        return decorator

    def _alt_responses(self, view: Callable, statuses: tuple[int, ...]) -> Callable:
        for status in sorted(statuses, reverse=True):
            view = self.alt_response(status, response=HTTPStatus(status).name)(view)
        return view
