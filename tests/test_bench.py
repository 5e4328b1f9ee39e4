"""The benchmark's own logic: reading wrk, judging targets, estimating capacity.

The timings themselves are never asserted: they belong to `make bench`, not to CI.
"""

import json
import subprocess
from urllib.parse import urlsplit

import pytest

from api.domain.buckets import INTERVALS
from bench import imports, load, sweep, writes
from bench.datasets import GENERATOR_FILES, ROOT, generator_digest
from bench.report import capacity, table, targets

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8000/v1/events
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.10ms  200.00us   5.00ms   90.00%
    Req/Sec     3.60k   100.00     3.80k    70.00%
  Latency Distribution
     50%  {p50}
     75%    1.20ms
     90%    1.40ms
     99%  {p99}
  18000 requests in 5.00s, 10.00MB read
{errors}Requests/sec:   3600.50
Transfer/sec:      2.00MB
"""


@pytest.mark.parametrize(
    ("p50", "p99", "expected"),
    [
        ("850.00us", "2.10ms", (0.85, 2.1)),
        ("1.05ms", "1.20s", (1.05, 1200.0)),
        ("12.00ms", "1.00m", (12.0, 60_000.0)),
    ],
)
def test_wrk_figures_are_read_in_milliseconds(monkeypatch, p50, p99, expected):
    output = WRK_OUTPUT.format(p50=p50, p99=p99, errors="")
    monkeypatch.setattr(
        subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout=output)
    )
    measured = load.wrk_once("http://x/", seconds=5, connections=4)
    assert (measured.p50_ms, measured.p99_ms) == pytest.approx(expected)
    assert measured.requests_per_second == 3600.5


@pytest.mark.parametrize(
    "errors",
    [
        "  Non-2xx or 3xx responses: 12\n",
        "  Socket errors: connect 0, read 0, write 0, timeout 4\n",
    ],
)
def test_a_run_with_errors_is_not_a_figure(monkeypatch, errors):
    output = WRK_OUTPUT.format(p50="1.00ms", p99="2.00ms", errors=errors)
    monkeypatch.setattr(
        subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout=output)
    )
    with pytest.raises(RuntimeError, match="wrk saw errors"):
        load.wrk_once("http://x/", seconds=5, connections=4)


def _results(rps: dict[str, float], *, p50: float = 10.0, small_p50: float = 8.0) -> dict:
    figures = {
        name: {"requests_per_second": r, "p50_ms": p50, "p99_ms": 2 * p50}
        for name, r in rps.items()
    }
    return {
        "backend": "sqlite",
        "events": 1_000_000,
        "generate_seconds": None,
        "environment": {"database": "SQLite", "cpus": 2, "workers": 2},
        "wrk": {"connections": 4, "seconds": 5, "runs": 3},
        "load": {"sync": figures},
        "floor": {name: {"ms": 1.0, "requests_per_second": 2000.0} for name in rps}
        | {"Q7": {"seconds": 1.0}},
        "scale": {
            "events": 10_000,
            "rows_at_1m": {"Q2": 100, "Q2-10": 10},
            "Q2": {"rows": 20, "p50_ms": small_p50, "requests_per_second": 1.0},
            "Q2-10": {"rows": 10, "p50_ms": small_p50, "requests_per_second": 1.0},
        },
        "export": [
            {"rows": 10_000, "rows_per_second": 60_000, "worker_rss_before_mb": 40,
             "worker_rss_peak_mb": 60},
            {"rows": 100_000, "rows_per_second": 40_000, "worker_rss_before_mb": 40,
             "worker_rss_peak_mb": 62},
        ],
    }  # fmt: skip


def test_targets_are_judged_against_the_same_runs_ceiling():
    names = ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q2-10")
    results = _results({**dict.fromkeys(names, 1000.0), "Q4": 7000.0, "hello": 10_000.0})
    judged = {target["target"]: target["met"] for target in targets(results)}
    assert judged == {
        "Q1 >= 0.4 of ceiling": False,
        "Q2 >= 0.25 of ceiling": False,
        "Q4 >= 0.6 of ceiling": True,
        "Q3 p50 <= 25 ms": True,
        "Q5 p50 <= 40 ms": True,
        "Q2 p50 at 1M <= 1.5 x at 10k": True,
        "Q7 >= 50000 rows/s": False,
        "Q7 peak worker RSS <= 150 MB, flat as the export grows": True,
    }
    results["targets"] = targets(results)
    results["capacity"] = capacity(results, target_rps=1000)
    assert "MISSED Q1 >= 0.4 of ceiling: 0.1" in table(results)


def test_capacity_is_the_mix_of_the_measured_rates():
    names = ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q2-10")
    results = _results({**dict.fromkeys(names, 500.0), "hello": 10_000.0})
    estimate = capacity(results, target_rps=1000)
    assert estimate["host_rps"] == 500.0
    assert estimate["hosts"] == 2
    assert estimate["database_cores"] == 1.0  # 1 ms of SQL per request at 1000 req/s


def test_the_generated_data_digest_reads_files_that_exist():
    missing = [name for name in GENERATOR_FILES if not (ROOT / name).is_file()]
    assert missing == []
    assert "api/synthetic/generator.py" in GENERATOR_FILES
    assert len(generator_digest()) == 12


@pytest.mark.parametrize(
    ("values", "p50", "p99"),
    [
        ([float(n) for n in range(15, 0, -1)], 8.0, 15.0),
        ([5.0, 1.0, 3.0], 3.0, 5.0),
        ([2.0], 2.0, 2.0),
        ([float(n) for n in range(1, 201)], 100.0, 198.0),
    ],
)
def test_percentiles_are_nearest_rank_and_p99_of_few_runs_is_the_slowest(values, p50, p99):
    assert (sweep.percentile(values, 0.50), sweep.percentile(values, 0.99)) == (p50, p99)


@pytest.mark.parametrize(
    ("warm_seconds", "runs", "expected"),
    [(0.01, 15, 15), (2.0, 15, 15), (4.0, 15, 7), (12.0, 7, 2), (30.0, 7, 1), (31.0, 7, 0)],
)
def test_a_slow_request_gets_the_runs_that_fit_its_budget(warm_seconds, runs, expected):
    assert sweep.runs_within(warm_seconds, runs, budget=30.0) == expected


def test_the_default_runs_follow_the_size_of_the_data():
    assert (sweep.default_runs(10_000), sweep.default_runs(1_000_000)) == (15, 7)


@pytest.mark.parametrize(
    ("path", "plan", "target"),
    [
        ("/v1/events?limit=50", "plain", 25.0),
        ("/v1/event-types", "plain", 25.0),
        ("/v1/events?actor=a,b&actor_match=any&limit=50", "plain", 25.0),
        ("/v1/events?q=missiles&sort=relevance&limit=50", "q", 100.0),
        ('/v1/events?q="ballistic missiles"&limit=50', "q", 100.0),
        ("/v1/stats/actors?tag=tag-0", "tag", 100.0),
        ("/v1/events?actor=a,b&actor_match=all&limit=50", "all", 100.0),
        ("/v1/events?q=x&tag=t&actor=a,b&actor_match=all", "q+tag+all", 100.0),
    ],
)
def test_a_request_is_judged_by_what_makes_its_plan_costly(path, plan, target):
    assert sweep.plan_class(path) == plan
    assert sweep.target_ms(plan) == target


@pytest.mark.parametrize(
    ("readable", "sent"),
    [
        ("/v1/event-types", "/v1/event-types"),
        ('/v1/events?q="ballistic missiles"', "/v1/events?q=%22ballistic+missiles%22"),
        ("/v1/events?q=missil*&actor=a,b", "/v1/events?q=missil%2A&actor=a%2Cb"),
    ],
)
def test_a_readable_path_is_sent_percent_encoded(readable, sent):
    assert sweep.wire_path(readable) == sent


def test_the_next_page_carries_the_cursor_and_a_last_page_has_none():
    body = json.dumps({"meta": {"next_cursor": "a+b/c="}}).encode()
    assert sweep.next_page_path("/v1/events?limit=50", body) == (
        "/v1/events?limit=50&cursor=a%2Bb%2Fc%3D"
    )
    with pytest.raises(RuntimeError, match="no next page"):
        sweep.next_page_path("/v1/events?limit=50", b'{"meta": {"next_cursor": null}}')


PICKED = {
    "actor": "actor-00001",
    "partner": "actor-00002",
    "parent": "actor-00024",
    "alias": "A2-0",
    "event_id": "2023-06-01-gen-0000001",
    "source": "source-000000",
    "tag": "tag-0",
    "rare_tag": "tag-299",
}


def test_the_sweep_covers_every_interval_group_and_sort_with_and_without_a_range():
    paths = {request.path for request in sweep.sweep_requests(PICKED)}
    for interval in INTERVALS:
        for group_by in ("type", "actor", "status", "none"):
            histogram = f"/v1/stats/histogram?interval={interval}&group_by={group_by}"
            assert {histogram, f"{histogram}&from=2023&to=2023"} <= paths
    for sort in ("date", "-date", "relevance"):
        assert f"/v1/events?q=missiles&sort={sort}&limit=50" in paths


def test_the_sweep_holds_the_issues_requests_once_each():
    requests = sweep.sweep_requests(PICKED)
    labels = [request.label for request in requests]
    assert len(labels) == len(set(labels))
    assert {
        "/v1/stats/network?limit=100",
        "/v1/stats/network?limit=100&from=2023&to=2023",
        "/v1/stats/actors?limit=20",
        "/v1/stats/actors?limit=20&from=2023&to=2023",
        "/v1/stats/histogram?interval=month&group_by=actor&from=2020&to=2024",
        "/v1/event-types",
        "/v1/stats/histogram?interval=month&group_by=type&actor=actor-00001",
        "/v1/events?q=missiles&sort=relevance&limit=50",
        "/v1/actors?limit=100",
        "/v1/stats/histogram?interval=day&group_by=type&from=2023&to=2023",
        "/v1/events?actor=actor-00001,actor-00002&actor_match=all&limit=50",
        '/v1/events?q="ballistic missiles"&limit=50',
        "/v1/events?q=missiles&limit=50",
        "/v1/actors/actor-00001",
        "/v1/events?tag=tag-0&limit=50",
        "/v1/timeline?from=2023-06&to=2023-06",
        "/v1/events?type=shipment&status=disputed&limit=50",
        "/v1/events?actor=actor-00024&include_members=false&limit=50",
        "/v1/events?count=true&limit=50",
    } <= set(labels)


def test_every_sweep_request_answers_its_status_on_generated_data(generated_client, database_url):
    wrong = []
    for request in sweep.sweep_requests(sweep.sweep_inputs(database_url)):
        path = sweep.wire_path(request.path)
        if request.second_page:
            path = sweep.next_page_path(path, generated_client.get(path).data)
        status = generated_client.get(path).status_code
        if status != request.status:
            wrong.append((request.label, status))
    assert wrong == []


def _sweep_row(request: str, *, p50: float, floor: float, statements: int = 1) -> dict:
    plan = sweep.plan_class(request)
    return {
        "request": request,
        "status": 200,
        "class": plan,
        "error": None,
        "runs": 7,
        "p50_ms": p50,
        "p99_ms": 2 * p50,
        "statements": statements,
        "floor_ms": floor,
        "x_floor": round(p50 / floor, 1) if statements else None,
        "target_ms": sweep.target_ms(plan),
        "met": p50 <= sweep.target_ms(plan),
    }


def test_the_sweep_table_marks_what_missed_its_target():
    results = {
        "backend": "sqlite",
        "events": 1_000_000,
        "generate_seconds": None,
        "runs": 7,
        "environment": {"database": "SQLite 3.40.1", "cpus": 2, "workers": 2},
        "rows": [
            _sweep_row("/v1/events?limit=50", p50=4.0, floor=0.5),
            _sweep_row("/v1/events?q=missiles&limit=50", p50=140.0, floor=70.0),
            _sweep_row("/healthz", p50=1.0, floor=0.0, statements=0),
            sweep.failed(sweep.SweepRequest("/v1/stats/network"), TimeoutError("timed out")),
        ],
    }
    lines = sweep.sweep_table(results).splitlines()
    assert "1,000,000 events" in lines[0]
    assert "1 warm-up + 7 runs" in lines[0]
    assert "p99 is the slowest run" in lines[1]
    assert lines[3].split() == ["/v1/events?limit=50", "plain", "200", "7", "4.00", "8.00",
                                "0.500", "8.0", "met", "25"]  # fmt: skip
    assert lines[4].split()[-3:] == ["2.0", "MISSED", "100"]
    assert lines[5].split()[-3:] == ["-", "met", "25"]
    assert lines[6].split() == ["/v1/stats/network", "plain", "200", "0", "TimeoutError:",
                                "timed", "out", "MISSED", "25"]  # fmt: skip
    assert lines[-1] == (
        "2 of 4 requests met their target; missed: 1 of the 25 ms ones, 1 of the 100 ms ones"
    )


def test_the_benchs_writes_leave_every_derived_table_equal_to_a_rebuild(
    generated_client, database_url
):
    picked = sweep.sweep_inputs(database_url)
    before = generated_client.get("/v1/events?count=true&limit=1").get_json()["meta"]["total"]
    written = writes.measure_writes(database_url, picked, rounds=2)
    assert written["verify"]["passed"], written["verify"]["output"]
    assert set(written["methods"]) == {"POST", "PATCH", "DELETE"}
    assert all(figures["p50_ms"] > 0 for figures in written["methods"].values())
    # Every event written was deleted again: what is live is what was generated.
    after = generated_client.get("/v1/events?count=true&limit=1").get_json()["meta"]["total"]
    assert after == before
    lines = writes.writes_table(written).splitlines()
    assert lines[0].startswith("writes: 2 events created")
    assert "timeline verify after the writes: passed" in lines[-2]


@pytest.mark.parametrize(
    ("large_p50", "ratio", "held"), [(12.0, "1.20", "yes"), (16.0, "1.60", "NO")]
)
def test_the_scale_table_holds_each_feed_to_one_and_a_half_times_its_p50_at_1m(
    large_p50, ratio, held
):
    request = "/v1/stats/actors?limit=20"
    results = {
        "backend": "sqlite",
        "sizes": (1_000_000, 10_000_000),
        "1000000": {"rows": [_sweep_row(request, p50=10.0, floor=1.0)]},
        "10000000": {"rows": [_sweep_row(request, p50=large_p50, floor=1.0)]},
    }
    lines = sweep.scale_table(results).splitlines()
    assert "10,000,000 events beside p50 at 1,000,000" in lines[0]
    assert lines[2].split() == [request, "10.00", f"{large_p50:.2f}", ratio, held]


def test_the_scale_feeds_are_the_issues_four_with_and_without_a_year():
    paths = [request.path for request in sweep.scale_requests()]
    assert len(paths) == 8
    assert sum(sweep.YEAR in path for path in paths) == 4
    assert {urlsplit(path).path for path in paths} == {
        "/v1/stats/histogram",
        "/v1/stats/actors",
        "/v1/stats/network",
    }
    assert {"group_by=type", "group_by=actor"} <= {
        part for path in paths for part in urlsplit(path).query.split("&")
    }


def test_the_bench_import_file_imports_whole_then_verifies(tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "CACHE", tmp_path)
    run = imports.measure_import("sqlite", 300)
    assert run["exit"] == 0, run["errors"]
    assert run["counts"][-1] == "events: 300 created, 0 updated, 0 unchanged"
    assert run["verify"]["passed"], run["verify"]["output"]
    assert run["peak_rss_mb"] > 0
    assert run["peak_tree_rss_mb"] > 0
    rows = (tmp_path / "acled-300.csv").read_text().splitlines()
    assert len(rows) == 301
    assert rows[0].split(",") == list(imports.COLUMNS)
    table_lines = imports.imports_table([run]).splitlines()
    assert table_lines[2].startswith("| sqlite | 300 |")
    # The reference: the same rows copied by SQL alone, every event and its revision at least.
    assert run["storage_floor"]["rows"] >= 2 * 300
    assert table_lines[2].endswith(f"| passed | {run['storage_floor']['rows_per_second']:,} |")
