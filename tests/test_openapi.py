"""The OpenAPI document is generated from the code, valid, committed and complete."""

import re
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from api import create_app
from api.http.openapi import spec_yaml

ROOT = Path(__file__).resolve().parent.parent
# The page and its files are HTML, scripts and styles, not the API.
UNDOCUMENTED_ROUTES = {
    "/openapi.json",
    "/openapi.yaml",
    "/",
    "/page/{name}",
    "/vendor/plotly.min.js",
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
