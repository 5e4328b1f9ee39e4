"""Every pattern-validated field of a record refuses a value with a trailing newline.

The fields are found by walking the record schemas, so a new pattern field is tested as soon
as it exists (and fails here until the samples below hold it).
"""

import copy

import pytest
from marshmallow import Schema, fields, validate

from api.schemas.actors import ActorRecordSchema
from api.schemas.events import EventRecordSchema
from api.schemas.sources import SourceRecordSchema
from builders import FIXTURE_SOURCE, IRAN_SUPPLIES_RUSSIA
from problem_shape import assert_problem

INVASION = "2022-02-24-russia-invades-ukraine"
REUTERS = "reuters-2024-02-21-iran-missiles-russia"

# Valid records that hold every pattern field at least once.
SAMPLES = {
    "/v1/events": (
        EventRecordSchema,
        {
            "id": "2023-01-01-newline-check",
            "title": "A newline check",
            "summary": "An event that holds every pattern field.",
            "type": "statement",
            "date": "2023-01-01",
            "status": "reported",
            "actors": [dict(actor) for actor in IRAN_SUPPLIES_RUSSIA],
            "sources": [{"id": REUTERS, "via": FIXTURE_SOURCE, "quote": "A sentence."}],
            "tags": ["drones"],
            "related": [{"id": INVASION, "relation": "responds_to"}],
            "place": {"name": "Tehran", "country": "IRN", "precision": "near"},
        },
    ),
    "/v1/actors": (
        ActorRecordSchema,
        {
            "id": "newline-check",
            "name": "Newline check",
            "kind": "state",
            "country": "IRN",
            "parent": "iran",
        },
    ),
    "/v1/sources": (
        SourceRecordSchema,
        {"id": "newline-check", "publisher": "Newline", "title": "A newline check"},
    ),
}


def pattern_paths(schema: Schema, prefix: tuple = ()) -> list[tuple]:
    """List the paths (keys, and 0 for a list's first item) of fields a pattern validates."""
    found = []
    for name, field in schema.fields.items():
        found.extend(_field_paths(field, (*prefix, field.data_key or name)))
    return found


def _field_paths(field: fields.Field, path: tuple) -> list[tuple]:
    found = [path] if any(isinstance(v, validate.Regexp) for v in field.validators) else []
    if isinstance(field, fields.Nested):
        found.extend(pattern_paths(field.schema, path))
    if isinstance(field, fields.List):
        found.extend(_field_paths(field.inner, (*path, 0)))
    return found


def _named(path: tuple) -> str:
    """Name a path as problems name fields: `sources[0].via`."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


def _with_newline(record: dict, path: tuple) -> dict:
    changed = copy.deepcopy(record)
    holder = changed
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] += "\n"
    return changed


CASES = [
    pytest.param(url, path, id=f"{url}:{_named(path)}")
    for url, (schema, _) in SAMPLES.items()
    for path in pattern_paths(schema())
]


def test_the_walk_finds_the_pattern_fields_of_every_record():
    names = {_named(path) for _, path in (case.values for case in CASES)}
    assert {"id", "actors[0].id", "sources[0].via", "tags[0]", "related[0].id", "country"} <= names


@pytest.fixture
def admin(client, admin_token):
    """Send a request with the admin token."""

    def send(method: str, url: str, **kwargs):
        headers = {"Authorization": f"Bearer {admin_token}"}
        return getattr(client, method)(url, headers=headers, **kwargs)

    return send


@pytest.mark.parametrize(("url", "path"), CASES)
def test_a_trailing_newline_in_a_pattern_field_is_a_422_naming_it(admin, url, path):
    _, sample = SAMPLES[url]
    response = admin("post", url, json=_with_newline(sample, path))
    assert_problem(response, 422, _named(path))
    # The same record without the newline is written: the newline alone was refused.
    written = admin("post", url, json=sample)
    assert written.status_code == 201, written.get_json()
