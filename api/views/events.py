"""Event endpoints: list with filters and keyset pages, and one event by id."""

import re
from typing import Any

import orjson
from flask import Response, current_app, jsonify, stream_with_context
from werkzeug.routing import BaseConverter

from api.domain.search_syntax import parse_search
from api.http.blueprint import ApiBlueprint
from api.http.cursors import decode_cursor, filters_fingerprint
from api.http.openapi import PAGE_HEADERS, READ_HEADERS
from api.http.pagination import page_envelope, split_page
from api.http.problems import InvalidParameters, NotFound
from api.http.routing import PATH_SEGMENT
from api.queries.actors import actor_family, resolve_actor
from api.queries.event_pages import count_events, events_page, sort_position
from api.queries.event_representations import event_documents, stored_document
from api.queries.events import EventFilters
from api.queries.exports import CSV_COLUMNS, csv_lines, ndjson_lines
from api.schemas.common import EmptyQueryArgsSchema
from api.schemas.events import (
    RESERVED_EVENT_IDS,
    EventExportArgsSchema,
    EventFilterArgsSchema,
    EventPageSchema,
    EventSchema,
)
from api.schemas.fields import SLUG_PATTERN
from api.views.editing import register_writes, represent
from api.writes.kinds import EVENTS

blp = ApiBlueprint(
    "events", __name__, url_prefix="/v1/events", description="Dated events and their filters."
)
_SLUG = re.compile(SLUG_PATTERN)


EVENT_ID_PATTERN = "^(?!(?:" + "|".join(sorted(RESERVED_EVENT_IDS)) + ")$)[^/]+$"


class EventIdConverter(BaseConverter):
    """An event id in a path: any segment but the reserved names, such as `export`."""

    regex = "(?!(?:" + "|".join(RESERVED_EVENT_IDS) + ")(?:/|$))" + PATH_SEGMENT


def actor_groups(names: list[str], *, include_members: bool) -> tuple[frozenset[str], ...]:
    """Resolve actor ids or aliases to groups of ids; unknown names are a 400 on `actor`."""
    resolved = {name: resolve_actor(name) for name in names}
    unknown = [name for name, actor_id in resolved.items() if actor_id is None]
    if unknown:
        listed = ", ".join(repr(name) for name in unknown)
        raise InvalidParameters.for_parameter(
            "actor", f"Unknown actor {listed}: use an id or alias from /v1/actors."
        )
    return tuple(
        frozenset(actor_family(actor_id) if include_members else {actor_id})
        for actor_id in dict.fromkeys(resolved.values())
    )


def filters_from_args(args: dict[str, Any], scope_actor: str | None = None) -> EventFilters:
    """Turn loaded query arguments into event filters, resolving actors."""
    include_members = args["include_members"]
    scope_group = None
    if scope_actor is not None:
        scope_group = actor_groups([scope_actor], include_members=include_members)[0]
    return EventFilters(
        range_start=args["from_date"].start if args.get("from_date") else None,
        range_end=args["to_date"].end if args.get("to_date") else None,
        date_match=args["date_match"],
        actor_groups=actor_groups(args.get("actor", []), include_members=include_members),
        actor_match=args["actor_match"],
        roles=tuple(dict.fromkeys(args.get("role", []))),
        types=tuple(dict.fromkeys(args.get("type", []))),
        statuses=tuple(dict.fromkeys(args.get("status", []))),
        tags=tuple(dict.fromkeys(tag.lower() for tag in args.get("tag", []))),
        scope_group=scope_group,
        search=parse_search(args["q"]) if args.get("q") else None,
    )


def event_page_response(args: dict[str, Any], scope_actor: str | None = None):
    """Answer one page of events matching the query arguments."""
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
    # Stored documents are already in EventSchema's shape (tests check that dumping them
    # changes nothing), so the page skips marshmallow's dump, the largest cost of a page.
    return jsonify(body), 200, headers


@blp.route("", methods=["GET"])
@blp.read(EventFilterArgsSchema, EventPageSchema, operation_id="listEvents", headers=PAGE_HEADERS)
def list_events(args: dict[str, Any]):
    """List events that match every filter, in date order, a page at a time."""
    return event_page_response(args)


@blp.route("/export", methods=["GET"])
@blp.read(
    EventExportArgsSchema,
    {"type": "string"},
    operation_id="exportEvents",
    content_type="application/x-ndjson",
    conditional=False,
)
@blp.alt_response(
    200,
    schema={"type": "string", "example": ",".join(CSV_COLUMNS)},
    content_type="text/csv",
    description="The matching events: NDJSON, one object per line, or CSV (format=csv).",
    success=True,
)
def export_events(args: dict[str, Any]) -> Response:
    """Stream every event matching the filters, with no limit, as NDJSON or CSV.

    CSV columns: id, title, summary, type, date, date_start, date_end, precision, status,
    note, actors (`id:role; ...`), actor_names, sources (ids), source_publishers, tags,
    related (`id:relation; ...`), created_at, updated_at. Quotes are in NDJSON only.
    """
    filters = filters_from_args(args)
    if args["format"] == "csv":
        lines = csv_lines(filters, sort=args["sort"], bom=args["bom"])
        mimetype, suffix = "text/csv", "csv"
    else:
        lines = ndjson_lines(filters, sort=args["sort"])
        mimetype, suffix = "application/x-ndjson", "ndjson"
    response = Response(stream_with_context(lines), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="events.{suffix}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/<event_id:event_id>", methods=["GET"])
@blp.read(EmptyQueryArgsSchema, EventSchema, operation_id="getEvent", headers=READ_HEADERS)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(410, response="GONE")
def get_event(_args: dict[str, Any], event_id: str):
    """Get one event with its actors, sources, tags and related events (410 once deleted)."""
    if not _SLUG.fullmatch(event_id):
        raise NotFound(f"No event with id {event_id!r}.")
    stored = stored_document(event_id)
    if stored is None:  # absent, deleted or undocumented: the full path answers
        return represent(EVENTS, event_id)
    etag, document = stored
    response = current_app.response_class(document, mimetype="application/json")
    response.set_etag(etag)
    return response


register_writes(
    blp, EVENTS, id_param="event_id", get_endpoint="events.get_event", converter="event_id"
)
