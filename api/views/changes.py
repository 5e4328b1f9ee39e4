"""The change feed: every committed change of an event, in commit order, to sync from."""

from typing import Any
from urllib.parse import urlencode

from flask import request

from api.http.blueprint import ApiBlueprint
from api.http.cursors import decode_cursor, encode_cursor, filters_fingerprint
from api.http.openapi import READ_HEADERS
from api.http.pagination import split_page
from api.http.public_urls import public_url, request_link
from api.queries.history import changes_after
from api.schemas.revisions import ChangeArgsSchema, ChangePageSchema

blp = ApiBlueprint(
    "changes",
    __name__,
    url_prefix="/v1/changes",
    description="Every committed change of an event, in commit order.",
)
_FEED = filters_fingerprint({"feed": "changes"})


def _feed_url(cursor: str) -> str:
    args = request.args.to_dict(flat=False)
    args["since"] = [cursor]
    return public_url(request.path, urlencode(args, doseq=True))


@blp.route("", methods=["GET"])
@blp.read(ChangeArgsSchema, ChangePageSchema, operation_id="listChanges", headers=READ_HEADERS)
def list_changes(args: dict[str, Any]):
    """List changes after a cursor; replaying from the start rebuilds every event."""
    since = args.get("since")
    after = decode_cursor(since, _FEED, length=1, parameter="since")[0] if since else 0
    if not isinstance(after, int) or after < 0:
        after = 0
    limit = args["limit"]
    rows = changes_after(after, limit + 1)
    page, has_more = split_page(rows, limit)
    data = [
        {
            "cursor": encode_cursor([row.id], _FEED),
            "op": row.op,
            "id": row.event_id,
            "at": row.at,
            "record": row.record,
        }
        for row in page
    ]
    next_cursor = data[-1]["cursor"] if data else encode_cursor([after], _FEED)
    return {
        "data": data,
        "meta": {"limit": limit, "next_cursor": next_cursor, "has_more": has_more},
        "links": {"self": request_link(), "next": _feed_url(next_cursor)},
    }
