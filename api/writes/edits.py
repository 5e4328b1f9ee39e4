"""Writes through the API: create, merge-patch and delete, each checked against If-Match."""

from marshmallow import ValidationError

from api.domain.errors import (
    Conflict,
    InvalidBody,
    InvalidRecords,
    PreconditionFailed,
    PreconditionRequired,
    validation_problems,
)
from api.storage.connection import utc_now, write_transaction
from api.writes.batches import batch_problems, settle, write_batch
from api.writes.checks import Located, RecordBatch
from api.writes.journal import Author, RecordChange
from api.writes.kinds import RecordKind


def _id_taken(kind: RecordKind, record_id: str) -> bool:
    model = kind.model
    return model.select().where(model.id == record_id).exists() or kind.id_clashes(record_id)


def _free_id(kind: RecordKind, base: str) -> str:
    base = base[:190]
    candidate, suffix = base, 1
    while candidate in kind.reserved_ids or _id_taken(kind, candidate):
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def _write_checked(kind: RecordKind, record: dict, author: Author) -> None:
    batch = RecordBatch(**{kind.plural: [Located("body", record)]})
    problems = batch_problems(batch)
    if problems:
        raise InvalidRecords(problems, kind=kind.name)
    write_batch(batch, utc_now(), author)


def _check_if_match(kind: RecordKind, record_id: str, if_match) -> None:
    if not if_match:
        raise PreconditionRequired(
            f"Send If-Match with the ETag of the {kind.name} you are changing.",
            errors={"If-Match": ["Required."]},
        )
    # A record that is gone answers 404 or 410 first, whatever If-Match says.
    etag, _ = kind.current(record_id)
    if if_match.star_tag:
        # RFC 9110 lets `*` match any current representation: it would skip the lost-update
        # check that If-Match is required for.
        raise PreconditionRequired(
            f"Send If-Match with the ETag of the {kind.name} you are changing, not '*'.",
            errors={"If-Match": ["'*' matches any revision; send the ETag GET gave you."]},
        )
    if not if_match.contains(etag):
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
        merged = merge_patch(kind.read_bodies([record_id])[record_id], patch)
        try:
            record = kind.record_schema().load(merged)
        except ValidationError as error:
            problems = validation_problems("body", error.messages)
            raise InvalidRecords(problems, kind=kind.name) from None
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
        before = kind.read_bodies([record_id])[record_id]
        number = kind.live_row(record_id).revision + 1
        kind.model.update(deleted_at=now, updated_at=now, revision=number).where(
            kind.model.id == record_id
        ).execute()
        for model, column in kind.children:
            model.delete().where(getattr(model, column) == record_id).execute()
        settle([RecordChange(kind, record_id, number, before, None)], now, author)


def merge_patch(body: dict, patch: dict) -> dict:
    """Apply a JSON merge patch (RFC 7396) to a record body.

    A field set to null stays null, so that the record's schema says whether it may be (an
    optional field then takes its default). Objects inside (a place) merge key by key, where
    null removes a key.
    """

    def merged_object(target: dict, changes: dict) -> dict:
        result = dict(target)
        for key, value in changes.items():
            if value is None:
                result.pop(key, None)
            elif isinstance(value, dict) and isinstance(result.get(key), dict):
                result[key] = merged_object(result[key], value)
            else:
                result[key] = value
        return result

    merged = {**body, **patch}
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(body.get(key), dict):
            merged[key] = merged_object(body[key], value)
    return merged
