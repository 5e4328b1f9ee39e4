"""Hostile load against a running server: over-budget queries and slow clients, beside probes.

    python -m bench.hostile budget --url http://127.0.0.1:8000 [--attackers 2] [--seconds 30]
    python -m bench.hostile slow --url http://127.0.0.1:8000 [--headers 3] [--bodies 2]

Both attacks run for --seconds while one probe after another asks for a cheap page
(`/healthz`, then `/v1/events?limit=1`); the report gives the probes' latencies and what
the attackers got. The numbers are latencies beside each other in the same run, not targets.
"""

import argparse
import http.client
import json
import socket
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

PROBES = ("/healthz", "/v1/events?limit=1")
# Ten probes a second stay inside the default read rate limit (1200 a minute per address).
PROBE_PAUSE_S = 0.1
# 32 OR'd two-letter prefixes: each matches a large share of a generated database's titles.
EXPENSIVE_QUERY = " OR ".join(f"{a}{b}*" for a in "abcdefgh" for b in "aeio")
EXPENSIVE = "/v1/stats/actors?limit=500&q=" + EXPENSIVE_QUERY.replace(" ", "%20").replace(
    "*", "%2A"
)
TRICKLE_SECONDS = 3.0


@dataclass
class Outcome:
    """What one side of the run saw: latencies in ms and status codes (0: no answer)."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def add(self, started: float, status: int) -> None:
        """Record one request that started at `started` (perf_counter) and ended now."""
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.statuses.append(status)

    def summary(self) -> dict:
        """Count, median, 95th percentile, maximum and status counts."""
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return {"requests": 0}
        return {
            "requests": len(ordered),
            "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1),
            "max_ms": round(ordered[-1], 1),
            "statuses": {str(s): self.statuses.count(s) for s in sorted(set(self.statuses))},
        }


def _get(host: str, port: int, path: str, timeout: float) -> int:
    """GET `path` on a new connection; return the status (0 when nothing came back)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        connection.close()


def _repeat(
    host: str, port: int, paths: tuple[str, ...], until: float, out: Outcome, *, pause: float = 0
) -> None:
    """Ask for `paths` in turn, one at a time, `pause` seconds apart, until `until` (monotonic)."""
    turn = 0
    while time.monotonic() < until:
        started = time.perf_counter()
        out.add(started, _get(host, port, paths[turn % len(paths)], timeout=120))
        turn += 1
        time.sleep(pause)


def _trickle(host: str, port: int, head: bytes, until: float) -> None:
    """Send `head`, then one more byte every few seconds, never finishing the request."""
    with socket.create_connection((host, port)) as sock:
        sock.sendall(head)
        while time.monotonic() < until:
            try:
                sock.sendall(b" ")
            except OSError:
                return
            time.sleep(TRICKLE_SECONDS)


# Headers that never end, and a POST whose announced body never arrives.
TRICKLED_HEADERS = b"GET /v1/events?limit=1 HTTP/1.1\r\nHost: bench\r\nX-Slow: x"


def _trickled_body(token: str) -> bytes:
    return (
        "POST /v1/events HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: 100000\r\n\r\n"
    ).encode()


def _run(attackers: list[threading.Thread], host: str, port: int, seconds: float) -> Outcome:
    """Start the attackers, probe for `seconds`, and return what the probes saw."""
    probes = Outcome()
    for attacker in attackers:
        attacker.start()
    time.sleep(1.0)  # let the attack take hold before the first probe
    _repeat(host, port, PROBES, time.monotonic() + seconds, probes, pause=PROBE_PAUSE_S)
    for attacker in attackers:
        attacker.join()
    return probes


def budget_attack(url: str, attackers: int, seconds: float) -> dict:
    """`attackers` clients repeat an expensive stats request while probes ask for cheap pages."""
    host, port = _address(url)
    until = time.monotonic() + seconds + 1.0
    attacks = Outcome()
    threads = [
        threading.Thread(target=_repeat, args=(host, port, (EXPENSIVE,), until, attacks))
        for _ in range(attackers)
    ]
    probes = _run(threads, host, port, seconds)
    return {
        "attack": "budget",
        "attackers": attackers,
        "expensive": attacks.summary(),
        "probes": probes.summary(),
    }


def slow_attack(url: str, headers: int, bodies: int, token: str, seconds: float) -> dict:
    """Slow connections (headers trickling, bodies trickling) while probes ask for cheap pages."""
    host, port = _address(url)
    until = time.monotonic() + seconds + 1.0
    heads = [TRICKLED_HEADERS] * headers + [_trickled_body(token)] * bodies
    threads = [
        threading.Thread(target=_trickle, args=(host, port, head, until), daemon=True)
        for head in heads
    ]
    probes = _run(threads, host, port, seconds)
    return {
        "attack": "slow",
        "header_tricklers": headers,
        "body_tricklers": bodies,
        "probes": probes.summary(),
    }


def _address(url: str) -> tuple[str, int]:
    """Host and port of a base URL."""
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def main(argv: list[str] | None = None) -> None:
    """Run one attack and print its report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("attack", choices=("budget", "slow"))
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--attackers", type=int, default=2, help="budget: concurrent clients")
    parser.add_argument("--headers", type=int, default=3, help="slow: header tricklers")
    parser.add_argument("--bodies", type=int, default=2, help="slow: body tricklers")
    parser.add_argument("--token", default="", help="slow: a write token for the bodies")
    args = parser.parse_args(argv)
    if args.attack == "budget":
        report = budget_attack(args.url, args.attackers, args.seconds)
    else:
        report = slow_attack(args.url, args.headers, args.bodies, args.token, args.seconds)
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
