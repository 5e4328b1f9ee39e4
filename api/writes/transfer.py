"""Export and import of the whole data set as NDJSON: actors, sources, events with relations."""

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

from marshmallow import ValidationError
from peewee import chunked

from api.domain.errors import InvalidRecords, Problem, validation_problems
from api.writes.checks import Located, RecordBatch
from api.writes.journal import Author
from api.writes.kinds import KINDS, KINDS_BY_NAME

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


def read_import(path: Path) -> tuple[RecordBatch, dict]:
    """Read and validate an export file; raise InvalidRecords naming each bad line."""
    batch, stamps, problems = RecordBatch(), {}, []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            where = f"{path}:{number}"
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
    if problems:
        raise InvalidRecords(problems)
    return batch, stamps
