"""Load a synthetic data set: base rows in bulk, batches made by a child process.

What derives from the rows is derived by `api.writes.derived`, in the child, and added here.
"""

import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from queue import Empty

from api.storage.bulk import bulk_insert
from api.storage.connection import database, is_sqlite, utc_now
from api.storage.models import Event
from api.synthetic.generator import COLUMNS, EVENT_TABLES, Batch, event_batches, reference_rows
from api.writes import derived

BATCH_SIZE = 20_000


class GenerationFailed(Exception):
    """The database already holds events, or the generating process stopped."""


def load_synthetic(
    events: int, actors: int, seed: int, progress: Callable[[int], None]
) -> tuple[int, int]:
    """Fill an empty database with generated events, in batches; count actors and sources.

    `progress(n)` hears each batch of `n` events written.
    """
    now = utc_now().isoformat(" ")
    with database.connection_context():
        if Event.select().exists():
            raise GenerationFailed("the database already holds events: generate into an empty one")
        if is_sqlite():
            _load_quickly()
        tables, _ = reference_rows(seed, events, actors, now)
        with database.atomic():
            for table, rows in tables.items():
                bulk_insert(table, COLUMNS[table], rows)
        cells: Counter = Counter()
        with _batches_from_another_process(seed, events, actors, now) as batches:
            for batch in batches:
                _write(batch)
                cells.update(batch.cells)
                progress(len(batch))
        with database.atomic():
            derived.add_to_rollups(cells)
    return len(tables["actor"]), len(tables["source"])


@contextmanager
def _batches_from_another_process(
    seed: int, events: int, actors: int, now: str
) -> Iterator[Iterator[Batch]]:
    """Yield the event batches, made by a child process while this one writes the last."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=2)
    producer = context.Process(
        target=_produce, args=(queue, seed, events, actors, now), daemon=True
    )
    producer.start()
    try:
        yield _received(queue, producer)
    finally:
        producer.kill()
        producer.join()


def _produce(queue, seed: int, events: int, actors: int, now: str) -> None:
    """Put every event batch on the queue, then None."""
    _, records = reference_rows(seed, events, actors, now)
    for batch in event_batches(records, BATCH_SIZE, now):
        queue.put(batch)
    queue.put(None)


def _received(queue, producer) -> Iterator[Batch]:
    while True:
        try:
            batch = queue.get(timeout=1)
        except Empty:
            if not producer.is_alive():
                raise GenerationFailed(
                    f"the generating process stopped (exit code {producer.exitcode})"
                ) from None
            continue
        if batch is None:
            return
        yield batch


def _load_quickly() -> None:
    # The data is consistent by construction, and a crash mid-way leaves a database to delete
    # rather than one to repair: skip per-row key checks and the fsync of every batch.
    database.execute_sql("PRAGMA foreign_keys=OFF")
    database.execute_sql("PRAGMA synchronous=OFF")
    database.execute_sql("PRAGMA cache_size=-262144")


def _write(batch: Batch) -> None:
    """Insert one batch of generated events in one transaction."""
    with database.atomic():
        for table in EVENT_TABLES:
            bulk_insert(table, COLUMNS[table], batch.rows[table])
        derived.add_search_rows(batch.search)
