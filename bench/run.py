"""`make bench`: Q1-Q7 against the production gunicorn setup, beside a ceiling and a floor.

First the import run (bench/imports.py): generated ACLED files of 100k and 1M rows imported
into an empty database. Then the sweep of every read endpoint (bench/sweep.py), at 10k and 1M
events.

Usage: python -m bench.run [--backend sqlite|postgresql|all] [--seconds 5] [--runs 3]
       [--sweep-only | --no-sweep | --imports-only] [--no-imports] [--import-rows N ...]
       [--sweep-events 10000 1000000] [--sweep-runs N] [--no-writes] [--scale-events 10000000]
"""

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import sys
from dataclasses import asdict

from bench.datasets import (
    ROOT,
    generator_digest,
    popular_actor,
    postgres_dataset,
    query_rows,
    sqlite_dataset,
)
from bench.export import measure_export
from bench.floor import captured_statements, floor_seconds
from bench.imports import IMPORT_ROWS, imports_table, measure_import
from bench.load import check, gunicorn, wrk
from bench.report import capacity, table, targets
from bench.sweep import default_runs, scale_requests, scale_table, sweep, sweep_table
from bench.writes import measure_writes, writes_table

EVENTS, SMALL_EVENTS = 1_000_000, 10_000
EXPORT_SIZES = (10_000, 50_000, 100_000)
WORKERS = 2
Q1 = "/v1/events?from=2023-01-01&to=2023-12-31&limit=100"
SCALED = ("Q2", "Q2-10")
RESULTS = ROOT / "bench" / "results"
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def choose_inputs(url: str) -> dict:
    """Pick the popular actor, the event and the export ranges the queries use."""
    actor = popular_actor(url)
    event_id = query_rows(
        url,
        "SELECT id FROM event WHERE date_start >= '2023-06-01' ORDER BY date_start, id LIMIT 1",
    )[0][0]
    exports = {}
    for size in EXPORT_SIZES:
        last = query_rows(
            url,
            "SELECT date_start FROM event WHERE date_start >= '2020-01-01' "
            f"ORDER BY date_start LIMIT 1 OFFSET {size}",
        )[0][0]
        exports[size] = f"from=2020-01-01&to={str(last)[:10]}&date_match=within"
    return {"actor": actor, "event_id": event_id, "exports": exports}


def query_paths(picked: dict) -> dict[str, str]:
    """Return Q1-Q6 as paths, and Q2-10: Q2 with pages of 10."""
    q2 = f"{Q1}&actor={picked['actor']}&role=supplier"
    return {
        "Q1": Q1,
        "Q2": q2,
        "Q3": "/v1/stats/histogram?from=2020-01&to=2026-12&interval=month&group_by=type",
        "Q4": f"/v1/events/{picked['event_id']}",
        "Q5": f"{q2}&count=true",
        "Q6": "/v1/events?q=missiles&limit=100",
        "Q2-10": q2.replace("limit=100", "limit=10"),
    }


def floors(url: str, paths: dict[str, str], export_query: str) -> dict:
    """Time each query's own SQL through the bare driver, in this process."""
    found = {}
    for name, path in paths.items():
        statements = captured_statements(url, path)
        seconds = floor_seconds(url, statements)
        found[name] = {
            "statements": len(statements),
            "ms": round(seconds * 1000, 3),
            # What WORKERS processes doing nothing but this SQL could serve at most.
            "requests_per_second": round(WORKERS / seconds, 1),
        }
    statements = captured_statements(url, f"/v1/events/export?format=csv&{export_query}")
    seconds = floor_seconds(url, statements, budget=0, runs=2)
    found["Q7"] = {"statements": len(statements), "seconds": round(seconds, 3)}
    return found


def loads(url: str, paths: dict[str, str], worker_class: str, args) -> dict:
    """Drive each query, then the hello-world ceiling, under one worker class."""
    found = {}
    with gunicorn(url, worker_class=worker_class) as (base, _):
        for name, path in paths.items():
            check(base + path)
            found[name] = asdict(wrk(base + path, seconds=args.seconds, runs=args.runs))
            print(f"  {worker_class} {name}: {found[name]}", file=sys.stderr)
    with gunicorn(url, worker_class=worker_class, app="bench.hello:create_app()") as (base, _):
        found["hello"] = asdict(wrk(base + "/hello", seconds=args.seconds, runs=args.runs))
    return found


def _rows_of(body: bytes) -> int:
    return len(json.loads(body)["data"])


def scale(url: str, small_url: str, paths: dict[str, str], args) -> dict:
    """Q2 and Q2-10 against the small database, for the p50 ratios between the two sizes.

    With 10k events Q2's page holds fewer events than with 1M; Q2-10 (a page of 10) is full
    at both sizes, so its ratio is the cost of the data's size alone.
    """
    found = {"events": SMALL_EVENTS}
    with gunicorn(url, worker_class="sync") as (base, _):
        found["rows_at_1m"] = {name: _rows_of(check(base + paths[name])) for name in SCALED}
    with gunicorn(small_url, worker_class="sync") as (base, _):
        for name in SCALED:
            rows = _rows_of(check(base + paths[name]))
            load = wrk(base + paths[name], seconds=args.seconds, runs=args.runs)
            found[name] = {"rows": rows, **asdict(load)}
    return found


def exports(url: str, picked: dict) -> list[dict]:
    """Q7 at growing sizes, each in a fresh server so that peaks do not carry over."""
    found = []
    for size in EXPORT_SIZES:
        with gunicorn(url, worker_class="sync") as (base, master):
            check(base + "/v1/events?limit=1")
            found.append({"size": size, **measure_export(base, master, picked["exports"][size])})
    return found


def environment(url: str) -> dict:
    """Describe the machine and the database versions."""
    if url.startswith("sqlite"):
        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        database = query_rows(url, "SELECT version()")[0][0].split(",")[0]
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "database": database,
        "generator": generator_digest(),
        "workers": WORKERS,
    }


def dataset(backend: str, events: int) -> tuple[str, float | None]:
    """Return the URL of the cached database of `events` events (and its build seconds)."""
    if backend == "sqlite":
        return sqlite_dataset(events)
    return postgres_dataset(os.environ.get("BENCH_POSTGRES_URL", POSTGRES_SERVER), events)


def _header(backend: str, url: str, events: int, built: float | None) -> dict:
    """Return what every result file starts with: backend, time, machine, size, build time."""
    return {
        "backend": backend,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "environment": environment(url),
        "events": events,
        "generate_seconds": None if built is None else round(built, 1),
    }


def bench_backend(backend: str, args) -> dict:
    """Run every measurement against one backend and return the results."""
    (url, built), (small_url, _) = dataset(backend, EVENTS), dataset(backend, SMALL_EVENTS)
    picked = choose_inputs(url)
    paths = query_paths(picked)
    results = {
        **_header(backend, url, EVENTS, built),
        "paths": paths,
        "wrk": {"threads": 1, "connections": 4, "seconds": args.seconds, "runs": args.runs},
        "floor": floors(url, paths, picked["exports"][100_000]),
        "load": {wc: loads(url, paths, wc, args) for wc in ("sync", "gthread")},
        "scale": scale(url, small_url, paths, args),
        "export": exports(url, picked),
    }
    results["targets"] = targets(results)
    results["capacity"] = capacity(results)
    return results


def sweep_backend(backend: str, events: int, args) -> dict:
    """Sweep every read endpoint on one backend's database of `events` events, then write."""
    url, built = dataset(backend, events)
    results = {
        **_header(backend, url, events, built),
        **sweep(url, runs=args.sweep_runs or default_runs(events)),
    }
    results["table"] = sweep_table(results)
    if not args.no_writes:
        results["writes"] = measure_writes(url, results["inputs"])
        results["table"] += "\n" + writes_table(results["writes"])
    return results


def scale_backend(backend: str, events: int, args) -> dict:
    """Time the stats feeds at 1M and at `events` events, one size after the other."""
    sizes = (EVENTS, events)
    urls = {size: dataset(backend, size) for size in sizes}
    url, built = urls[events]
    results = {**_header(backend, url, events, built), "sizes": sizes}
    for size in sizes:
        runs = args.sweep_runs or default_runs(size)
        results[str(size)] = sweep(urls[size][0], runs=runs, requests=scale_requests())
    results["table"] = scale_table(results)
    return results


def imports_backend(backend: str, sizes: list[int]) -> dict:
    """Import generated ACLED files of each size into an empty database of one backend."""
    runs = [measure_import(backend, rows) for rows in sizes]
    results = {
        "backend": backend,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "runs": runs,
    }
    results["table"] = imports_table(runs)
    return results


def _write(results: dict, name: str, text: str) -> None:
    """Print a run's table and write the run as JSON to bench/results/, named by its time."""
    stamp = results["at"].replace(":", "").replace("+0000", "Z")
    path = RESULTS / f"{stamp}-{name}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(text)
    print(f"Written to {path.relative_to(ROOT)}\n")


def main() -> None:
    """Run the benchmark, print its tables and write them as JSON to bench/results/."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "all"), default="all")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--sweep-only", action="store_true", help="run the sweep alone")
    only.add_argument("--no-sweep", action="store_true", help="leave the sweep out")
    only.add_argument("--imports-only", action="store_true", help="run the import run alone")
    parser.add_argument("--no-imports", action="store_true", help="leave the import run out")
    parser.add_argument(
        "--import-rows", type=int, nargs="+", default=list(IMPORT_ROWS), metavar="N"
    )
    parser.add_argument(
        "--sweep-events", type=int, nargs="+", default=[SMALL_EVENTS, EVENTS], metavar="N"
    )
    parser.add_argument(
        "--sweep-runs", type=int, help="timed runs a request (default: 15 at 10k, 7 at 1M)"
    )
    parser.add_argument(
        "--no-writes", action="store_true", help="leave out the writes and verify after a sweep"
    )
    parser.add_argument(
        "--scale-events",
        type=int,
        metavar="N",
        help="instead of the rest, time the stats feeds at 1M and at N events (e.g. 10000000)",
    )
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "all" else (args.backend,)
    RESULTS.mkdir(parents=True, exist_ok=True)
    for backend in backends:
        if args.imports_only or not (args.no_imports or args.scale_events or args.sweep_only):
            results = imports_backend(backend, args.import_rows)
            _write(results, f"imports-{backend}", results["table"])
        if args.imports_only:
            continue
        if args.scale_events:
            results = scale_backend(backend, args.scale_events, args)
            _write(results, f"scale-{backend}-{args.scale_events}", results["table"])
            continue
        if not args.sweep_only:
            results = bench_backend(backend, args)
            _write(results, backend, table(results))
        if not args.no_sweep:
            for events in args.sweep_events:
                results = sweep_backend(backend, events, args)
                _write(results, f"sweep-{backend}-{events}", results["table"])


if __name__ == "__main__":
    main()
