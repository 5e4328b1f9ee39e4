"""Build small synthetic data sets through the same checks and upserts as the fixtures."""

from api.database import database, utc_now
from api.records import Located, RecordBatch, batch_problems
from api.schemas.actors import ActorRecordSchema
from api.schemas.events import EventRecordSchema
from api.schemas.sources import SourceRecordSchema
from api.upsert import write_batch

SOURCE = {"id": "test-source", "publisher": "Test", "title": "Test source"}
ACTORS = [
    {"id": "alpha", "name": "Alpha", "kind": "state"},
    {"id": "beta", "name": "Beta", "kind": "state"},
]


def event(event_id: str, date: str, **fields) -> dict:
    """Return a valid event record with sensible defaults."""
    return {
        "id": event_id,
        "title": f"Event {event_id}",
        "summary": "A synthetic event.",
        "type": "statement",
        "date": date,
        "status": "confirmed",
        "actors": [{"id": "alpha", "role": "speaker"}],
        "sources": [{"id": SOURCE["id"], "quote": "A sentence."}],
        **fields,
    }


def write_records(*, events=(), actors=ACTORS, sources=(SOURCE,)) -> None:
    """Validate and write records, failing loudly on any problem."""
    batch = RecordBatch(
        actors=[Located("test", ActorRecordSchema().load(a)) for a in actors],
        sources=[Located("test", SourceRecordSchema().load(s)) for s in sources],
        events=[Located("test", EventRecordSchema().load(e)) for e in events],
    )
    with database.connection_context():
        problems = batch_problems(batch)
        assert not problems, problems
        write_batch(batch, utc_now())
