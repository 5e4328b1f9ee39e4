"""`timeline generate`: fill an empty database with a deterministic synthetic data set."""

import multiprocessing
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from queue import Empty

import click
from flask.cli import with_appcontext

from api.storage.bulk import bulk_insert
from api.storage.connection import database, is_sqlite, utc_now
from api.storage.models import Event
from api.storage.rollups import adjust_rollup
from api.storage.search_index import insert_rows
from api.synthetic.generator import COLUMNS, EVENT_TABLES, Batch, event_batches, reference_rows

BATCH_SIZE = 20_000


@click.command("generate")
@click.option(
    "--events", type=click.IntRange(1, 20_000_000), required=True, help="How many events."
)
@click.option("--actors", type=click.IntRange(40, 1_000_000), default=2000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@with_appcontext
def generate_command(events: int, actors: int, seed: int) -> None:
    """Fill an empty database with EVENTS synthetic events (for benchmarks), in batches.

    Generated records are not journaled: they have no revisions and no change-feed entries.
    """
    now = utc_now().isoformat(" ")
    with database.connection_context():
        if Event.select().exists():
            raise click.ClickException(
                "the database already holds events: generate into an empty one"
            )
        if is_sqlite():
            _load_quickly()
        tables, _ = reference_rows(seed, events, actors, now)
        with database.atomic():
            for table, rows in tables.items():
                bulk_insert(table, COLUMNS[table], rows)
        cells: Counter = Counter()
        with (
            click.progressbar(length=events, label="Generating events", file=sys.stderr) as bar,
            _batches_from_another_process(seed, events, actors, now) as batches,
        ):
            for batch in batches:
                _write(batch)
                cells.update(batch.cells)
                bar.update(len(batch))
        with database.atomic():
            adjust_rollup(cells)
    sources = len(tables["source"])
    click.echo(f"Generated {events} events, {actors} actors and {sources} sources (seed {seed}).")


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
                raise click.ClickException(
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
        insert_rows(batch.search)
