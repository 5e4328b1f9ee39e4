"""The benchmark's tables and the issue's targets, computed from one run's results."""

QUERY_NAMES = ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q2-10")


def _ratio(value: float, reference: float) -> float:
    return round(value / reference, 3) if reference else 0.0


def targets(results: dict) -> list[dict]:
    """Check the issue's targets against the sync workers' figures of one run."""
    sync = results["load"]["sync"]
    ceiling = sync["hello"]["requests_per_second"]
    largest = results["export"][-1]
    peaks = [run["worker_rss_peak_mb"] for run in results["export"]]

    def share(name: str, at_least: float) -> dict:
        value = _ratio(sync[name]["requests_per_second"], ceiling)
        return {
            "target": f"{name} >= {at_least} of ceiling",
            "value": value,
            "met": value >= at_least,
        }

    def p50(name: str, at_most: float) -> dict:
        value = sync[name]["p50_ms"]
        return {"target": f"{name} p50 <= {at_most} ms", "value": value, "met": value <= at_most}

    growth = _ratio(sync["Q2"]["p50_ms"], results["scale"]["Q2"]["p50_ms"])
    return [
        share("Q1", 0.40),
        share("Q2", 0.25),
        share("Q4", 0.60),
        p50("Q3", 25),
        p50("Q5", 40),
        {"target": "Q2 p50 at 1M <= 1.5 x at 10k", "value": growth, "met": growth <= 1.5},
        {
            "target": "Q7 >= 50000 rows/s",
            "value": largest["rows_per_second"],
            "met": largest["rows_per_second"] >= 50_000,
        },
        {
            "target": "Q7 peak worker RSS <= 150 MB, flat as the export grows",
            "value": peaks,
            "met": max(peaks) <= 150 and max(peaks) - min(peaks) <= 15,
        },
    ]


def _load_rows(results: dict, worker_class: str) -> list[str]:
    load = results["load"][worker_class]
    ceiling = load["hello"]["requests_per_second"]
    rows = [
        f"{worker_class:<8} {'query':<6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'x ceil':>7} {'floor ms':>9} {'x floor':>8}"
    ]
    for name in QUERY_NAMES:
        figures, floor = load[name], results["floor"][name]
        rows.append(
            f"{'':<8} {name:<6} {figures['requests_per_second']:>8.0f} {figures['p50_ms']:>8.2f} "
            f"{figures['p99_ms']:>8.2f} "
            f"{_ratio(figures['requests_per_second'], ceiling):>7.3f} {floor['ms']:>9.3f} "
            f"{_ratio(figures['requests_per_second'], floor['requests_per_second']):>8.3f}"
        )
    hello = load["hello"]
    rows.append(
        f"{'':<8} {'hello':<6} {ceiling:>8.0f} {hello['p50_ms']:>8.2f} {hello['p99_ms']:>8.2f} "
        f"{1:>7.3f}"
    )
    return rows


def table(results: dict) -> str:
    """Return the run as plain-text tables: loads, scale, export and targets."""
    environment = results["environment"]
    lines = [
        f"== {results['backend']}: {results['events']:,} events, {environment['database']}, "
        f"{environment['cpus']} CPUs, {environment['workers']} workers, "
        f"wrk -t1 -c{results['wrk']['connections']} -d{results['wrk']['seconds']}s, "
        f"median of {results['wrk']['runs']} ==",
    ]
    if results["generate_seconds"] is not None:
        lines.append(f"generated in {results['generate_seconds']} s")
    for worker_class in results["load"]:
        lines += _load_rows(results, worker_class)
    scaled = results["scale"]
    for name in ("Q2", "Q2-10"):
        small, large = scaled[name], results["load"]["sync"][name]
        lines.append(
            f"scale    {name} p50: {small['p50_ms']:.2f} ms at {scaled['events']:,} events "
            f"({small['rows']} rows), {large['p50_ms']:.2f} ms at {results['events']:,} "
            f"({scaled['rows_at_1m'][name]} rows): x{_ratio(large['p50_ms'], small['p50_ms'])}"
        )
    floor_q7 = results["floor"]["Q7"]
    for run in results["export"]:
        lines.append(
            f"export   Q7 {run['rows']:>7,} rows: {run['rows_per_second']:>7,} rows/s, "
            f"worker RSS {run['worker_rss_before_mb']} -> {run['worker_rss_peak_mb']} MB"
        )
    largest = results["export"][-1]
    lines.append(
        f"export   floor (its SQL alone): {largest['rows'] / floor_q7['seconds']:,.0f} rows/s"
    )
    lines += capacity_lines(results["capacity"])
    for target in results["targets"]:
        mark = "met   " if target["met"] else "MISSED"
        lines.append(f"target   {mark} {target['target']}: {target['value']}")
    return "\n".join(lines)


# A dashboard's reads, by share: pages, an actor's page, charts, single events, counts, search.
DASHBOARD_MIX = {"Q1": 0.30, "Q2": 0.25, "Q3": 0.10, "Q4": 0.25, "Q5": 0.05, "Q6": 0.05}


def capacity(results: dict, *, target_rps: float = 1000.0) -> dict:
    """Estimate hosts and database cores for `target_rps` of the dashboard mix.

    A host's rate is the mix's harmonic mean of the sync figures (the benchmark host runs app,
    database and wrk on its 2 cores, so a host without the database does at least this). The
    database's work per request is the mix's floor: its SQL alone, measured in-process.
    """
    sync = results["load"]["sync"]
    mix = DASHBOARD_MIX.items()
    host_rps = 1 / sum(share / sync[name]["requests_per_second"] for name, share in mix)
    sql_ms = sum(share * results["floor"][name]["ms"] for name, share in mix)
    return {
        "mix": DASHBOARD_MIX,
        "target_rps": target_rps,
        "host_rps": round(host_rps, 1),
        "hosts": -(-target_rps // host_rps),
        "database_ms_per_request": round(sql_ms, 3),
        "database_cores": round(target_rps * sql_ms / 1000, 2),
    }


def capacity_lines(estimate: dict) -> list[str]:
    """Describe a capacity estimate in two lines."""
    return [
        f"capacity dashboard mix: {estimate['host_rps']:.0f} req/s per 2-core host; "
        f"{estimate['target_rps']:.0f} req/s needs {estimate['hosts']:.0f} host(s)",
        f"capacity database: {estimate['database_ms_per_request']} ms of SQL per request, "
        f"{estimate['database_cores']} core(s) busy at {estimate['target_rps']:.0f} req/s",
    ]
