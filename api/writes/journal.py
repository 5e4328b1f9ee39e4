"""The journal of writes: a revision per record written, a change-feed entry per event change."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import chunked

from api.queries.event_representations import describe_events
from api.storage.documents import store_documents
from api.storage.models import Change, EventActor, EventSource, Revision

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


def record_revisions(
    kind: str,
    written: Iterable[tuple[str, int, str, dict | None]],
    at: dt.datetime,
    author: Author,
) -> None:
    """Store a revision for each `(id, number, op, record)` written."""
    rows = [
        {
            "kind": kind,
            "record_id": record_id,
            "number": number,
            "op": op,
            "at": at,
            "token": author.token,
            "via": author.via,
            "record": record,
        }
        for record_id, number, op, record in written
    ]
    for chunk in chunked(rows, _CHUNK):
        Revision.insert_many(chunk).execute()


def event_representations(event_ids: list[str]) -> dict[str, dict]:
    """Return events as GET /v1/events/{id} shows them, as JSON-ready dicts."""
    found: dict[str, dict] = {}
    for chunk in chunked(event_ids, _CHUNK):
        for event in describe_events(chunk):
            found[event["id"]] = event
    return found


def record_changes(ops: list[tuple[str, str]], at: dt.datetime) -> None:
    """Append `(event_id, op)` changes to the feed, in order, with each event's new record.

    Every change to an event comes through here, so here its stored document is renewed.
    """
    records = event_representations([event_id for event_id, op in ops if op != "deleted"])
    store_documents(records)
    rows = [
        {"op": op, "event_id": event_id, "at": at, "record": records.get(event_id)}
        for event_id, op in ops
    ]
    for chunk in chunked(rows, _CHUNK):
        Change.insert_many(chunk).execute()


def events_citing(*, actors: Iterable[str] = (), sources: Iterable[str] = ()) -> list[str]:
    """Return the live events that name these actors or cite these sources, by id."""
    found: set[str] = set()
    for model, column, ids in ((EventActor, "actor", actors), (EventSource, "source", sources)):
        for chunk in chunked(sorted(set(ids)), _CHUNK):
            query = model.select(model.event).where(getattr(model, column).in_(chunk))
            found.update(row[0] for row in query.tuples())
    return sorted(found)
