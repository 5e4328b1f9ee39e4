"""The OpenAPI document: generated from the schemas and views, served and written as YAML."""

import http

import yaml
from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from api.http.problems import PROBLEM_CONTENT_TYPE, register_error_handlers
from api.schemas.common import ProblemSchema

API_DESCRIPTION = """\
Dated geopolitical events (sanctions, arms shipments, invasions, expiring UN curbs,
statements, denials and confirmations) with the actors involved and their roles, the sources
that reported them and how certain each is.

Dates may be imprecise: `date` is the date as written (`YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an
`A/B` interval of those) and `date_start`/`date_end` are the earliest and latest day it can
mean. Lists are paged with opaque keyset cursors. Every error is `application/problem+json`
with the offending parameter named in `errors`.
"""


class TimelineApi(Api):
    """flask-smorest's Api, with problem+json errors shaped and documented in one place."""

    ERROR_SCHEMA = ProblemSchema
    # Every operation documents its own statuses; no catch-all `default` response.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        register_error_handlers(self._app)

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


def spec_yaml(app: Flask) -> str:
    """Render the app's OpenAPI document as YAML, keys in the order the code declares them."""
    api: Api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return yaml.dump(
        api.spec.to_dict(), Dumper=_SpecDumper, sort_keys=False, allow_unicode=True, width=100
    )


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
