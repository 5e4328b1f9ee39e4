"""Concurrent writers against gunicorn (4 workers): nothing lost, no lost update, no errors.

16 clients send 2,000 creates between them, with reads, and keep patching a few shared events
from ETags that other clients make stale. Every response must be 2xx or 412; every create must
be there afterwards; every PATCH must be applied exactly once (its revision is in the history)
or answered 412 (its change is nowhere).
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from builders import fixture_event_body
from databases import issue_token
from served import request_json, serving

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 16
CREATES = 2_000
HOT_EVENTS = (
    "2022-02-24-russia-invades-ukraine",
    "2023-10-un-curbs-on-iran-missile-trade-expire",
    "2024-02-20-iranian-defense-ministry-says-russia-cooperation-unrelated-to-ukraine-war",
)


@pytest.fixture
def server(seeded_app, database_url, tmp_path):
    # The reads here check what the writes left; a slow shared machine must not turn them into
    # query-budget 503s (test_budget.py tests the budget itself).
    with serving(
        database_url,
        tmp_path / "gunicorn.log",
        workers=4,
        rate_limit_enabled="false",
        query_timeout_ms="30000",
    ) as base:
        yield base


class Tally:
    """What the clients saw, counted under a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.unexpected: list[str] = []
        self.created: list[str] = []
        self.applied: dict[str, list[str]] = {event_id: [] for event_id in HOT_EVENTS}
        self.refused: dict[str, list[str]] = {event_id: [] for event_id in HOT_EVENTS}

    def saw(self, label: str, status: int, body) -> None:
        with self.lock:
            self.statuses[status] += 1
            if not (200 <= status < 300 or status == 412):
                self.unexpected.append(f"{label}: {status} {body}")


def client_run(base: str, token: str, number: int, tally: Tally) -> None:
    """One client: its share of creates, a read after each, and a contested PATCH every third."""
    auth = {"Authorization": f"Bearer {token}"}
    for sequence in range(CREATES // CLIENTS):
        body = fixture_event_body(
            f"20{10 + sequence % 15:02d}-{1 + sequence % 12:02d}",
            title=f"Concurrent event {number}-{sequence}",
            tags=["concurrency"],
        )
        status, headers, reply = request_json(base, "POST", "/v1/events", body, auth)
        tally.saw("create", status, reply)
        if status == 201:
            with tally.lock:
                tally.created.append(reply["id"])
            status, _, reply = request_json(base, "GET", headers["Location"])
            tally.saw("read", status, reply)
        if sequence % 3 == 0:
            target = HOT_EVENTS[(number + sequence) % len(HOT_EVENTS)]
            status, headers, reply = request_json(base, "GET", f"/v1/events/{target}")
            tally.saw("read hot", status, reply)
            marker = f"patch {number}-{sequence}"
            status, _, reply = request_json(
                base,
                "PATCH",
                f"/v1/events/{target}",
                {"note": marker},
                {
                    **auth,
                    "If-Match": headers["ETag"],
                    "Content-Type": "application/merge-patch+json",
                },
            )
            tally.saw("patch", status, reply)
            with tally.lock:
                (tally.applied if status == 200 else tally.refused)[target].append(marker)
        if sequence % 10 == 0:
            status, _, reply = request_json(
                base, "GET", "/v1/events?tag=concurrency&limit=20&sort=-date"
            )
            tally.saw("list", status, reply)


def test_concurrent_creates_reads_and_conflicting_patches_lose_nothing(server, seeded_app):
    token = issue_token("write", "concurrency")
    tally = Tally()
    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(client_run, server, token, n, tally) for n in range(CLIENTS)]:
            future.result()
    elapsed = time.monotonic() - started

    assert tally.unexpected == []
    assert len(tally.created) == CREATES
    _, _, listed = request_json(server, "GET", "/v1/events?tag=concurrency&count=true&limit=1")
    assert listed["meta"]["total"] == CREATES
    ids = set()
    url = "/v1/events?tag=concurrency&limit=500"
    while url:
        _, _, page = request_json(server, "GET", url)
        ids.update(event["id"] for event in page["data"])
        url = page["links"]["next"] and page["links"]["next"].removeprefix(server)
    assert ids == set(tally.created)

    for event_id in HOT_EVENTS:
        _, _, history = request_json(server, "GET", f"/v1/events/{event_id}/revisions")
        notes = [r["record"]["note"] for r in history["data"] if r["via"] == "api"]
        assert tally.applied[event_id], f"no patch of {event_id} was applied"
        assert sorted(notes) == sorted(tally.applied[event_id])
        assert not set(notes) & set(tally.refused[event_id])

    patches = sum(len(v) for v in tally.applied.values()) + sum(
        len(v) for v in tally.refused.values()
    )
    statuses = dict(sorted(tally.statuses.items()))
    print(
        f"\nconcurrency: {sum(tally.statuses.values())} requests in {elapsed:.1f}s, "
        f"statuses {statuses}, creates {len(tally.created)}/{CREATES}, "
        f"patches {patches} ({sum(len(v) for v in tally.applied.values())} applied, "
        f"{sum(len(v) for v in tally.refused.values())} answered 412), "
        f"errors {len(tally.unexpected)}, events lost {CREATES - len(ids)}"
    )
