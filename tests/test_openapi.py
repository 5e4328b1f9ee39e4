"""The OpenAPI document is generated from the code, valid, committed and complete."""

import re
import subprocess
import sys
from pathlib import Path

import openapi_schema_validator
import pytest
import yaml
from openapi_spec_validator import validate

from api import create_app
from api.http import openapi
from api.http.openapi import api_of, spec_yaml

ROOT = Path(__file__).resolve().parent.parent
# The page and its files are HTML, scripts and styles, not the API.
UNDOCUMENTED_ROUTES = {
    "/openapi.json",
    "/openapi.yaml",
    "/",
    "/page/{name}",
    "/vendor/plotly.min.js",
    "/docs",
    "/vendor/swagger-ui/{name}",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    db = tmp_path_factory.mktemp("spec") / "spec.db"
    return spec_yaml(create_app({"DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": "k"}))


def test_the_committed_document_is_what_the_code_generates(generated):
    committed = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert committed == generated, "openapi.yaml drifted: run `timeline openapi` and commit it"


def test_the_document_is_valid_openapi(generated):
    validate(yaml.safe_load(generated))


def test_every_route_is_documented_with_its_parameters(generated, app):
    paths = yaml.safe_load(generated)["paths"]
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(rule))
        if path in UNDOCUMENTED_ROUTES:
            continue
        assert path in paths, f"{path} is served but not documented"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths[path], f"{method} {path} is not documented"
        for argument in rule.arguments:
            names = [p["name"] for p in paths[path].get("parameters", [])]
            assert argument in names


def test_every_operation_documents_its_errors_as_problems(generated):
    document = yaml.safe_load(generated)
    responses = document["components"]["responses"]
    methods = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            methods.add(method)
            assert operation["operationId"]
            assert operation["summary"]
            required = {"400", "401", "429", "503"}
            if method == "get":
                required |= {"200", "414"}
            else:
                required |= {"403"}
            assert required <= set(operation["responses"]), f"{method} {path}"
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    name = response["$ref"].rsplit("/", 1)[1]
                    assert list(responses[name]["content"]) == ["application/problem+json"]
    assert {"get", "post", "patch", "delete"} <= methods


def test_writes_need_a_bearer_token_and_reads_may_send_one(generated):
    document = yaml.safe_load(generated)
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    methods = set()
    for item in document["paths"].values():
        for method, operation in item.items():
            methods.add(method)
            if method in {"post", "patch", "delete"}:
                assert operation["security"] == [{"bearerAuth": []}]
            elif method == "get":
                assert operation["security"] == [{}, {"bearerAuth": []}]
    assert {"get", "post", "patch", "delete"} <= methods


def test_served_documents_match_the_generated_one(generated, client):
    assert client.get("/openapi.yaml").get_data(as_text=True) == generated
    assert client.get("/openapi.json").get_json() == yaml.safe_load(generated)


def test_the_served_document_is_rendered_once_per_app(client, app, monkeypatch):
    """Rendering the YAML takes over 100 ms, so a client repeating GETs must not repeat it."""
    api = api_of(app)
    renders = []
    to_dict = api.spec.to_dict
    monkeypatch.setattr(api.spec, "to_dict", lambda: renders.append(1) or to_dict())
    for path in ("/openapi.yaml", "/openapi.json") * 3:
        assert client.get(path).status_code == 200
    assert len(renders) <= 2


def test_a_query_parameter_typo_in_the_spec_is_impossible(generated):
    events = yaml.safe_load(generated)["paths"]["/v1/events"]["get"]
    names = {p["name"] for p in events["parameters"]}
    assert names == {
        "from",
        "to",
        "date_match",
        "actor",
        "actor_match",
        "role",
        "include_members",
        "type",
        "status",
        "tag",
        "q",
        "country",
        "origin",
        "bbox",
        "sort",
        "limit",
        "cursor",
        "count",
        "format",
    }


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield f"{method.upper()} {path}", operation


def _nullable_refs(node):
    """Read `allOf: [$ref]` beside `nullable: true` as the document means it: null, or the ref."""
    # Generators and Swagger UI read it so; a strict 3.0.3 validator lets null through only
    # beside `type`. OpenAPI 3.1 would say `anyOf: [$ref, {type: null}]`.
    if isinstance(node, list):
        return [_nullable_refs(value) for value in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_refs(value) for key, value in node.items()}
    if node.get("nullable") and "allOf" in node and "type" not in node:
        rest = {key: value for key, value in node.items() if key not in {"allOf", "nullable"}}
        return {**rest, "anyOf": [{"allOf": node["allOf"]}, {"enum": [None]}]}
    return node


def test_every_success_answer_has_an_example_that_fits_its_schema(generated):
    document = yaml.safe_load(generated)
    shown = 0
    for name, operation in _operations(document):
        for status, response in operation["responses"].items():
            if not status.startswith("2"):
                continue
            for content_type, media in response.get("content", {}).items():
                assert "example" in media, f"{name} {status} {content_type} has no example"
                schema = {**media["schema"], "components": _nullable_refs(document["components"])}
                openapi_schema_validator.validate(
                    media["example"], schema, cls=openapi_schema_validator.OAS30Validator
                )
                shown += 1
    # Every operation but the six DELETEs (204, no body) answers with content.
    assert shown >= 29


def test_the_examples_are_what_the_app_answers_over_the_fixtures():
    # `--check` answers each example's request again, over the fixtures in a scratch database.
    checked = subprocess.run(
        [sys.executable, "-m", "api.cli", "openapi", "--check"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize(
    ("component", "where"),
    [
        ("EventType", ("Event", "type")),
        ("EventStatus", ("Event", "status")),
        ("ActorRole", ("EventActor", "role")),
        ("EventRelation", ("RelatedEvent", "relation")),
        ("DatePrecision", ("Event", "precision")),
        ("PlacePrecision", ("Place", "precision")),
        ("ActorKind", ("ActorRecord", "kind")),
        ("OriginDataset", ("Origin", "dataset")),
        ("ChangeOp", ("Change", "op")),
        ("WriteChannel", ("Revision", "via")),
    ],
)
def test_vocabularies_are_named_components_that_fields_refer_to(generated, component, where):
    schemas = yaml.safe_load(generated)["components"]["schemas"]
    assert schemas[component]["type"] == "string"
    assert schemas[component]["enum"]
    model, field = where
    prop = schemas[model]["properties"][field]
    assert f"#/components/schemas/{component}" in (prop.get("$ref"), *[
        part.get("$ref") for part in prop.get("allOf", [])
    ])  # fmt: skip


def test_no_field_repeats_a_named_vocabulary_inline(generated):
    document = yaml.safe_load(generated)
    named = {
        tuple(schema["enum"])
        for schema in document["components"]["schemas"].values()
        if schema.get("type") == "string" and "enum" in schema
    }

    def inline_enums(node, at=()):
        if isinstance(node, dict):
            # A named vocabulary itself sits at components/schemas/<name>.
            if "enum" in node and (at[:2] != ("components", "schemas") or len(at) > 3):
                yield at, tuple(v for v in node["enum"] if v is not None)
            for key, value in node.items():
                yield from inline_enums(value, (*at, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from inline_enums(value, (*at, str(index)))

    repeated = [at for at, values in inline_enums(document) if values in named]
    assert repeated == []


@pytest.mark.parametrize(
    ("schema", "field", "format_"),
    [
        ("Source", "url", "uri"),
        ("SourceRecord", "url", "uri"),
        ("Event", "date_start", "date"),
        ("Event", "created_at", "date-time"),
        ("Change", "at", "date-time"),
    ],
)
def test_formats_are_standard(generated, schema, field, format_):
    document = yaml.safe_load(generated)
    assert document["components"]["schemas"][schema]["properties"][field]["format"] == format_
    standard = {"date", "date-time", "uri", "int32", "int64", "float", "double", "email"}

    def formats(node):
        if isinstance(node, dict):
            if isinstance(node.get("format"), str):
                yield node["format"]
            for value in node.values():
                yield from formats(value)
        elif isinstance(node, list):
            for value in node:
                yield from formats(value)

    assert set(formats(document["paths"])) | set(formats(document["components"])) <= standard


def test_patch_bodies_are_declared_once_as_merge_patches(generated):
    for name, operation in _operations(yaml.safe_load(generated)):
        if name.startswith("PATCH"):
            assert list(operation["requestBody"]["content"]) == ["application/merge-patch+json"]


@pytest.mark.parametrize(
    ("parameter", "component"),
    [("date_match", "DateMatch"), ("actor_match", "ActorMatch"), ("sort", "EventSort")],
)
def test_shared_query_choices_are_named_components(generated, parameter, component):
    document = yaml.safe_load(generated)
    for path in ("/v1/events", "/v1/events/export", "/v1/actors/{actor_id}/events"):
        found = {p["name"]: p["schema"] for p in document["paths"][path]["get"]["parameters"]}
        assert found[parameter]["allOf"] == [{"$ref": f"#/components/schemas/{component}"}]
    assert document["components"]["schemas"][component]["enum"]


@pytest.mark.parametrize("content", [None, "<<<<<<< HEAD\n{"])
def test_the_app_serves_without_examples_when_their_file_is_missing_or_broken(
    tmp_path, monkeypatch, content
):
    examples = tmp_path / "response_examples.json"
    if content is not None:
        examples.write_text(content, encoding="utf-8")
    monkeypatch.setattr(openapi, "RESPONSE_EXAMPLES_FILE", examples)
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k"})
    document = yaml.safe_load(spec_yaml(app))
    media = document["paths"]["/v1/events"]["get"]["responses"]["200"]["content"]
    assert "example" not in media["application/json"]
