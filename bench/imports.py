"""The bench's import run: a generated ACLED-format file loaded into an empty database.

`python -m bench.imports --rows 100000 1000000 --backend sqlite postgresql` writes the files
(cached in bench/cache/), imports each into a new empty database with `timeline import
--format acled`, and reports rows a second, the importer's peak RSS and whether `timeline
verify` passes after. The rows are made from a seed: same seed, same file.
"""

import argparse
import csv
import datetime as dt
import json
import os
import random
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from bench.datasets import CACHE, ROOT, TIMELINE, _with_database, run_timeline
from bench.load import resident_mb, worker_pids

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
# The sizes the run imports: memory must stay flat from the first to the last.
IMPORT_ROWS = (100_000, 1_000_000)

COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
_TYPES = (
    ("Political violence", "Battles", "Armed clash"),
    ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike"),
    ("Political violence", "Violence against civilians", "Attack"),
    ("Demonstrations", "Protests", "Peaceful protest"),
    ("Demonstrations", "Riots", "Violent demonstration"),
    ("Strategic developments", "Strategic developments", "Agreement"),
    ("Strategic developments", "Strategic developments", "Looting/property destruction"),
)
_COUNTRIES = (
    ("804", "UKR", "Ukraine", "Europe", 48.4, 31.2),
    ("760", "SYR", "Syria", "Middle East", 35.0, 38.5),
    ("364", "IRN", "Iran", "Middle East", 32.4, 53.7),
    ("887", "YEM", "Yemen", "Middle East", 15.6, 48.5),
    ("729", "SDN", "Sudan", "Northern Africa", 15.5, 30.2),
    ("466", "MLI", "Mali", "Western Africa", 17.6, -3.9),
)


def write_acled_file(path: Path, rows: int, seed: int = 1) -> None:
    """Write `rows` ACLED export rows: 2,000 actors, 60 publishers, 600 places, 8 types."""
    chance = random.Random(seed)
    actors = [f"Armed Group {n} ({1990 + n % 30}-)" for n in range(2000)]
    publishers = [f"Publisher {n}" for n in range(60)]
    start = dt.date(2018, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for number in range(rows):
            numeric, code, country, region, latitude, longitude = chance.choice(_COUNTRIES)
            disorder, event_type, sub_type = chance.choice(_TYPES)
            place = chance.randrange(100)
            day = start + dt.timedelta(days=chance.randrange(2500))
            first, second = chance.sample(actors, 2)
            writer.writerow(
                (
                    f"{code}{number + 1}",
                    day.isoformat(),
                    day.year,
                    chance.choice("1112223"),
                    disorder,
                    event_type,
                    sub_type,
                    first,
                    chance.choice(("", "", chance.choice(actors))),
                    "Rebel group",
                    second,
                    "",
                    "State forces",
                    "Rebel group-State forces",
                    "",
                    numeric,
                    region,
                    country,
                    f"{country} Region {place % 10}",
                    f"{country} District {place}",
                    "",
                    f"{country} Town {place}",
                    round(latitude + (place % 17) / 10, 4),
                    round(longitude + (place % 13) / 10, 4),
                    chance.choice("1123"),
                    "; ".join(chance.sample(publishers, chance.choice((1, 1, 2)))),
                    "National",
                    f"On {day:%d %B %Y}, {first} clashed with {second} near {country} "
                    f"Town {place}. Reported by local media.",
                    chance.choice((0, 0, 0, 1, 2, 5)),
                    "",
                    1_700_000_000 + number,
                )
            )


def _file(rows: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"acled-{rows}.csv"
    if not path.exists():
        building = path.with_suffix(".building")
        write_acled_file(building, rows)
        building.rename(path)
    return path


def _empty_database(backend: str, rows: int) -> str:
    """Create an empty database with the schema; return its URL."""
    if backend == "sqlite":
        path = CACHE / f"import-{rows}.db"
        for leftover in CACHE.glob(f"{path.name}*"):
            leftover.unlink()
        url = f"sqlite:///{path}"
    else:
        import psycopg2

        server = os.environ.get("BENCH_POSTGRES_URL", POSTGRES_SERVER)
        name = f"timeline_bench_import_{rows}"
        admin = psycopg2.connect(server)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        url = _with_database(server, name)
    run_timeline(url, "init-db")
    return url


class _TreeMemory:
    """The peak of a process's RSS summed with its children's (the importer's loader), polled."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_mb = pid, 0.0
        self._done = threading.Event()
        self._poller = threading.Thread(target=self._poll, daemon=True)
        self._poller.start()

    def _poll(self) -> None:
        while not self._done.wait(0.2):
            try:
                pids = [self.pid, *worker_pids(self.pid)]
            except OSError:
                continue  # the importer has ended
            self.peak_mb = max(self.peak_mb, sum(map(resident_mb, pids)))

    def stop(self) -> None:
        """Stop polling."""
        self._done.set()
        self._poller.join()


def measure_import(backend: str, rows: int) -> dict:
    """Import a generated file of `rows` rows into an empty database; time it, then verify."""
    path, url = _file(rows), _empty_database(backend, rows)
    environment = {**os.environ, "TIMELINE_DATABASE_URL": url}
    with tempfile.TemporaryFile("w+") as output, tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        importer = subprocess.Popen(
            [str(TIMELINE), "import", "--format", "acled", str(path)],
            env=environment,
            cwd=ROOT,
            stdout=output,
            stderr=errors,
        )
        tree = _TreeMemory(importer.pid)
        # wait4, not wait: it gives the peak RSS of the importer's largest process.
        _, status, usage = os.wait4(importer.pid, 0)
        seconds = time.perf_counter() - started
        tree.stop()
        importer.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        errors.seek(0)
        printed, complained = output.read(), errors.read()
    verified = run_timeline(url, "verify", check=False)
    floor = sqlite_storage_floor(url, rows) if backend == "sqlite" else None
    return {
        "backend": backend,
        "rows": rows,
        "exit": importer.returncode,
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "peak_tree_rss_mb": round(tree.peak_mb),
        "counts": printed.strip().splitlines()[-3:],
        "errors": complained.strip().splitlines()[-3:],
        "verify": {"passed": verified.returncode == 0, "output": verified.stdout[-500:]},
        "storage_floor": floor,
    }


def sqlite_storage_floor(imported_url: str, rows: int) -> dict:
    """Copy an imported SQLite database's rows into an empty one by SQL alone; time it.

    The reference an import's speed is read against: what storing its rows (events, linking
    rows, search rows, rollups, revisions, feed entries) costs with no Python work per row.
    """
    source = imported_url.removeprefix("sqlite:///")
    copy = CACHE / f"floor-{rows}.db"
    for leftover in CACHE.glob(f"{copy.name}*"):
        leftover.unlink()
    run_timeline(f"sqlite:///{copy}", "init-db")
    connection = sqlite3.connect(copy, isolation_level=None)
    connection.execute("ATTACH DATABASE ? AS imported", (source,))
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM imported.sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'event_search_index_%'"
        )
    ]
    started = time.perf_counter()
    connection.execute("BEGIN")
    copied = 0
    for table in tables:
        if connection.execute(f"SELECT 1 FROM main.{table} LIMIT 1").fetchone():
            continue  # written by init-db (the schema's version): nothing imported
        columns = "rowid, *" if table == "event_search_index" else "*"
        names = "(rowid, event_id, title, summary, actors, tags)" if columns != "*" else ""
        copied += connection.execute(
            f"INSERT INTO main.{table} {names} SELECT {columns} FROM imported.{table}"
        ).rowcount
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    for leftover in CACHE.glob(f"{copy.name}*"):
        leftover.unlink()
    return {"seconds": round(seconds, 1), "rows_per_second": round(rows / seconds), "rows": copied}


def _floor_text(floor: dict | None) -> str:
    return f"{floor['rows_per_second']:,}" if floor else "-"


def imports_table(runs: list[dict]) -> str:
    """Return the runs as a Markdown table."""
    lines = [
        "| backend | rows | seconds | rows/s | peak RSS, MB (largest process / all) | verify "
        "| SQL copy, rows/s |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    lines += [
        f"| {r['backend']} | {r['rows']:,} | {r['seconds']} | {r['rows_per_second']:,} "
        f"| {r['peak_rss_mb']} / {r['peak_tree_rss_mb']} "
        f"| {'passed' if r['verify']['passed'] else 'FAILED'} "
        f"| {_floor_text(r['storage_floor'])} |"
        for r in runs
    ]
    return "\n".join(lines)


def main() -> None:
    """Run the import measurements and print them (table, then JSON)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=list(IMPORT_ROWS))
    parser.add_argument(
        "--backend", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"]
    )
    args = parser.parse_args()
    runs = [measure_import(backend, rows) for backend in args.backend for rows in args.rows]
    print(imports_table(runs))
    print(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
