"""Bearer tokens: issued once, stored as hashes, checked in constant time, scoped."""

import datetime as dt
import hashlib
import hmac
import secrets

from flask import Flask, current_app, g, request

from api.http.problems import ApiError
from api.storage.models import ApiToken

SCOPES = ("read", "write", "admin")
_PREFIX = "tl"
_REALM = 'Bearer realm="timeline"'
# Compared against when the key is unknown, so that a miss takes as long as a wrong secret.
_DECOY_HASH = hashlib.sha256(b"decoy").hexdigest()


class Unauthorized(ApiError):
    """No token, or one that is malformed, unknown or revoked (401)."""

    status = 401


class Forbidden(ApiError):
    """A valid token whose scope is too small for this request (403)."""

    status = 403


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(name: str, scope: str, now: dt.datetime) -> str:
    """Store a new token under `name` and return its secret, which is never stored."""
    key = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    ApiToken.create(name=name, key=key, secret_hash=_hash(secret), scope=scope, created_at=now)
    return f"{_PREFIX}_{key}_{secret}"


def revoke_token(name: str, now: dt.datetime) -> bool:
    """Revoke the live token called `name`; tell whether there was one."""
    query = ApiToken.update(revoked_at=now).where(
        ApiToken.name == name, ApiToken.revoked_at.is_null()
    )
    return query.execute() > 0


def _token_from_header(header: str | None) -> ApiToken:
    if not header:
        raise Unauthorized(
            "This request needs a token: send `Authorization: Bearer <token>`.",
            headers={"WWW-Authenticate": _REALM},
        )
    invalid = Unauthorized(
        "The token is malformed, unknown or revoked.",
        headers={"WWW-Authenticate": f'{_REALM}, error="invalid_token"'},
    )
    scheme, _, credentials = header.partition(" ")
    prefix, _, rest = credentials.strip().partition("_")
    key, _, secret = rest.partition("_")
    if scheme.lower() != "bearer" or prefix != _PREFIX or not key or not secret:
        raise invalid
    token = ApiToken.get_or_none(ApiToken.key == key)
    expected = token.secret_hash if token is not None else _DECOY_HASH
    matches = hmac.compare_digest(_hash(secret), expected)
    if token is None or not matches or token.revoked_at is not None:
        raise invalid
    return token


def require_scope(scope: str) -> ApiToken:
    """Return the request's token if its scope covers `scope`; else raise 401 or 403."""
    if "token" not in g:
        g.token = _token_from_header(request.headers.get("Authorization"))
    token = g.token
    if SCOPES.index(token.scope) < SCOPES.index(scope):
        raise Forbidden(
            f"The token {token.name!r} has scope {token.scope!r}; this request needs {scope!r}.",
            headers={"WWW-Authenticate": f'{_REALM}, error="insufficient_scope", scope="{scope}"'},
        )
    return token


def _require_read_token() -> None:
    if (
        current_app.config["REQUIRE_READ_TOKEN"]
        and request.method in {"GET", "HEAD"}
        and request.path.startswith("/v1/")
    ):
        require_scope("read")


def init_app(app: Flask) -> None:
    """Require a read token on every read of /v1 when the settings ask for it."""
    app.before_request(_require_read_token)
