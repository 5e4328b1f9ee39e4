"""Load from outside: gunicorn started as production starts it, driven by wrk over loopback."""

import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.datasets import ROOT

GUNICORN = Path(sys.executable).with_name("gunicorn")
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Load:
    """What wrk measured: the median of repeated runs."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    runs: int


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(
    database_url: str, *, worker_class: str, app: str | None = None
) -> Iterator[tuple[str, int]]:
    """Serve the app with gunicorn.conf.py; yield its base URL and master pid."""
    port = free_port()
    environment = {
        **os.environ,
        "TIMELINE_DATABASE_URL": database_url,
        "TIMELINE_BIND": f"127.0.0.1:{port}",
        "TIMELINE_WORKER_CLASS": worker_class,
        "TIMELINE_RATE_LIMIT_ENABLED": "false",
        "TIMELINE_LOG_ACCESS": "false",
        "TIMELINE_SECRET_KEY": "bench",
    }
    command = [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), *([app] if app else [])]
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + ("/hello" if app else "/healthz"), process)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within 60 s")


def check(url: str) -> bytes:
    """Fetch a URL once; fail unless it answers 200. Return the body."""
    with urllib.request.urlopen(url, timeout=60) as response:
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
        return response.read()


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk_once(url: str, *, seconds: int, connections: int) -> Load:
    """Run wrk once (one thread) against a URL; fail on any non-2xx answer or socket error."""
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw errors on {url}:\n{output}")
    percentile = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return Load(rate, _milliseconds(percentile["50"]), _milliseconds(percentile["99"]), 1)


def wrk(url: str, *, seconds: int, runs: int, connections: int = 4) -> Load:
    """Warm up, then run wrk `runs` times; return the median of each figure."""
    wrk_once(url, seconds=1, connections=connections)
    loads = [wrk_once(url, seconds=seconds, connections=connections) for _ in range(runs)]
    return Load(
        statistics.median(load.requests_per_second for load in loads),
        statistics.median(load.p50_ms for load in loads),
        statistics.median(load.p99_ms for load in loads),
        runs,
    )


def worker_pids(master: int) -> list[int]:
    """Return the pids of a gunicorn master's worker processes."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def resident_mb(pid: int) -> float:
    """Return a process's resident set size in MB (0 if it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # gone: no file, or ESRCH while reading it
        return 0.0
    # A process that has exited but is not yet reaped (a zombie) has no VmRSS line.
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0
