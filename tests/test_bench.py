"""The benchmark's own logic: reading wrk, judging targets, estimating capacity.

The timings themselves are never asserted: they belong to `make bench`, not to CI.
"""

import subprocess

import pytest

from bench import load
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
