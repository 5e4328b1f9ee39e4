"""Journal the records a database held before it had revisions and a change feed."""

import datetime as dt

from peewee import chunked

from api.queries.record_bodies import (
    stored_actor_records,
    stored_event_records,
    stored_source_records,
)
from api.storage.models import Actor, Event, Revision, Source
from api.writes.journal import Author, record_changes, record_revisions

# Records that predate the journal came in through the seed.
BACKFILL_AUTHOR = Author(token=None, via="seed")
_KINDS = (
    ("actor", Actor, stored_actor_records),
    ("source", Source, stored_source_records),
    ("event", Event, stored_event_records),
)


def backfill_journal(now: dt.datetime) -> int:
    """Give every live record a 'created' revision and every live event a feed entry.

    Does nothing once anything is journaled; returns how many records it journaled.
    """
    if Revision.select().exists():
        return 0
    journaled = 0
    for kind, model, stored in _KINDS:
        query = model.select(model.id, model.revision).where(model.deleted_at.is_null())
        for chunk in chunked(query.order_by(model.created_at, model.id).tuples(), 500):
            records = stored([record_id for record_id, _ in chunk])
            written = [(rid, number, "created", records[rid]) for rid, number in chunk]
            record_revisions(kind, written, now, BACKFILL_AUTHOR)
            if kind == "event":
                record_changes([(record_id, "created") for record_id, _ in chunk], now)
            journaled += len(chunk)
    return journaled
