"""The bench's writes: events created, changed and deleted through the API, then verified.

They run after the sweep, on the same database, so that the sweep reads the generated data as
generated, and `timeline verify` then proves every derived table (the rollups among them)
still equals a rebuild after writes at this size.
"""

import datetime as dt
import json
import time

from bench.datasets import run_timeline
from bench.load import gunicorn
from bench.sweep import percentile, server_address, timed_request

ROUNDS = 20
METHODS = ("POST", "PATCH", "DELETE")


def _token(url: str) -> tuple[str, str]:
    """Create a write token for this run; return its name and secret."""
    name = f"bench-writes-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}"
    created = run_timeline(url, "token", "create", name, "--scope", "write", check=False)
    if created.returncode:
        raise RuntimeError(f"timeline token create failed: {created.stderr.strip()}")
    return name, created.stdout.strip().splitlines()[-1]


def _send(server, method: str, path: str, headers: dict, body: dict | None, *, status: int):
    """Send one write; return its seconds and response, or fail naming what it answered."""
    payload = None if body is None else json.dumps(body).encode()
    seconds, response, _ = timed_request(
        server, method, path, status=status, body=payload, headers=headers
    )
    return seconds, response


def _created_body(picked: dict, round_number: int) -> dict:
    """Return an event between the two busiest partners: it counts in every rollup family."""
    return {
        "title": f"Benchmark shipment {round_number}",
        "summary": "An event the benchmark writes, changes and deletes.",
        "type": "shipment",
        "date": "2023-05",
        "status": "reported",
        "actors": [
            {"id": picked["actor"], "role": "supplier"},
            {"id": picked["partner"], "role": "recipient"},
        ],
        "sources": [{"id": picked["source"], "quote": "A sentence."}],
        "tags": [picked["tag"]],
    }


def _patch(picked: dict) -> dict:
    """Move the event to another day, type and status, and swap its actors' roles."""
    return {
        "date": "2024-02-10",
        "type": "statement",
        "status": "confirmed",
        "actors": [
            {"id": picked["partner"], "role": "speaker"},
            {"id": picked["actor"], "role": "target"},
        ],
    }


def measure_writes(url: str, picked: dict, rounds: int = ROUNDS) -> dict:
    """Create, change and delete `rounds` events through the API; then run `timeline verify`."""
    name, secret = _token(url)
    timings_ms: dict[str, list[float]] = {method: [] for method in METHODS}
    auth = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    with gunicorn(url, worker_class="sync") as (base, _):
        server = server_address(base)
        for number in range(rounds):
            seconds, response = _send(
                server, "POST", "/v1/events", auth, _created_body(picked, number), status=201
            )
            timings_ms["POST"].append(seconds * 1000)
            path = response.getheader("Location")
            tag = {"If-Match": response.getheader("ETag")}
            patch_headers = {**auth, **tag, "Content-Type": "application/merge-patch+json"}
            seconds, response = _send(
                server, "PATCH", path, patch_headers, _patch(picked), status=200
            )
            timings_ms["PATCH"].append(seconds * 1000)
            delete_headers = {**auth, "If-Match": response.getheader("ETag")}
            seconds, _ = _send(server, "DELETE", path, delete_headers, None, status=204)
            timings_ms["DELETE"].append(seconds * 1000)
    run_timeline(url, "token", "revoke", name, check=False)
    started = time.perf_counter()
    verified = run_timeline(url, "verify", check=False)
    return {
        "rounds": rounds,
        "methods": {
            method: {
                "p50_ms": round(percentile(values, 0.50), 2),
                "p99_ms": round(percentile(values, 0.99), 2),
            }
            for method, values in timings_ms.items()
        },
        "verify": {
            "passed": verified.returncode == 0,
            "seconds": round(time.perf_counter() - started, 1),
            "output": verified.stdout.strip().splitlines()[-1:],
        },
    }


def writes_table(writes: dict) -> str:
    """Return the writes' latencies and the verdict of `timeline verify` as plain text."""
    lines = [
        f"writes: {writes['rounds']} events created, changed (date, type, status, actors) "
        "and deleted through the API, one client",
        f"{'method':<8} {'p50 ms':>9} {'p99 ms':>9}",
        *(
            f"{method:<8} {figures['p50_ms']:>9.2f} {figures['p99_ms']:>9.2f}"
            for method, figures in writes["methods"].items()
        ),
    ]
    verify = writes["verify"]
    verdict = "passed" if verify["passed"] else "FAILED"
    lines.append(f"timeline verify after the writes: {verdict} in {verify['seconds']} s")
    lines.extend(f"  {line}" for line in verify["output"])
    return "\n".join(lines)
