"""Opaque keyset cursors: signed, and bound to the filters they were issued for."""

import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from api.domain.errors import InvalidParameters

_SALT = "timeline-cursor-v1"


def filters_fingerprint(filters: Any) -> str:
    """Return a short digest of the filters (and sort) that a cursor belongs to."""
    canonical = json.dumps(filters, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def encode_cursor(position: list[Any], fingerprint: str) -> str:
    """Sign the position of the last item of a page, with the filters' fingerprint."""
    return _serializer().dumps({"p": position, "f": fingerprint})


def decode_cursor(
    token: str, fingerprint: str, *, length: int, parameter: str = "cursor"
) -> list[Any]:
    """Return the position a cursor holds; a forged or re-used cursor is a 400 on `parameter`."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        raise InvalidParameters.for_parameter(
            parameter, "Not a cursor this API issued; use meta.next_cursor as it is."
        ) from None
    position = payload.get("p") if isinstance(payload, dict) else None
    if not isinstance(position, list) or len(position) != length:
        raise InvalidParameters.for_parameter(parameter, "Malformed cursor.")
    if payload.get("f") != fingerprint:
        raise InvalidParameters.for_parameter(
            parameter, "This cursor was issued for other filters or another sort order."
        )
    return position


def load_or_create_secret(path: Path) -> str:
    """Read the signing secret at `path`, creating it atomically if it does not exist."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(secrets.token_urlsafe(32))
        try:
            # link() fails if another process created the file first: theirs wins.
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()
