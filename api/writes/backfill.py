"""Journal the records a database held before it had revisions and a change feed."""

import datetime as dt

from peewee import chunked

from api.storage.models import Revision
from api.writes import derived
from api.writes.journal import Author, RecordChange, record_changes, record_revisions
from api.writes.kinds import KINDS

# Records that predate the journal came in through the seed.
BACKFILL_AUTHOR = Author(token=None, via="seed")


def backfill_journal(now: dt.datetime) -> int:
    """Give every live record a 'created' revision and every live event a feed entry.

    Does nothing once anything is journaled; returns how many records it journaled.
    """
    if Revision.select().exists():
        return 0
    journaled = 0
    for kind in KINDS:
        model = kind.model
        query = model.select(model.id, model.revision).where(model.deleted_at.is_null())
        for chunk in chunked(query.order_by(model.created_at, model.id).tuples(), 500):
            ids = [record_id for record_id, _ in chunk]
            bodies = kind.read_bodies(ids)
            record_revisions(
                [RecordChange(kind, rid, number, None, bodies[rid]) for rid, number in chunk],
                now,
                BACKFILL_AUTHOR,
            )
            if kind.in_change_feed:
                shown = {item.event_id: item.representation for item in derived.derive_live(ids)}
                record_changes([(rid, "created") for rid in ids], now, shown)
            journaled += len(chunk)
    return journaled
