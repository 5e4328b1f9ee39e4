"""Q7: a CSV export streamed over HTTP, its rows per second and the workers' peak memory."""

import threading
import time
import urllib.request

from bench.load import resident_mb, worker_pids


class _PeakMemory(threading.Thread):
    """Sample the workers' resident memory every 20 ms; keep the largest."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak_mb = max(resident_mb(pid) for pid in pids)
        self.done = threading.Event()

    def run(self) -> None:
        """Sample until told to stop."""
        while not self.done.wait(0.02):
            self.peak_mb = max(self.peak_mb, *(resident_mb(pid) for pid in self.pids))


def measure_export(base: str, master: int, query: str) -> dict:
    """Stream `/v1/events/export?format=csv&{query}`; return rows, rows/s and RSS figures."""
    pids = worker_pids(master)
    before_mb = max(resident_mb(pid) for pid in pids)
    sampler = _PeakMemory(pids)
    sampler.start()
    lines = 0
    started = time.perf_counter()
    with urllib.request.urlopen(f"{base}/v1/events/export?format=csv&{query}", timeout=600) as r:
        if r.status != 200:
            raise RuntimeError(f"export answered {r.status}")
        while chunk := r.read(1 << 16):
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    rows = lines - 1  # the header
    return {
        "query": query,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_second": round(rows / seconds),
        "worker_rss_before_mb": round(before_mb, 1),
        "worker_rss_peak_mb": round(sampler.peak_mb, 1),
    }
