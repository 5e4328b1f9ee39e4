"""Exports: every matching event, streamed in keyset batches, as NDJSON or RFC 4180 CSV."""

import csv
import io
import itertools
from collections.abc import Iterator

import orjson

from api.domain.filters import EventFilters
from api.domain.origins import ORIGIN_COLUMNS
from api.domain.places import PLACE_COLUMNS, geojson_feature
from api.queries.date_order import keys_in_date_order
from api.queries.event_pages import events_page, sort_position
from api.queries.event_representations import event_documents

BATCH = 1000
CSV_COLUMNS = (
    "id",
    "title",
    "summary",
    "type",
    "date",
    "date_start",
    "date_end",
    "precision",
    "status",
    "note",
    "actors",
    "actor_names",
    "sources",
    "via",
    "source_publishers",
    "tags",
    "related",
    "created_at",
    "updated_at",
    *PLACE_COLUMNS.values(),
    *ORIGIN_COLUMNS.values(),
)
LIST_SEPARATOR = "; "


def csv_row(event: dict) -> list[str]:
    """Flatten a dumped event into the CSV columns; lists are joined with '; '."""

    def joined(values) -> str:
        return LIST_SEPARATOR.join(values)

    flat = {
        **event,
        "note": event["note"] or "",
        "actors": joined(f"{a['id']}:{a['role']}" for a in event["actors"]),
        "actor_names": joined(a["name"] for a in event["actors"]),
        "sources": joined(s["id"] for s in event["sources"]),
        "via": joined(f"{s['id']}>{s['via']}" for s in event["sources"] if s["via"]),
        "source_publishers": joined(s["publisher"] for s in event["sources"]),
        "tags": joined(event["tags"]),
        "related": joined(f"{r['id']}:{r['relation']}" for r in event["related"]),
    }
    place = event.get("place") or {}
    flat.update(
        (column, "" if place.get(name) is None else str(place[name]))
        for name, column in PLACE_COLUMNS.items()
    )
    origin = event.get("origin") or {}
    flat.update((ORIGIN_COLUMNS[name], origin.get(name) or "") for name in ("dataset", "id"))
    # The upstream fields as one JSON object, keys in their upstream order.
    flat[ORIGIN_COLUMNS["fields"]] = orjson.dumps(origin["fields"]).decode() if origin else ""
    return [flat[column] for column in CSV_COLUMNS]


def _batches(filters: EventFilters, sort: str) -> Iterator[list[str]]:
    """Yield the matching events' stored JSON, a keyset batch at a time."""
    if sort != "relevance":
        keys = keys_in_date_order(filters, descending=sort == "-date", batch=BATCH)
        while chunk := list(itertools.islice(keys, BATCH)):
            yield event_documents([key[-1] for key in chunk])
        return
    after = None
    while True:
        keys = events_page(filters, sort=sort, after=after, limit=BATCH)
        if keys:
            yield event_documents([key[-1] for key in keys])
        if len(keys) < BATCH:
            return
        after = sort_position(keys[-1], sort)


def ndjson_lines(filters: EventFilters, *, sort: str) -> Iterator[str]:
    """Yield the matching events, one JSON object per line, a batch at a time."""
    for batch in _batches(filters, sort):
        yield "".join(document + "\n" for document in batch)


def geojson_chunks(filters: EventFilters, *, sort: str) -> Iterator[bytes]:
    """Yield a GeoJSON FeatureCollection of the matching events that have coordinates.

    Events without coordinates are left out. Cut short, the text is not valid JSON.
    """
    opening = b'{"type":"FeatureCollection","features":['
    separator = b""
    for batch in _batches(filters, sort):
        features = []
        for document in batch:
            feature = geojson_feature(orjson.loads(document), orjson.Fragment(document))
            if feature is not None:
                features.append(orjson.dumps(feature))
        if features:
            yield opening + separator + b",".join(features)
            opening, separator = b"", b","
    yield opening + b"]}"


def csv_lines(filters: EventFilters, *, sort: str, bom: bool) -> Iterator[str]:
    """Yield a header and the matching events as CSV (CRLF line ends), a batch at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    # The header goes out with the first batch, so that the first chunk has read the database.
    header = ("\ufeff" if bom else "") + buffer.getvalue()
    for batch in _batches(filters, sort):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(csv_row(orjson.loads(document)) for document in batch)
        yield header + buffer.getvalue()
        header = ""
    if header:
        yield header
