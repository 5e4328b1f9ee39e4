"""Tokens: issued once, stored hashed, checked in constant time, scoped; reads optionally gated."""

import hashlib

import pytest

from api import create_app
from api.cli.main import cli
from api.http import auth
from api.storage.connection import database
from api.storage.migrations import create_schema
from api.storage.models import ApiToken
from databases import issue_token
from problem_shape import assert_problem

EVENT = "/v1/events/2022-02-24-russia-invades-ukraine"


@pytest.fixture
def runner(runner, seeded_app):
    """Return the command runner, on a seeded database."""
    return runner


def test_token_create_prints_the_secret_alone_on_the_last_line_and_stores_a_hash(runner):
    result = runner.invoke(cli, ["token", "create", "alice", "--scope", "admin"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("tl_")
    assert " " not in secret
    with database.connection_context():
        row = ApiToken.get(ApiToken.name == "alice")
    assert row.scope == "admin"
    assert secret not in {row.secret_hash, row.key}
    assert row.secret_hash == hashlib.sha256(secret.split("_", 2)[2].encode()).hexdigest()


def test_token_list_and_revoke(runner, seeded_app):
    secret = runner.invoke(cli, ["token", "create", "bob"]).output.strip().splitlines()[-1]
    listed = runner.invoke(cli, ["token", "list"]).output
    assert "bob\twrite\t" in listed
    assert "active" in listed
    assert secret not in listed
    assert runner.invoke(cli, ["token", "create", "bob"]).exit_code == 1
    assert runner.invoke(cli, ["token", "revoke", "bob"]).exit_code == 0
    assert "revoked" in runner.invoke(cli, ["token", "list"]).output
    assert runner.invoke(cli, ["token", "revoke", "bob"]).exit_code == 1
    response = seeded_app.test_client().post(
        "/v1/events", json={}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert_problem(response, 401)


@pytest.mark.parametrize(
    ("authorization", "challenge"),
    [
        (None, 'Bearer realm="timeline"'),
        ("Bearer", 'Bearer realm="timeline", error="invalid_token"'),
        ("Bearer tl_nokey", 'Bearer realm="timeline", error="invalid_token"'),
        (
            "Bearer tl_0123456789abcdef_wrongsecret",
            'Bearer realm="timeline", error="invalid_token"',
        ),
        ("Basic dXNlcjpwYXNz", 'Bearer realm="timeline", error="invalid_token"'),
        ("Bearer xx_0123456789abcdef_secret", 'Bearer realm="timeline", error="invalid_token"'),
    ],
)
def test_writes_without_a_valid_token_are_401_with_a_challenge(client, authorization, challenge):
    headers = {"Authorization": authorization} if authorization else {}
    for method, url in (("POST", "/v1/events"), ("PATCH", EVENT), ("DELETE", EVENT)):
        response = client.open(url, method=method, json={}, headers=headers)
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"] == challenge


def test_a_right_key_with_a_wrong_secret_is_refused(client, write_token):
    key = write_token.split("_")[1]
    response = client.post(
        "/v1/events", json={}, headers={"Authorization": f"Bearer tl_{key}_not-the-secret"}
    )
    assert_problem(response, 401)


@pytest.mark.parametrize(
    ("scope", "method", "url", "status"),
    [
        ("read", "POST", "/v1/events", 403),
        ("read", "PATCH", EVENT, 403),
        ("read", "DELETE", EVENT, 403),
        ("write", "DELETE", "/v1/actors/iran", 403),
        ("write", "DELETE", "/v1/sources/armeisky-sbornik-2023-07", 403),
        ("write", "POST", "/v1/events", 422),
        ("admin", "DELETE", "/v1/actors/iran", 428),
    ],
)
def test_scopes_read_write_admin(client, seeded_app, scope, method, url, status):
    secret = issue_token(scope)
    response = client.open(
        url, method=method, json={}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert_problem(response, status)
    if status == 403:
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_secrets_are_compared_in_constant_time_even_for_unknown_keys(client, monkeypatch):
    calls = []
    real = auth.hmac.compare_digest
    monkeypatch.setattr(auth.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    client.post("/v1/events", json={}, headers={"Authorization": "Bearer tl_ffffffffffffffff_x"})
    assert calls == [1]


def test_reads_are_public_unless_a_read_token_is_required(database_url, client):
    assert client.get("/v1/events").status_code == 200
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "k",
            "REQUIRE_READ_TOKEN": True,
            "RATE_LIMIT_ENABLED": False,
        }
    )
    create_schema()
    gated = app.test_client()
    assert_problem(gated.get("/v1/events"), 401)
    assert_problem(gated.get("/v1/actors/iran"), 401)
    assert gated.get("/healthz").status_code == 200
    assert gated.get("/openapi.json").status_code == 200
    secret = issue_token("read", "reader")
    assert (
        gated.get("/v1/events", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
