"""The history of writes: every revision of a record, and the change feed of events."""

from api.storage.models import Change, Revision

REVISION_FIELDS = ("number", "at", "op", "token", "via", "record")


def revisions_of(kind: str, record_id: str) -> list[dict]:
    """Return every revision of one record, oldest first (empty if it was never written)."""
    rows = (
        Revision.select()
        .where(Revision.kind == kind, Revision.record_id == record_id)
        .order_by(Revision.number)
    )
    return [{name: getattr(row, name) for name in REVISION_FIELDS} for row in rows]


def changes_after(after: int, limit: int) -> list[Change]:
    """Return up to `limit` changes of the feed after position `after`, in commit order."""
    return list(Change.select().where(Change.id > after).order_by(Change.id).limit(limit))
