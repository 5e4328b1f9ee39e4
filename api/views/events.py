"""Event endpoints: list with filters and keyset pages, and one event by id."""

import re
from typing import Any

from flask import Response, current_app

from api.domain.errors import NotFound
from api.http.blueprint import ApiBlueprint
from api.http.event_filters import filters_from_args
from api.http.openapi import PAGE_HEADERS, READ_HEADERS
from api.http.pagination import GEOJSON, GEOJSON_PAGE_RESPONSE, event_page_response
from api.http.record_routes import add_record_routes, represent
from api.http.streaming import streamed
from api.queries.event_representations import stored_document
from api.queries.exports import CSV_COLUMNS, csv_lines, geojson_chunks, ndjson_lines
from api.schemas.common import EmptyQueryArgsSchema
from api.schemas.events import (
    EventExportArgsSchema,
    EventFeatureCollectionSchema,
    EventFilterArgsSchema,
    EventPageSchema,
    EventSchema,
)
from api.schemas.fields import SLUG_PATTERN
from api.writes.kinds import EVENTS

blp = ApiBlueprint(
    "events", __name__, url_prefix="/v1/events", description="Dated events and their filters."
)
_SLUG = re.compile(SLUG_PATTERN)


@blp.route("", methods=["GET"])
@blp.read(EventFilterArgsSchema, EventPageSchema, operation_id="listEvents", headers=PAGE_HEADERS)
@blp.alt_response(200, **GEOJSON_PAGE_RESPONSE)
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
@blp.alt_response(
    200,
    schema=EventFeatureCollectionSchema,
    content_type=GEOJSON,
    description="With format=geojson: the matching events that have coordinates.",
    success=True,
)
def export_events(args: dict[str, Any]) -> Response:
    """Stream every event matching the filters, with no limit, as NDJSON or CSV.

    CSV columns: id, title, summary, type, date, date_start, date_end, precision, status,
    note, actors (`id:role; ...`), actor_names, sources (ids), via (`id>via; ...` for the
    citations read in another source), source_publishers, tags, related
    (`id:relation; ...`), created_at, updated_at, then the place: place_name,
    place_country, place_admin1, place_latitude, place_longitude, place_precision, and the
    origin: origin_dataset, origin_id, origin_fields (JSON). Quotes are in NDJSON only.
    GeoJSON holds the events that have coordinates, each event in its feature's `properties`.
    """
    filters = filters_from_args(args)
    if args["format"] == "csv":
        lines = csv_lines(filters, sort=args["sort"], bom=args["bom"])
        mimetype, suffix = "text/csv", "csv"
    elif args["format"] == "geojson":
        lines = geojson_chunks(filters, sort=args["sort"])
        mimetype, suffix = GEOJSON, "geojson"
    else:
        lines = ndjson_lines(filters, sort=args["sort"])
        mimetype, suffix = "application/x-ndjson", "ndjson"
    response = streamed(
        lines, budget_ms=current_app.config["EXPORT_TIMEOUT_S"] * 1000, mimetype=mimetype
    )
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


add_record_routes(
    blp, EVENTS, id_param="event_id", get_endpoint="events.get_event", converter="event_id"
)
