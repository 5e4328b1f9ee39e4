"""Bearer tokens on requests: checked in constant time against stored hashes, and scoped."""

import hmac

from flask import Flask, current_app, g, request

from api.domain.errors import Forbidden, Unauthorized
from api.storage.models import ApiToken
from api.writes.tokens import SCOPES, TOKEN_PREFIX, secret_hash

_REALM = 'Bearer realm="timeline"'
# Compared against when the key is unknown, so that a miss takes as long as a wrong secret.
_DECOY_HASH = secret_hash("decoy")


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
    if scheme.lower() != "bearer" or prefix != TOKEN_PREFIX or not key or not secret:
        raise invalid
    token = ApiToken.get_or_none(ApiToken.key == key)
    expected = token.secret_hash if token is not None else _DECOY_HASH
    matches = hmac.compare_digest(secret_hash(secret), expected)
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
