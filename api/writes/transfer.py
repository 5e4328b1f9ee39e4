"""Export and import: the whole data set as NDJSON, and events from the CSV export.

NDJSON (`timeline export`) holds every record with its relations and stamps. CSV (the event
export's columns) holds events only, and no quotes: importing it keeps the quote of each
citation an event already has, and leaves new citations without one.
"""

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator

from marshmallow import ValidationError
from peewee import chunked

from api.domain.errors import InvalidRecords, Problem, validation_problems
from api.domain.places import PLACE_COLUMNS
from api.queries.exports import CSV_COLUMNS, LIST_SEPARATOR
from api.writes.checks import Located, RecordBatch
from api.writes.journal import Author
from api.writes.kinds import EVENTS, KINDS, KINDS_BY_NAME

IMPORT_AUTHOR = Author(token=None, via="import")
_BATCH = 1000
_RECORD_SCHEMAS = {kind.name: kind.record_schema() for kind in KINDS}


def _stamp(value: dt.datetime) -> str:
    return value.isoformat(timespec="microseconds") + "Z"


def export_lines() -> Iterator[str]:
    """Yield every live actor, source and event as one JSON line each, by kind then id."""
    for kind in KINDS:
        model = kind.model
        query = model.select(model.id, model.created_at, model.updated_at).where(
            model.deleted_at.is_null()
        )
        for chunk in chunked(query.order_by(model.id).tuples().iterator(), _BATCH):
            records = kind.read_bodies([record_id for record_id, _, _ in chunk])
            for record_id, created_at, updated_at in chunk:
                line = {
                    "kind": kind.name,
                    "record": records[record_id],
                    "created_at": _stamp(created_at),
                    "updated_at": _stamp(updated_at),
                }
                yield json.dumps(line, ensure_ascii=False) + "\n"


def _parse_stamp(value: object) -> dt.datetime:
    if not isinstance(value, str) or not value.endswith("Z"):
        raise ValueError("must be an ISO 8601 UTC time ending in Z")
    return dt.datetime.fromisoformat(value[:-1])


def read_ndjson(lines: Iterable[str], name: str) -> tuple[RecordBatch, dict, list[Problem]]:
    """Read and validate a `timeline export` file: its good records, stamps, the bad lines."""
    batch, stamps, problems = RecordBatch(), {}, []
    for number, line in enumerate(lines, start=1):
        where = f"{name}:{number}"
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            kind = KINDS_BY_NAME[item["kind"]]
            record = _RECORD_SCHEMAS[kind.name].load(item["record"])
            stamps[(item["kind"], record["id"])] = (
                _parse_stamp(item["created_at"]),
                _parse_stamp(item["updated_at"]),
            )
        except ValidationError as error:
            problems.extend(validation_problems(where, error.messages))
            continue
        except (ValueError, KeyError, TypeError) as error:
            message = f"not an export line ({type(error).__name__}: {error})"
            problems.append(Problem(where, "", message))
            continue
        getattr(batch, kind.plural).append(Located(where, record))
    return batch, stamps, problems


# The CSV columns a client writes; the others (dates, names) are the server's to derive.
_CSV_REQUIRED = ("id", "title", "summary", "type", "date", "status", "actors", "sources")
_CSV_STAMPS = ("created_at", "updated_at")
# Where csv.DictReader puts the values of a row longer than its header.
_SURPLUS = "\x00surplus"


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(LIST_SEPARATOR.strip()) if item.strip()]


def _pairs(text: str, separator: str, names: tuple[str, str]) -> list[dict]:
    """Split `a:b; c:d` into `{names[0]: a, names[1]: b}`; a half pair lacks its second key."""
    pairs = []
    for item in _items(text):
        first, found, second = item.partition(separator)
        pairs.append({names[0]: first, names[1]: second} if found else {names[0]: first})
    return pairs


def _csv_header_problems(header: list[str] | None, where: str) -> list[Problem]:
    if header is None:
        return [Problem(where, "", "the file is empty: a CSV export starts with its header")]
    problems = [
        Problem(where, column, "unknown column") for column in header if column not in CSV_COLUMNS
    ]
    problems += [
        Problem(where, column, "missing column")
        for column in _CSV_REQUIRED
        if column not in header
    ]
    if sum(column in header for column in _CSV_STAMPS) == 1:
        problems.append(
            Problem(where, "created_at", "give both created_at and updated_at, or neither")
        )
    return problems


def _csv_record(row: dict[str, str]) -> tuple[dict, list[str]]:
    """Turn one CSV row into an event record as clients write it (quotes left empty).

    Also returns the sources that `via` names but the row does not cite.
    """
    via = {pair["id"]: pair.get("via") for pair in _pairs(row.get("via", ""), ">", ("id", "via"))}
    record = {
        **{column: row[column] for column in _CSV_REQUIRED[:6]},
        "note": row.get("note") or None,
        "actors": _pairs(row["actors"], ":", ("id", "role")),
        "sources": [
            {"id": source_id, "quote": None, "via": via.pop(source_id, None)}
            for source_id in _items(row["sources"])
        ],
        "tags": _items(row.get("tags", "")),
        "related": _pairs(row.get("related", ""), ":", ("id", "relation")),
        "place": _csv_place(row),
        "origin": _csv_origin(row),
    }
    return record, sorted(via)


def _csv_origin(row: dict[str, str]) -> dict | None:
    """Read the origin columns (empty: our own record); `origin_fields` is a JSON object."""
    if not row.get("origin_dataset"):
        return None
    text = row.get("origin_fields") or "{}"
    try:
        upstream = json.loads(text)
    except ValueError:
        upstream = text  # not an object: the schema names the column's problem
    return {"dataset": row["origin_dataset"], "id": row.get("origin_id"), "fields": upstream}


def _csv_place(row: dict[str, str]) -> dict | None:
    """Read the place columns (empty: none; the schema checks the values, numbers included)."""
    if not row.get(PLACE_COLUMNS["name"]):
        return None
    return {name: row.get(column) or None for name, column in PLACE_COLUMNS.items()}


def _keep_stored_quotes(records: list[dict]) -> None:
    """Give each citation an event already has (same source, same `via`) its stored quote."""
    stored: dict[str, dict] = {}
    for chunk in chunked([record["id"] for record in records], _BATCH):
        stored.update(EVENTS.read_bodies(chunk))
    for record in records:
        quotes = {
            (citation["id"], citation["via"]): citation["quote"]
            for citation in stored.get(record["id"], {}).get("sources", [])
        }
        for citation in record["sources"]:
            citation["quote"] = quotes.get((citation["id"], citation["via"]))


def read_csv(lines: Iterable[str], name: str) -> tuple[RecordBatch, dict, list[Problem]]:
    """Read and validate events in the CSV export's columns: good events, stamps, bad rows.

    Raise InvalidRecords if the header will not do.
    """
    reader = csv.DictReader(lines, restkey=_SURPLUS)
    problems = _csv_header_problems(reader.fieldnames, f"{name}:1")
    if problems:
        raise InvalidRecords(problems)
    rows, stamps = [], {}
    for row in reader:
        where = f"{name}:{reader.line_num}"
        if _SURPLUS in row or None in row.values():
            problems.append(Problem(where, "", "the row does not have one value per column"))
            continue
        record, unmatched = _csv_record(row)
        row_problems = [
            Problem(where, "via", f"{source_id!r} is not among the row's sources")
            for source_id in unmatched
        ]
        if all(row.get(column) for column in _CSV_STAMPS):
            try:
                stamps[("event", row["id"])] = tuple(_parse_stamp(row[c]) for c in _CSV_STAMPS)
            except ValueError as error:
                row_problems.append(Problem(where, "created_at", str(error)))
        problems += row_problems
        if not row_problems:
            rows.append(Located(where, record))
    _keep_stored_quotes([item.record for item in rows])
    batch = RecordBatch()
    for item in rows:
        try:
            batch.events.append(Located(item.where, _RECORD_SCHEMAS["event"].load(item.record)))
        except ValidationError as error:
            problems.extend(validation_problems(item.where, error.messages))
    return batch, stamps, problems


IMPORT_READERS: dict[
    str, Callable[[Iterable[str], str], tuple[RecordBatch, dict, list[Problem]]]
] = {
    "ndjson": read_ndjson,
    "csv": read_csv,
}
