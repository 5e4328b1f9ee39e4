"""The sweep: every read endpoint, once per parameter class that changes its plan.

One client sends each request once to warm up, then `runs` times in a row, to gunicorn started
as production starts it (bench/load.py); beside it stands the request's floor, its own SQL
replayed through the bare driver (bench/floor.py). A request meets its target when its p50 is
at most 25 ms, or 100 ms when it searches (`q`), filters by `tag` or asks for
`actor_match=all`.
"""

import http.client
import json
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from marshmallow import Schema
from marshmallow.validate import OneOf

from api.schemas.events import EventFilterArgsSchema
from api.schemas.stats import HistogramArgsSchema
from bench.datasets import popular_actor, query_rows
from bench.floor import captured_statements, floor_seconds
from bench.load import gunicorn

PLAIN_TARGET_MS = 25.0
COSTLY_TARGET_MS = 100.0
# A slow request gets fewer runs, so that it holds up the sweep for about this long at most.
REQUEST_BUDGET_SECONDS = 15.0
FLOOR_BUDGET_SECONDS = 0.3
# Slower than this, a request's statements are captured from its first run in-process.
WARMING_SECONDS = 1.0
YEAR = "from=2023&to=2023"
PAGE = "limit=50"


def _choices(schema: Schema, name: str) -> tuple[str, ...]:
    """Return the values a query parameter accepts, as its schema validates them."""
    return next(rule.choices for rule in schema.fields[name].validators if isinstance(rule, OneOf))


INTERVALS = _choices(HistogramArgsSchema(), "interval")
GROUP_BYS = _choices(HistogramArgsSchema(), "group_by")
SORTS = _choices(EventFilterArgsSchema(), "sort")


@dataclass(frozen=True)
class SweepRequest:
    """One read to time: its path as a person writes it, its status, and which page of it."""

    path: str
    status: int = 200
    second_page: bool = False

    @property
    def label(self) -> str:
        """Name the request in the table."""
        return f"{self.path} (page 2)" if self.second_page else self.path


def default_runs(events: int) -> int:
    """Return how many timed runs a request gets by default at this size of data."""
    return 15 if events < 100_000 else 7


def plan_class(path: str) -> str:
    """Tag a request by what makes its plan costly (q, tag, all), or `plain`."""
    params = dict(parse_qsl(urlsplit(path).query))
    costly = {
        "q": "q" in params,
        "tag": "tag" in params,
        "all": params.get("actor_match") == "all",
    }
    return "+".join(name for name, present in costly.items() if present) or "plain"


def target_ms(plan: str) -> float:
    """Return the p50 a request of this plan class must not exceed."""
    return PLAIN_TARGET_MS if plan == "plain" else COSTLY_TARGET_MS


def wire_path(path: str) -> str:
    """Percent-encode a readable path's query values, as a client sends them."""
    parts = urlsplit(path)
    if not parts.query:
        return path
    return f"{parts.path}?{urlencode(parse_qsl(parts.query, keep_blank_values=True))}"


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile: with fewer than 100 values, p99 is the largest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def runs_within(warm_seconds: float, runs: int, budget: float = REQUEST_BUDGET_SECONDS) -> int:
    """Return `runs`, or as many as fit the budget: none for a request slower than it."""
    return min(runs, int(budget / warm_seconds))


def sweep_inputs(url: str) -> dict:
    """Pick from the data the ids the requests name: busy ones, so that the plans do work."""
    actor = popular_actor(url)

    def first(sql: str) -> str:
        return query_rows(url, sql)[0][0]

    # The ids written into this SQL are the generator's own, read from the same database.
    return {
        "actor": actor,
        "partner": first(
            "SELECT b.actor_id FROM event_actor a JOIN event_actor b "
            "ON b.event_id = a.event_id AND b.actor_id <> a.actor_id "
            f"WHERE a.actor_id = '{actor}' GROUP BY b.actor_id "
            "ORDER BY COUNT(*) DESC, b.actor_id LIMIT 1"
        ),
        "parent": first(
            "SELECT parent_id FROM actor WHERE parent_id IS NOT NULL "
            "GROUP BY parent_id ORDER BY COUNT(*) DESC, parent_id LIMIT 1"
        ),
        "alias": first("SELECT alias FROM actor_alias ORDER BY actor_id, position LIMIT 1"),
        "event_id": first(
            "SELECT id FROM event WHERE date_start >= '2023-06-01' ORDER BY date_start, id LIMIT 1"
        ),
        "source": first("SELECT id FROM source ORDER BY id LIMIT 1"),
        "tag": first("SELECT tag FROM event_tag GROUP BY tag ORDER BY COUNT(*) DESC, tag LIMIT 1"),
        "rare_tag": first("SELECT tag FROM event_tag GROUP BY tag ORDER BY COUNT(*), tag LIMIT 1"),
    }


def _with(*params: str) -> str:
    return "&".join(param for param in params if param)


def _event_lists(picked: dict) -> list[SweepRequest]:
    actor, parent, tag = picked["actor"], picked["parent"], picked["tag"]
    pair = f"{actor},{picked['partner']}"
    filters = [
        "",
        YEAR,
        f"{YEAR}&date_match=within",
        *(f"sort={sort}" for sort in SORTS if sort != "relevance"),
        f"{YEAR}&sort=-date",
        f"actor={actor}",
        f"actor={actor}&{YEAR}",
        f"actor={actor}&role=supplier",
        "role=supplier",
        f"actor={actor}&sort=-date",
        f"actor={parent}",
        f"actor={parent}&include_members=false",
        f"actor={pair}",
        f"actor={pair}&actor_match=all",
        f"actor={pair}&actor_match=all&{YEAR}",
        "type=shipment",
        "type=shipment&status=disputed",
        f"status=disputed&{YEAR}",
        f"tag={tag}",
        f"tag={tag}&{YEAR}",
        f"tag={picked['rare_tag']}",
        "q=missiles",
        *(f"q=missiles&sort={sort}" for sort in SORTS),
        'q="ballistic missiles"',
        'q="missiles drones"',
        "q=missil*",
        "q=missiles OR drones",
        f"q=missiles&{YEAR}",
        f"q=missiles&actor={actor}",
    ]
    counted = [
        "",
        YEAR,
        f"actor={actor}",
        f"actor={pair}&actor_match=all",
        f"tag={tag}",
        "q=missiles",
    ]
    return [
        *(SweepRequest(f"/v1/events?{_with(found, PAGE)}") for found in filters),
        *(SweepRequest(f"/v1/events?{_with(found, 'count=true', PAGE)}") for found in counted),
        SweepRequest("/v1/events?limit=500"),
        SweepRequest(f"/v1/events?{PAGE}", second_page=True),
        SweepRequest(f"/v1/events?actor={actor}&{PAGE}", second_page=True),
        SweepRequest(f"/v1/events?q=missiles&sort=relevance&{PAGE}", second_page=True),
    ]


def _records(picked: dict) -> list[SweepRequest]:
    actor, parent, source = picked["actor"], picked["parent"], picked["source"]
    event = picked["event_id"]
    return [
        SweepRequest(f"/v1/events/{event}"),
        # Generated records are not journaled: they have no revisions, which is a 404.
        SweepRequest(f"/v1/events/{event}/revisions", status=404),
        SweepRequest("/v1/actors"),
        SweepRequest("/v1/actors?limit=100"),
        SweepRequest("/v1/actors?kind=state&limit=100"),
        SweepRequest(f"/v1/actors/{actor}"),
        SweepRequest(f"/v1/actors/{picked['alias']}", status=308),
        SweepRequest(f"/v1/actors/{actor}/revisions", status=404),
        SweepRequest(f"/v1/actors/{actor}/events?{PAGE}"),
        SweepRequest(f"/v1/actors/{actor}/events?{YEAR}&{PAGE}"),
        SweepRequest(f"/v1/actors/{actor}/events?q=missiles&{PAGE}"),
        SweepRequest(f"/v1/actors/{parent}/events?{PAGE}"),
        SweepRequest(f"/v1/actors/{parent}/events?include_members=false&{PAGE}"),
        SweepRequest("/v1/sources"),
        SweepRequest("/v1/sources?limit=100"),
        SweepRequest(f"/v1/sources/{source}"),
        SweepRequest(f"/v1/sources/{source}/revisions", status=404),
        SweepRequest("/v1/event-types"),
    ]


def _histograms(picked: dict) -> list[SweepRequest]:
    actor, tag = picked["actor"], picked["tag"]
    found = []
    for interval in INTERVALS:
        for group_by in GROUP_BYS:
            base = f"/v1/stats/histogram?interval={interval}&group_by={group_by}"
            # Daily buckets over every year are more than the API's MAX_BUCKETS: a 400 by design,
            # timed all the same, as a client pays for the refusal too.
            found.append(SweepRequest(base, status=400 if interval == "day" else 200))
            found.append(SweepRequest(f"{base}&{YEAR}"))
    month = "/v1/stats/histogram?interval=month"
    return [
        *found,
        # About the widest range whose daily buckets the API accepts.
        SweepRequest("/v1/stats/histogram?interval=day&group_by=type&from=2013-06&to=2026-12"),
        SweepRequest(f"{month}&group_by=actor&from=2020&to=2024"),
        SweepRequest(f"{month}&group_by=actor&series_limit=50"),
        SweepRequest(f"{month}&group_by=type&actor={actor}"),
        SweepRequest(f"{month}&group_by=type&actor={actor}&role=supplier"),
        SweepRequest(f"{month}&group_by=type&actor={actor},{picked['partner']}&actor_match=all"),
        SweepRequest(f"{month}&group_by=type&tag={tag}"),
        SweepRequest(f"{month}&group_by=type&q=missiles"),
        SweepRequest(f"{month}&group_by=type&type=shipment&status=disputed"),
        # Not month-aligned: the monthly rollup cannot answer it, the events do.
        SweepRequest(f"{month}&group_by=type&from=2023-01-15&to=2023-12-15"),
        SweepRequest(f"{month}&group_by=type&imprecise=exclude"),
    ]


def _charts(picked: dict) -> list[SweepRequest]:
    actor, tag = picked["actor"], picked["tag"]
    return [
        SweepRequest("/v1/stats/actors"),
        SweepRequest("/v1/stats/actors?limit=20"),
        SweepRequest(f"/v1/stats/actors?limit=20&{YEAR}"),
        SweepRequest("/v1/stats/actors?limit=20&type=shipment"),
        SweepRequest(f"/v1/stats/actors?limit=20&actor={actor}"),
        SweepRequest(f"/v1/stats/actors?limit=20&tag={tag}"),
        SweepRequest("/v1/stats/actors?limit=20&q=missiles"),
        SweepRequest("/v1/stats/actors?limit=500"),
        SweepRequest("/v1/stats/network"),
        SweepRequest("/v1/stats/network?limit=100"),
        SweepRequest(f"/v1/stats/network?limit=100&{YEAR}"),
        SweepRequest(f"/v1/stats/network?limit=100&actor={actor}"),
        SweepRequest(f"/v1/stats/network?limit=100&tag={tag}"),
        SweepRequest("/v1/stats/network?limit=100&q=missiles"),
        SweepRequest("/v1/timeline"),
        SweepRequest("/v1/timeline?from=2023-06&to=2023-06"),
        SweepRequest(f"/v1/timeline?{YEAR}"),
        SweepRequest(f"/v1/timeline?actor={actor}&{YEAR}"),
        SweepRequest(f"/v1/timeline?q=missiles&{YEAR}"),
    ]


def _feeds() -> list[SweepRequest]:
    return [
        SweepRequest("/v1/changes"),
        SweepRequest("/v1/changes?limit=1000"),
        SweepRequest("/healthz"),
        SweepRequest("/readyz"),
    ]


def sweep_requests(picked: dict) -> list[SweepRequest]:
    """List every read to time, endpoint by endpoint, with each class of its parameters."""
    return [
        *_event_lists(picked),
        *_records(picked),
        *_histograms(picked),
        *_charts(picked),
        *_feeds(),
    ]


def timed_request(
    server: tuple[str, int],
    method: str,
    path: str,
    *,
    status: int,
    body: bytes | None = None,
    headers: dict | None = None,
) -> tuple[float, http.client.HTTPResponse, bytes]:
    """Send one request on a new connection; return its seconds, response and body.

    The seconds run until the body is read. Any status but `status` fails, naming what came.
    """
    connection = http.client.HTTPConnection(*server, timeout=120)
    try:
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        received = response.read()
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    if response.status != status:
        raise RuntimeError(f"{method} {path} answered {response.status}, not {status}: "
                           f"{received[:300]!r}")  # fmt: skip
    return seconds, response, received


def _get(server: tuple[str, int], path: str, status: int) -> tuple[float, bytes]:
    """Send one GET on a new connection; return the seconds until its body is read, and it."""
    seconds, _, body = timed_request(server, "GET", path, status=status)
    return seconds, body


def next_page_path(path: str, body: bytes) -> str:
    """Return the path of the page after the one `path` answered with `body`."""
    cursor = json.loads(body)["meta"]["next_cursor"]
    if cursor is None:
        raise RuntimeError(f"{path} has no next page")
    return f"{path}&{urlencode({'cursor': cursor})}"


def measure(server: tuple[str, int], url: str, request: SweepRequest, runs: int) -> dict:
    """Time one request from a single client, and its SQL alone; judge it against its target."""
    path = wire_path(request.path)
    if request.second_page:
        path = next_page_path(path, _get(server, path, 200)[1])
    warm, _ = _get(server, path, request.status)
    count = runs_within(warm, runs)
    timings_ms = [_get(server, path, request.status)[0] * 1000 for _ in range(count)]
    if not timings_ms:  # slower than the budget: timed once, by its warm-up
        timings_ms = [warm * 1000]
    statements = captured_statements(url, path, status=request.status, warm=warm < WARMING_SECONDS)
    floor_ms = 1000 * floor_seconds(
        url, statements, budget=FLOOR_BUDGET_SECONDS, runs=min(5, len(timings_ms))
    )
    plan = plan_class(request.path)
    p50_ms = percentile(timings_ms, 0.50)
    return {
        "request": request.label,
        "path": path,
        "status": request.status,
        "class": plan,
        "error": None,
        "runs": len(timings_ms),
        "p50_ms": round(p50_ms, 2),
        "p99_ms": round(percentile(timings_ms, 0.99), 2),
        "statements": len(statements),
        "floor_ms": round(floor_ms, 3),
        # A request without SQL (healthz) has no floor to compare with.
        "x_floor": round(p50_ms / floor_ms, 1) if statements else None,
        "target_ms": target_ms(plan),
        "met": p50_ms <= target_ms(plan),
    }


def failed(request: SweepRequest, error: Exception) -> dict:
    """Describe a request that could not be measured (a wrong status, a worker timeout)."""
    plan = plan_class(request.path)
    return {
        "request": request.label,
        "path": wire_path(request.path),
        "status": request.status,
        "class": plan,
        "error": f"{type(error).__name__}: {error}",
        "runs": 0,
        "target_ms": target_ms(plan),
        "met": False,
    }


def server_address(base: str) -> tuple[str, int]:
    """Return the host and port of a server's base URL."""
    parts = urlsplit(base)
    return parts.hostname, parts.port


def scale_requests() -> list[SweepRequest]:
    """List the stats feeds whose p50 at 10M events is held to 1.5x of theirs at 1M."""
    feeds = (
        "/v1/stats/histogram?interval=month&group_by=type",
        "/v1/stats/histogram?interval=month&group_by=actor",
        "/v1/stats/actors?limit=20",
        "/v1/stats/network?limit=100",
    )
    return [SweepRequest(path) for feed in feeds for path in (feed, f"{feed}&{YEAR}")]


def sweep(url: str, *, runs: int, requests: list[SweepRequest] | None = None) -> dict:
    """Time every sweep request (or these) against gunicorn's sync workers, beside floors."""
    picked = sweep_inputs(url)
    rows = []
    with gunicorn(url, worker_class="sync") as (base, _):
        server = server_address(base)
        for request in sweep_requests(picked) if requests is None else requests:
            try:
                row = measure(server, url, request, runs)
            except (RuntimeError, OSError, http.client.HTTPException) as error:
                row = failed(request, error)
            print(f"  sweep {_figures(row)}  {row['request']}", file=sys.stderr)
            rows.append(row)
    return {"runs": runs, "inputs": picked, "rows": rows}


def _figures(row: dict) -> str:
    """Return a row's runs, p50, p99, floor and ratio columns, or its error across them."""
    if row["error"]:
        return f"{row['runs']:>4} {row['error'][:60]:<48}"
    ratio = "-" if row["x_floor"] is None else f"{row['x_floor']:.1f}"
    return (
        f"{row['runs']:>4} {row['p50_ms']:>9.2f} {row['p99_ms']:>9.2f} "
        f"{row['floor_ms']:>9.3f} {ratio:>8}"
    )


def sweep_table(results: dict) -> str:
    """Return a sweep's results as a plain-text table, with a line of what missed its target."""
    environment, rows = results["environment"], results["rows"]
    width = max(len("request"), *(len(row["request"]) for row in rows))
    lines = [
        f"== sweep {results['backend']}: {results['events']:,} events, "
        f"{environment['database']}, {environment['cpus']} CPUs, gunicorn sync x"
        f"{environment['workers']}, one client, 1 warm-up + {results['runs']} runs a request ==",
        "p50 and p99 by nearest rank: with fewer than 100 runs p99 is the slowest run; a "
        f"request slower than {REQUEST_BUDGET_SECONDS:g} s is timed once, by its warm-up. "
        f"target: p50 <= {PLAIN_TARGET_MS:g} ms, or {COSTLY_TARGET_MS:g} ms with q, tag or "
        "actor_match=all.",
    ]
    if results.get("generate_seconds") is not None:
        lines.append(f"generated in {results['generate_seconds']} s")
    lines.append(
        f"{'request':<{width}} {'class':<9} {'status':>6} {'runs':>4} {'p50 ms':>9} "
        f"{'p99 ms':>9} {'floor ms':>9} {'x floor':>8}  target"
    )
    for row in rows:
        mark = "met" if row["met"] else "MISSED"
        lines.append(
            f"{row['request']:<{width}} {row['class']:<9} {row['status']:>6} {_figures(row)}  "
            f"{mark} {row['target_ms']:g}"
        )
    missed = Counter(row["target_ms"] for row in rows if not row["met"])
    lines.append(
        f"{len(rows) - missed.total()} of {len(rows)} requests met their target; missed: "
        f"{missed[PLAIN_TARGET_MS]} of the {PLAIN_TARGET_MS:g} ms ones, "
        f"{missed[COSTLY_TARGET_MS]} of the {COSTLY_TARGET_MS:g} ms ones"
    )
    return "\n".join(lines)


SCALE_LIMIT = 1.5


def scale_table(results: dict) -> str:
    """Return the stats feeds' p50 at two sizes side by side, and whether each held 1.5x."""
    small, large = results["sizes"]
    rows = {
        size: {row["request"]: row for row in results[str(size)]["rows"]}
        for size in (small, large)
    }
    width = max(len(name) for name in rows[small])
    lines = [
        f"== scale {results['backend']}: p50 at {large:,} events beside p50 at {small:,}, "
        f"measured in the same run; held when within {SCALE_LIMIT:g}x ==",
        f"{'request':<{width}} {f'p50 {small:,}':>14} {f'p50 {large:,}':>14} {'ratio':>7}  held",
    ]
    for name, at_small in rows[small].items():
        at_large = rows[large][name]
        if at_small["error"] or at_large["error"]:
            lines.append(f"{name:<{width}} {at_small['error'] or at_large['error']}")
            continue
        ratio = at_large["p50_ms"] / at_small["p50_ms"]
        held = "yes" if ratio <= SCALE_LIMIT else "NO"
        lines.append(
            f"{name:<{width}} {at_small['p50_ms']:>14.2f} {at_large['p50_ms']:>14.2f} "
            f"{ratio:>7.2f}  {held}"
        )
    return "\n".join(lines)
