"""The OpenAPI document: generated from the schemas and views, served and written as YAML."""

import functools
import http
import json
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from apispec import BasePlugin
from flask import Flask, Response, current_app
from flask import json as flask_json
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import fields

from api.domain.origins import ORIGIN_DATASETS
from api.domain.places import PLACE_PRECISIONS
from api.domain.vocabulary import (
    ACTOR_KINDS,
    EVENT_TYPES,
    PRECISIONS,
    RELATIONS,
    ROLES,
    STATUSES,
    Term,
)
from api.http.problems import PROBLEM_CONTENT_TYPE, register_error_handlers
from api.schemas.common import ProblemSchema
from api.schemas.events import ACTOR_MATCHES, DATE_MATCHES, EVENT_SORTS
from api.schemas.revisions import OPS, WRITE_CHANNELS

API_DESCRIPTION = """\
Dated geopolitical events (sanctions, arms shipments, invasions, expiring UN curbs,
statements, denials and confirmations) with the actors involved and their roles, the sources
that reported them and how certain each is.

Dates may be imprecise: `date` is the date as written (`YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an
`A/B` interval of those) and `date_start`/`date_end` are the earliest and latest day it can
mean. Lists are paged with opaque keyset cursors. Every error is `application/problem+json`
with the offending parameter named in `errors`.
"""


class NamedEnum(NamedTuple):
    """A vocabulary the document declares once, as a component, and refers to by name."""

    name: str
    values: tuple[Term, ...] | tuple[str, ...]
    description: str

    @property
    def slugs(self) -> tuple[str, ...]:
        """The values the enum takes."""
        return tuple(v.slug if isinstance(v, Term) else v for v in self.values)

    def component(self) -> dict:
        """Return the enum's schema component, each term's meaning listed in its description."""
        meanings = [f"- `{v.slug}`: {v.description}" for v in self.values if isinstance(v, Term)]
        return {
            "type": "string",
            "enum": list(self.slugs),
            "description": "\n".join([self.description, "", *meanings]).strip(),
        }


# Without names, generators make one enum class per field and per parameter (76 here), and
# a field's inline enum can take the name of another component.
NAMED_ENUMS = (
    NamedEnum("EventType", EVENT_TYPES, "What kind of event it is."),
    NamedEnum("EventStatus", STATUSES, "How certain the event is."),
    NamedEnum("ActorRole", ROLES, "What an actor does in an event."),
    NamedEnum("EventRelation", RELATIONS, "How an event relates to another."),
    NamedEnum("ActorKind", ACTOR_KINDS, "What kind of actor it is."),
    NamedEnum(
        "DatePrecision",
        PRECISIONS,
        "How much of the date is known: a day, a month, a year, or an interval of those.",
    ),
    NamedEnum(
        "PlacePrecision",
        PLACE_PRECISIONS,
        "How near the coordinates are to the place: `exact`, `near` it, the centre of its "
        "first-level `admin` area, or of its `country`.",
    ),
    NamedEnum(
        "OriginDataset", ORIGIN_DATASETS, "The upstream dataset an event was imported from."
    ),
    NamedEnum("ChangeOp", OPS, "What a committed write did to the record."),
    NamedEnum(
        "WriteChannel", WRITE_CHANNELS, "How a write came: the API, `timeline seed` or import."
    ),
    NamedEnum("DateMatch", DATE_MATCHES, "How an event's span of days meets a range."),
    NamedEnum("ActorMatch", ACTOR_MATCHES, "Whether an event needs any or all of the actors."),
    NamedEnum("EventSort", EVENT_SORTS, "The order of events."),
)

_ENUM_NAMES = {named.slugs: named.name for named in NAMED_ENUMS}


def _refer_to_named_enums(converter: Any, field: fields.Field, ret: dict, **kwargs: Any) -> dict:
    """Write a field whose choices are a named vocabulary as a reference to its component."""
    choices = tuple(value for value in ret.get("enum", ()) if value is not None)
    name = _ENUM_NAMES.get(choices)
    if name is None:
        return {}
    del ret["enum"]
    ret.pop("type", None)
    ref = {"$ref": f"#/components/schemas/{name}"}
    # Beside a $ref, OpenAPI 3.0 ignores every other keyword: default, nullable, description.
    return {"allOf": [ref]} if ret else ref


def _nullable_refs_as_all_of(
    converter: Any, field: fields.Field, ret: dict, **kwargs: Any
) -> dict:
    """Write a nullable nested object as `allOf: [$ref]` with `nullable`, which generators type."""
    # apispec writes anyOf [{type: object, nullable}, $ref]: generators then never build the model.
    alternatives = ret.get("anyOf")
    if not alternatives or {"type": "object", "nullable": True} not in alternatives:
        return {}
    del ret["anyOf"]
    refs = [a for a in alternatives if a != {"type": "object", "nullable": True}]
    return {"allOf": refs, "nullable": True}


# Written by `timeline openapi` from the app's answers over the fixtures (api/cli/examples.py).
RESPONSE_EXAMPLES_FILE = Path(__file__).with_name("response_examples.json")


class ResponseExamples(BasePlugin):
    """Show each operation's success answers by example, one per content type."""

    def __init__(self, examples: dict[str, dict[str, Any]]) -> None:
        self.examples = examples

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs):
        """Add the examples of each operation on the path to its 2xx responses."""
        for operation in (operations or {}).values():
            by_type = self.examples.get(operation.get("operationId"), {})
            for status, response in operation.get("responses", {}).items():
                if not str(status).startswith("2") or not isinstance(response, dict):
                    continue
                for content_type, media in response.get("content", {}).items():
                    if content_type in by_type:
                        media["example"] = by_type[content_type]


class TimelineApi(Api):
    """flask-smorest's Api, with problem+json errors shaped and documented in one place."""

    ERROR_SCHEMA = ProblemSchema
    # Every operation documents its own statuses; no catch-all `default` response.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _init_spec(self, **options: Any) -> None:
        try:
            examples = json.loads(RESPONSE_EXAMPLES_FILE.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            # The app serves without examples rather than not at all; `timeline openapi`
            # writes the file again, and its --check (run by the tests) fails meanwhile.
            examples = {}
        options["extra_plugins"] = [*options.get("extra_plugins", ()), ResponseExamples(examples)]
        super()._init_spec(**options)
        for named in NAMED_ENUMS:
            self.spec.components.schema(named.name, named.component())
        converter = self.ma_plugin.converter
        converter.add_attribute_function(_refer_to_named_enums)
        converter.add_attribute_function(_nullable_refs_as_all_of)

    def _register_error_handlers(self) -> None:
        register_error_handlers(self._app)

    # Rendered once per app, on first use: the factory has registered every route by then, and
    # rendering on each request let a client spend 130 ms of CPU per GET of the YAML.
    @functools.cached_property
    def spec_as_json(self) -> str:
        """Return the OpenAPI document as JSON, as flask-smorest serves it."""
        return flask_json.dumps(self.spec.to_dict(), indent=2, sort_keys=False)

    @functools.cached_property
    def spec_as_yaml(self) -> str:
        """Return the OpenAPI document as YAML, keys in the order the code declares them."""
        return yaml.dump(
            self.spec.to_dict(), Dumper=_SpecDumper, sort_keys=False, allow_unicode=True, width=100
        )

    def _openapi_json(self) -> Response:
        return current_app.response_class(self.spec_as_json, mimetype="application/json")

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)


def spec_options(version: str) -> dict:
    """Return the Flask config that describes the API to flask-smorest."""
    return {
        "API_TITLE": "Timeline API",
        "API_VERSION": version,
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": API_DESCRIPTION,
                "license": {"name": "MIT"},
            },
        },
    }


class _SpecDumper(yaml.SafeDumper):
    """Write multi-line strings as literal blocks, so the YAML reads like the docstrings."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_SpecDumper.add_representer(str, _represent_text)


def api_of(app: Flask) -> TimelineApi:
    """Return the app's flask-smorest Api, which holds its OpenAPI document."""
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"]


def spec_yaml(app: Flask) -> str:
    """Return the app's OpenAPI document as YAML, keys in the order the code declares them."""
    return api_of(app).spec_as_yaml


ETAG_HEADER = {
    "description": "Digest of the body; send it back in If-None-Match to get a 304.",
    "schema": {"type": "string"},
}
READ_HEADERS = {"ETag": ETAG_HEADER}
PAGE_HEADERS = {
    "ETag": ETAG_HEADER,
    "Link": {
        "description": 'The next page, as `<url>; rel="next"`; absent on the last page.',
        "schema": {"type": "string"},
    },
}
REDIRECT_HEADERS = {
    "Location": {"description": "The canonical URL of this actor.", "schema": {"type": "string"}}
}
