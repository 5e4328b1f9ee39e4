"""Two app hosts on one PostgreSQL and one Redis, as docs/scaling.md promises they work.

Both share TIMELINE_SECRET_KEY: a cursor from one continues on the other, rate limits count
across both, conflicting PATCHes through both lose nothing, and the change feed is the same.
"""

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from databases import BACKENDS, issue_token
from served import request_json, serving

REDIS_URL = os.environ.get("TIMELINE_TEST_REDIS_URL", "")
HOT_EVENT = "2023-10-un-curbs-on-iran-missile-trade-expire"
READS_A_MINUTE = 6


def _client() -> dict[str, str]:
    """Headers of a client of its own: nginx would forward its address (one trusted proxy)."""
    return {"X-Forwarded-For": f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"}


@pytest.fixture
def two_hosts(seeded_app, database_url, tmp_path):
    """Yield the base URLs of two gunicorn servers over the same PostgreSQL and Redis."""
    if not REDIS_URL:
        if os.environ.get("TIMELINE_REQUIRE_POSTGRES") == "1":
            pytest.fail("TIMELINE_TEST_REDIS_URL must be set where the PostgreSQL suite runs")
        pytest.skip("two hosts share rate limits through Redis: set TIMELINE_TEST_REDIS_URL")
    settings = {
        "secret_key": "one-secret-for-every-host",
        "rate_limit_storage": REDIS_URL,
        "rate_limit_read": f"{READS_A_MINUTE} per minute",
        "trusted_proxies": "1",
    }
    with (
        serving(database_url, tmp_path / "a.log", workers=2, **settings) as first,
        serving(database_url, tmp_path / "b.log", workers=2, **settings) as second,
    ):
        yield first, second


# PostgreSQL only; where the suite is required (CI) conftest refuses to run without it.
pytestmark = [
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
    pytest.mark.skipif(
        "postgresql" not in BACKENDS, reason="several hosts need PostgreSQL: set its URL"
    ),
]


def test_a_cursor_from_one_host_continues_on_the_other(two_hosts):
    first, second = two_hosts
    _, _, page = request_json(first, "GET", "/v1/events?limit=3", headers=_client())
    following = page["links"]["next"]
    assert following.startswith("/v1/events?limit=3&cursor=")
    status, _, there = request_json(second, "GET", following, headers=_client())
    _, _, here = request_json(first, "GET", following, headers=_client())
    assert status == 200
    assert [e["id"] for e in there["data"]] == [e["id"] for e in here["data"]]
    assert not {e["id"] for e in there["data"]} & {e["id"] for e in page["data"]}


def test_rate_limits_count_across_both_hosts(two_hosts):
    first, second = two_hosts
    client = _client()
    statuses = [
        request_json((first, second)[n % 2], "GET", "/v1/event-types", headers=client)[0]
        for n in range(READS_A_MINUTE + 1)
    ]
    assert statuses == [200] * READS_A_MINUTE + [429]


def _patch_through(base: str, token: str, marker: str) -> tuple[int, str]:
    client = _client()
    _, headers, _ = request_json(base, "GET", f"/v1/events/{HOT_EVENT}", headers=client)
    status, _, _ = request_json(
        base,
        "PATCH",
        f"/v1/events/{HOT_EVENT}",
        {"note": marker},
        {
            **client,
            "Authorization": f"Bearer {token}",
            "If-Match": headers["ETag"],
            "Content-Type": "application/merge-patch+json",
        },
    )
    return status, marker


def test_conflicting_patches_through_both_hosts_lose_nothing(two_hosts):
    token = issue_token("write", "two-hosts")
    hosts = two_hosts
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(
            pool.map(lambda n: _patch_through(hosts[n % 2], token, f"patch {n}"), range(24))
        )
    assert {status for status, _ in outcomes} <= {200, 412}
    applied = sorted(marker for status, marker in outcomes if status == 200)
    assert applied
    _, _, history = request_json(
        hosts[0], "GET", f"/v1/events/{HOT_EVENT}/revisions", headers=_client()
    )
    notes = sorted(r["record"]["note"] for r in history["data"] if r["via"] == "api")
    assert notes == applied


def test_the_change_feed_reads_the_same_from_either_host(two_hosts):
    token = issue_token("write", "two-hosts-feed")
    first, second = two_hosts
    _patch_through(first, token, "through the first")
    _patch_through(second, token, "through the second")
    feeds = [
        request_json(base, "GET", "/v1/changes?limit=1000", headers=_client())[2]["data"]
        for base in (first, second)
    ]
    assert feeds[0] == feeds[1]
    assert len(feeds[0]) >= 2
