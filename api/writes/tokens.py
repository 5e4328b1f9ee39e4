"""API tokens: issued once, stored only as hashes of their secrets, revoked by name."""

import datetime as dt
import hashlib
import secrets

from api.storage.models import ApiToken

SCOPES = ("read", "write", "admin")
TOKEN_PREFIX = "tl"  # noqa: S105 - the marker every token starts with, not a secret


def secret_hash(secret: str) -> str:
    """Return the stored hash of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(name: str, scope: str, now: dt.datetime) -> str:
    """Store a new token under `name` and return its secret, which is never stored."""
    key = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    ApiToken.create(
        name=name, key=key, secret_hash=secret_hash(secret), scope=scope, created_at=now
    )
    return f"{TOKEN_PREFIX}_{key}_{secret}"


def revoke_token(name: str, now: dt.datetime) -> bool:
    """Revoke the live token called `name`; tell whether there was one."""
    query = ApiToken.update(revoked_at=now).where(
        ApiToken.name == name, ApiToken.revoked_at.is_null()
    )
    return query.execute() > 0
