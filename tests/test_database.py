"""Storage guarantees: SQLite in WAL with a busy timeout and IMMEDIATE writes; signing keys."""

import threading
import time

import pytest
from peewee import OperationalError

from api.http.cursors import load_or_create_secret
from api.queries.actors import resolve_actor
from api.schemas.actors import ActorRecordSchema
from api.storage.connection import database, open_database, utc_now, write_transaction
from api.storage.migrations import create_schema
from api.writes.batches import batch_problems, write_batch
from api.writes.checks import Located, RecordBatch
from api.writes.seeding import SEED_AUTHOR


def test_sqlite_runs_in_wal_with_a_busy_timeout_and_immediate_writes(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout_ms=1234)
    database.initialize(db)
    create_schema()
    with database.connection_context():
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 1234
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db._lock_type == "IMMEDIATE"


def test_an_unknown_database_scheme_is_refused():
    with pytest.raises(ValueError, match="unsupported database URL scheme 'mysql'"):
        open_database("mysql://localhost/x")


def test_the_secret_is_created_once_and_then_reused(tmp_path):
    path = tmp_path / "instance" / "secret_key"
    first = load_or_create_secret(path)
    assert len(first) >= 40
    assert load_or_create_secret(path) == first
    assert list(path.parent.iterdir()) == [path]


def test_a_secret_created_by_another_process_wins(tmp_path, monkeypatch):
    path = tmp_path / "secret_key"
    real_link = __import__("os").link

    def racing_link(source, target):
        path.write_text("theirs")
        real_link(source, target)

    monkeypatch.setattr("api.http.cursors.os.link", racing_link)
    assert load_or_create_secret(path) == "theirs"
    assert list(tmp_path.iterdir()) == [path]


def _check(*actors: dict) -> list[str]:
    batch = RecordBatch(
        actors=[Located(f"a[{i}]", ActorRecordSchema().load(a)) for i, a in enumerate(actors)]
    )
    with database.connection_context():
        return [str(problem) for problem in batch_problems(batch)]


def test_a_parent_cycle_through_stored_actors_is_refused(seeded_app):
    problems = _check({"id": "iran", "name": "Iran", "kind": "state", "parent": "irgc"})
    assert problems == ["a[0]: parent: actor 'iran' would be its own ancestor"]


def test_an_actor_id_that_is_already_an_alias_is_refused(seeded_app):
    problems = _check({"id": "tehran", "name": "Tehran", "kind": "agency"})
    assert problems == ["a[0]: id: 'tehran' is already an alias of 'iran'"]


def test_an_alias_can_move_between_actors_in_one_batch(seeded_app):
    moved = [
        {"id": "russia", "name": "Russia", "kind": "state", "aliases": ["Kyiv"]},
        {"id": "ukraine", "name": "Ukraine", "kind": "state", "aliases": ["UKR"]},
    ]
    assert _check(*moved) == []
    batch = RecordBatch(actors=[Located("a", ActorRecordSchema().load(a)) for a in moved])
    with database.connection_context():
        counts = write_batch(batch, utc_now(), SEED_AUTHOR)
        assert counts["actors"]["updated"] == 2
        assert resolve_actor("kyiv") == "russia"
        assert resolve_actor("Moscow") is None


def test_the_sqlite_page_cache_is_a_setting(tmp_path):
    database.initialize(open_database(f"sqlite:///{tmp_path / 'x.db'}", cache_mb=4))
    with database.connection_context():
        assert database.execute_sql("PRAGMA cache_size").fetchone()[0] == -4096


def test_writers_of_one_process_queue_for_sqlite_each_within_the_busy_timeout(tmp_path):
    # Threads take turns before SQLite's lock (its busy handler polls, and a thread could keep
    # losing the race); a turn that does not come within the busy timeout is "locked".
    database.initialize(open_database(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout_ms=300))
    create_schema()
    holding, release = threading.Event(), threading.Event()

    def hold_a_write() -> None:
        with database.connection_context(), write_transaction():
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold_a_write)
    holder.start()
    assert holding.wait(10)
    started = time.monotonic()
    with (
        pytest.raises(OperationalError, match="other writes of this process queued"),
        database.connection_context(),
        write_transaction(),
    ):
        pass
    assert time.monotonic() - started >= 0.3
    release.set()
    holder.join(10)
    with database.connection_context(), write_transaction():
        database.execute_sql("SELECT 1")
