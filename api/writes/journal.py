"""The journal of writes: a revision per record written, a change-feed entry per event change."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from peewee import chunked

from api.storage.bulk import insert_records
from api.storage.models import Change, Revision

_CHUNK = 500


@dataclass(frozen=True)
class Author:
    """Who wrote: the token's name (None from the command line), and through what."""

    token: str | None
    via: str

    @classmethod
    def api(cls, token: str) -> "Author":
        """Return the author of a write made with a token."""
        return cls(token=token, via="api")


@dataclass(frozen=True)
class RecordChange:
    """One record written: its kind, id, new revision, and its state before and after.

    `kind` is the record's `api.writes.kinds.RecordKind`. `before` is None for a record
    that did not exist, `after` None once it is deleted; both are records as clients
    write them.
    """

    kind: Any
    record_id: str
    number: int
    before: dict | None
    after: dict | None

    @property
    def op(self) -> str:
        """Return what happened to the record: created, updated or deleted."""
        if self.after is None:
            return "deleted"
        return "created" if self.before is None else "updated"


def record_revisions(changes: Iterable[RecordChange], at: dt.datetime, author: Author) -> None:
    """Store a revision for each record changed, with the record it left."""
    rows = [
        {
            "kind": change.kind.name,
            "record_id": change.record_id,
            "number": change.number,
            "op": change.op,
            "at": at,
            "token": author.token,
            "via": author.via,
            "record": change.after,
        }
        for change in changes
    ]
    for chunk in chunked(rows, _CHUNK):
        insert_records(Revision, chunk)


def record_changes(
    ops: list[tuple[str, str]], at: dt.datetime, representations: dict[str, dict]
) -> None:
    """Append `(event_id, op)` changes to the feed, in order, each with the event it left.

    `representations` holds the events as GET now shows them; a deleted one has none.
    """
    rows = [
        {"op": op, "event_id": event_id, "at": at, "record": representations.get(event_id)}
        for event_id, op in ops
    ]
    for chunk in chunked(rows, _CHUNK):
        insert_records(Change, chunk)
