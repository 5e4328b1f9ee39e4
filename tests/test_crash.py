"""A killed import leaves the database whole: none of the import, or all of it."""

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from api.storage.connection import database
from api.storage.models import Actor, Change, Event
from builders import synthetic_import_file
from fixture_oracle import fixture_records

ROOT = Path(__file__).resolve().parent.parent
EVENTS = 20_000


def _import(database_url: str, path: Path) -> subprocess.Popen:
    env = {**os.environ, "TIMELINE_DATABASE_URL": database_url, "TIMELINE_SECRET_KEY": "crash"}
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "import", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _counts() -> tuple[int, int, int]:
    with database.connection_context():
        return Actor.select().count(), Event.select().count(), Change.select().count()


def test_sigkill_halfway_through_an_import_writes_nothing_and_a_rerun_completes(
    app, database_url, tmp_path
):
    path = tmp_path / "big.ndjson"
    synthetic_import_file(path, EVENTS)
    importer = _import(database_url, path)
    halfway = f"events: {EVENTS // 2}/{EVENTS} written"
    seen = []
    for line in importer.stderr:
        seen.append(line)
        if line.strip() == halfway:
            importer.send_signal(signal.SIGKILL)
            break
    importer.wait(timeout=60)
    importer.stdout.close()
    importer.stderr.close()
    assert importer.returncode == -signal.SIGKILL, "".join(seen[-5:])

    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert _counts() == (0, 0, 0)

    rerun = _import(database_url, path)
    output, errors = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, errors
    assert f"events: {EVENTS} created" in output
    assert _counts() == (len(fixture_records()["actors"]), EVENTS, EVENTS)
