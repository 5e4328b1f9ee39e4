"""Writes through the API: create, merge-patch and delete, each checked against If-Match."""

from marshmallow import ValidationError

from api.domain.errors import (
    Conflict,
    Gone,
    InvalidBody,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    flatten_messages,
)
from api.domain.names import alias_key
from api.schemas.events import RESERVED_EVENT_IDS
from api.storage.connection import utc_now, write_transaction
from api.storage.models import ActorAlias
from api.storage.rollups import adjust_rollup, rollup_deltas
from api.storage.search_index import index_events
from api.writes.batches import write_batch
from api.writes.checks import Located, RecordBatch, batch_problems
from api.writes.journal import Author, record_changes, record_revisions
from api.writes.kinds import RecordKind, representation_etag


def _id_taken(kind: RecordKind, record_id: str) -> bool:
    if kind.model.select().where(kind.model.id == record_id).exists():
        return True
    # An actor id may not equal an alias either, or lookups would be ambiguous.
    aliases = ActorAlias.select().where(ActorAlias.key == alias_key(record_id))
    return kind.name == "actor" and aliases.exists()


def _free_id(kind: RecordKind, base: str) -> str:
    base = base[:190]
    candidate, suffix = base, 1
    while candidate in RESERVED_EVENT_IDS or _id_taken(kind, candidate):
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def _write_checked(kind: RecordKind, record: dict, author: Author) -> None:
    batch = RecordBatch(**{kind.batch_field: [Located("body", record)]})
    problems = batch_problems(batch)
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.field, []).append(problem.message)
        raise InvalidBody(f"invalid {kind.name}: {', '.join(errors)}", errors=errors)
    write_batch(batch, utc_now(), author)


def _live_row(kind: RecordKind, record_id: str):
    row = kind.model.get_or_none(kind.model.id == record_id)
    if row is None:
        raise NotFound(f"No {kind.name} with id {record_id!r}.")
    if row.deleted_at is not None:
        raise Gone(f"The {kind.name} {record_id!r} was deleted.")
    return row


def current_etag(kind: RecordKind, record_id: str) -> tuple[str, dict]:
    """Return the ETag and representation of a live record (404 or 410 otherwise)."""
    row = _live_row(kind, record_id)
    representation = kind.representation(record_id)
    return representation_etag(row.revision, representation), representation


def _check_if_match(kind: RecordKind, record_id: str, if_match) -> None:
    if not if_match:
        raise PreconditionRequired(
            f"Send If-Match with the ETag of the {kind.name} you are changing.",
            errors={"If-Match": ["Required."]},
        )
    etag, _ = current_etag(kind, record_id)
    if not (if_match.star_tag or if_match.contains(etag)):
        raise PreconditionFailed(
            f"The {kind.name} {record_id!r} changed since that ETag; GET it and retry.",
            errors={"If-Match": [f"The current ETag is {etag!r}."]},
        )


def create(kind: RecordKind, record: dict, author: Author) -> str:
    """Create a record, deriving its id from its content when none is given; return the id."""
    with write_transaction():
        if record.get("id"):
            if _id_taken(kind, record["id"]):
                raise Conflict(
                    f"The id {record['id']!r} is taken (ids of deleted records stay taken).",
                    errors={"id": ["Taken."]},
                )
        else:
            record = {**record, "id": _free_id(kind, kind.base_id(record))}
        _write_checked(kind, record, author)
    return record["id"]


def update(kind: RecordKind, record_id: str, patch: dict, if_match, author: Author) -> None:
    """Apply a JSON merge patch to a live record whose ETag matches If-Match."""
    with write_transaction():
        _check_if_match(kind, record_id, if_match)
        if patch.get("id", record_id) != record_id:
            raise InvalidBody("An id cannot be changed.", errors={"id": ["Cannot be changed."]})
        merged = {**kind.stored([record_id])[record_id], **patch}
        try:
            record = kind.record_schema().load(merged)
        except ValidationError as error:
            errors = flatten_messages(error.messages, index_lists=True)
            raise InvalidBody(f"invalid {kind.name}: {', '.join(errors)}", errors=errors) from None
        _write_checked(kind, record, author)


def delete(kind: RecordKind, record_id: str, if_match, author: Author) -> None:
    """Soft-delete a live record nothing else refers to; keep its id and its history."""
    with write_transaction():
        _check_if_match(kind, record_id, if_match)
        referrers = kind.referrers(record_id)
        if referrers:
            listed = ", ".join(referrers[:10]) + (" ..." if len(referrers) > 10 else "")
            raise Conflict(
                f"The {kind.name} {record_id!r} is still referred to by {listed}.",
                errors={"id": [f"Referred to by {len(referrers)} record(s)."]},
            )
        now = utc_now()
        row = kind.model.get_by_id(record_id)
        number = row.revision + 1
        kind.model.update(deleted_at=now, updated_at=now, revision=number).where(
            kind.model.id == record_id
        ).execute()
        for model, column in kind.children:
            model.delete().where(getattr(model, column) == record_id).execute()
        record_revisions(kind.name, [(record_id, number, "deleted", None)], now, author)
        if kind.name == "event":
            record_changes([(record_id, "deleted")], now)
            index_events([record_id])
            adjust_rollup(rollup_deltas(removed=[(row.date, row.type, row.status)], added=[]))
