"""Build small synthetic data sets through the same checks and upserts as the fixtures."""

from api.schemas.actors import ActorRecordSchema
from api.schemas.events import EventRecordSchema
from api.schemas.sources import SourceRecordSchema
from api.storage.connection import database, utc_now
from api.writes.batches import batch_problems, write_batch
from api.writes.checks import Located, RecordBatch
from api.writes.journal import Author

SOURCE = {"id": "test-source", "publisher": "Test", "title": "Test source"}
ACTORS = [
    {"id": "alpha", "name": "Alpha", "kind": "state"},
    {"id": "beta", "name": "Beta", "kind": "state"},
]


# What the seeded fixtures hold: Iran and Russia, and the article they were curated from.
FIXTURE_SOURCE = "eurasiareview-iran-missile-shipments-russia"
IRAN_SUPPLIES_RUSSIA = (
    {"id": "iran", "role": "supplier"},
    {"id": "russia", "role": "recipient"},
)


def event_body(date: str, /, **fields) -> dict:
    """Return a valid event as a client sends it: with no `id`, the API derives one."""
    return {
        "title": "Synthetic event",
        "summary": "A synthetic event.",
        "type": "statement",
        "date": date,
        "status": "confirmed",
        "actors": [{"id": "alpha", "role": "speaker"}],
        "sources": [{"id": SOURCE["id"], "quote": "A sentence."}],
        **fields,
    }


def event(event_id: str, date: str, /, **fields) -> dict:
    """Return a valid event record with sensible defaults."""
    return {"id": event_id, **event_body(date, **{"title": f"Event {event_id}", **fields})}


def fixture_event_body(date: str, /, **fields) -> dict:
    """Return a valid event among the seeded fixtures: Iran supplies Russia, per the article."""
    return event_body(
        date,
        **{
            "actors": [dict(actor) for actor in IRAN_SUPPLIES_RUSSIA],
            "sources": [{"id": FIXTURE_SOURCE, "quote": "A sentence."}],
            **fields,
        },
    )


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
        write_batch(batch, utc_now(), Author(token=None, via="seed"))


def synthetic_import_file(path, count: int) -> None:
    """Write an export-format file: the fixture actors and sources, and `count` new events."""
    import json  # noqa: PLC0415 - only this helper needs it

    from fixture_oracle import fixture_records  # noqa: PLC0415

    stamp = "2026-01-01T00:00:00.000000Z"
    with path.open("w", encoding="utf-8") as output:
        for kind in ("actors", "sources"):
            for record in fixture_records()[kind]:
                line = {
                    "kind": kind[:-1],
                    "record": record,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                output.write(json.dumps(line) + "\n")
        for number in range(count):
            record = fixture_event_body(
                f"20{10 + number % 15:02d}-{1 + number % 12:02d}",
                id=f"2020-synthetic-{number:06d}",
                tags=[f"batch-{number % 7}"],
                related=[],
                note=None,
            )
            line = {"kind": "event", "record": record, "created_at": stamp, "updated_at": stamp}
            output.write(json.dumps(line) + "\n")
