"""Keyset page envelopes: `data`, `meta` with the next cursor, `links` and a Link header."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import orjson
from flask import jsonify, request

from api.domain.places import geojson_feature
from api.http.cursors import decode_cursor, encode_cursor, filters_fingerprint
from api.http.event_filters import filters_from_args
from api.http.public_urls import public_url, request_link
from api.queries.event_pages import count_events, events_page, sort_position
from api.queries.event_representations import event_documents
from api.schemas.events import EventFeaturePageSchema

# RFC 7946's media type.
GEOJSON = "application/geo+json"
# How an event list documents its `format=geojson` answer (`alt_response(200, **...)`).
GEOJSON_PAGE_RESPONSE = {
    "schema": EventFeaturePageSchema,
    "content_type": GEOJSON,
    "description": "With format=geojson: the page's events that have coordinates.",
    "success": True,
}


def split_page(rows: list[Any], limit: int) -> tuple[list[Any], bool]:
    """Split `limit + 1` fetched rows into the page and whether another page follows."""
    return rows[:limit], len(rows) > limit


def _url_with_cursor(cursor: str) -> str:
    args = request.args.to_dict(flat=False)
    args["cursor"] = [cursor]
    return public_url(request.path, urlencode(args, doseq=True))


def page_envelope(
    items: list[dict],
    *,
    limit: int,
    next_position: list[Any] | None,
    fingerprint: str,
    total: int | None = None,
) -> tuple[dict, dict[str, str]]:
    """Build a page body and its headers; `next_position` is None on the last page."""
    next_cursor = encode_cursor(next_position, fingerprint) if next_position else None
    next_url = _url_with_cursor(next_cursor) if next_cursor else None
    meta: dict[str, Any] = {"limit": limit, "next_cursor": next_cursor}
    if total is not None:
        meta["total"] = total
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    body = {"data": items, "meta": meta, "links": {"self": request_link(), "next": next_url}}
    return body, headers


def id_keyset_response(
    args: dict[str, Any],
    *,
    filters: dict[str, Any],
    fetch_rows: Callable[..., list[Any]],
    describe: Callable[[list[Any]], list[dict]],
):
    """Answer one page of items in id order: fetch rows after the cursor, then describe them."""
    fingerprint = filters_fingerprint(filters)
    after = decode_cursor(args["cursor"], fingerprint, length=1)[0] if args.get("cursor") else None
    rows = fetch_rows(after_id=after, limit=args["limit"] + 1)
    page, has_more = split_page(rows, args["limit"])
    body, headers = page_envelope(
        describe(page),
        limit=args["limit"],
        next_position=[page[-1].id] if has_more else None,
        fingerprint=fingerprint,
    )
    return body, 200, headers


def event_page_response(args: dict[str, Any], scope_actor: str | None = None):
    """Answer one page of events matching the query arguments, in the order they ask for."""
    filters = filters_from_args(args, scope_actor)
    fingerprint = filters_fingerprint({"filters": filters.canonical(), "sort": args["sort"]})
    after = None
    if args.get("cursor"):
        after = decode_cursor(
            args["cursor"], fingerprint, length=2 if args["sort"] == "relevance" else 3
        )
    rows = events_page(filters, sort=args["sort"], after=after, limit=args["limit"] + 1)
    page, has_more = split_page(rows, args["limit"])
    documents = event_documents([key[-1] for key in page])
    body, headers = page_envelope(
        [orjson.Fragment(document) for document in documents],
        limit=args["limit"],
        next_position=sort_position(page[-1], args["sort"]) if has_more else None,
        fingerprint=fingerprint,
        total=count_events(filters) if args["count"] else None,
    )
    if args.get("format") == "geojson":
        return _feature_collection(documents, body), 200, headers
    # Stored documents are already in EventSchema's shape (tests check that dumping them
    # changes nothing), so the page skips marshmallow's dump, the largest cost of a page.
    return jsonify(body), 200, headers


def _feature_collection(documents: list[str], page: dict):
    """Answer the page's events that have coordinates as GeoJSON, with its meta and links."""
    features = [
        feature
        for document in documents
        if (feature := geojson_feature(orjson.loads(document), orjson.Fragment(document)))
    ]
    response = jsonify(
        {
            "type": "FeatureCollection",
            "features": features,
            "meta": page["meta"],
            "links": page["links"],
        }
    )
    response.mimetype = GEOJSON
    return response
