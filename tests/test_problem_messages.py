"""Errors shaped in one place: the same problem reads the same in the API, seed and import."""

import json
import socket

import pytest
import yaml

from api.domain.errors import InvalidRecords
from api.http.problems import problem_body
from api.http.server_errors import write_problem
from api.storage.connection import database, utc_now
from api.writes.batches import check_and_write
from api.writes.seeding import seed
from api.writes.transfer import IMPORT_AUTHOR, read_ndjson
from builders import event

ARTICLE = "eurasiareview-iran-missile-shipments-russia"


def bad_event(**changes) -> dict:
    fields = {
        "actors": [{"id": "iran", "role": "speaker"}],
        "sources": [{"id": ARTICLE, "quote": "A sentence."}],
        **changes,
    }
    return event("2024-03-a-bad-event", fields.pop("date", "2024-03"), **fields)


def through_the_api(client, token: str, record: dict) -> set[tuple[str, str]]:
    response = client.post("/v1/events", headers={"Authorization": f"Bearer {token}"}, json=record)
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    return {(field, message) for field, messages in errors.items() for message in messages}


def problems_of(load) -> set[tuple[str, str]]:
    with pytest.raises(InvalidRecords) as raised, database.connection_context():
        load()
    return {(problem.field, problem.message) for problem in raised.value.problems}


def through_seed(tmp_path, record: dict) -> set[tuple[str, str]]:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"events": [record]}))
    return problems_of(lambda: seed([path], utc_now()))


def through_import(tmp_path, record: dict) -> set[tuple[str, str]]:
    path = tmp_path / "bad.ndjson"
    stamp = "2024-01-01T00:00:00Z"
    line = {"kind": "event", "record": record, "created_at": stamp, "updated_at": stamp}
    path.write_text(json.dumps(line) + "\n")

    def load():
        with path.open(encoding="utf-8") as lines:
            batch, stamps, problems = read_ndjson(lines, str(path))
        if problems:
            raise InvalidRecords(problems)
        check_and_write(batch, utc_now(), IMPORT_AUTHOR, stamps=stamps)

    return problems_of(load)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": "2023-02-30"}, "date"),
        ({"type": "coup"}, "type"),
        ({"actors": [{"id": "nobody", "role": "speaker"}]}, "actors[0].id"),
        ({"sources": [{"id": "no-such-source", "quote": None}]}, "sources[0].id"),
        ({"related": [{"id": "2099-no-such-event", "relation": "follows"}]}, "related[0].id"),
    ],
    ids=["date", "type", "actor", "source", "related"],
)
def test_a_problem_reads_the_same_in_the_api_seed_and_import(
    client, write_token, tmp_path, changes, field
):
    record = bad_event(**changes)
    api = through_the_api(client, write_token, record)
    assert {name for name, _ in api} == {field}
    assert through_seed(tmp_path, record) == api
    assert through_import(tmp_path, record) == api


@pytest.mark.parametrize(
    ("status", "reason"), [(400, "Bad Request"), (414, "URI Too Long"), (431, "Too Large")]
)
def test_gunicorn_answers_its_own_errors_with_the_same_problem_body(status, reason):
    ours, theirs = socket.socketpair()
    with ours, theirs:
        write_problem(ours, status, reason, "Refused before the app saw it.")
        ours.shutdown(socket.SHUT_WR)
        head, _, body = theirs.makefile("rb").read().partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} {reason}\r\n".encode())
    assert b"Content-Type: application/problem+json" in head
    assert json.loads(body) == problem_body(status, "Refused before the app saw it.")
    assert json.loads(body)["status"] == status
