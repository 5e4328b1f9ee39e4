"""Date-ordered keys in one plain statement, for the filters dashboards repeat.

The same read as `date_order` (a branch per span class, merged) for dates, actors with
roles, types and statuses; the other filters go through the composed queries there.
"""

import datetime as dt

from api.domain.dates import SPAN_CLASS_DAYS, days_before
from api.domain.filters import EventFilters
from api.storage.sql import marks, run

SPAN_CLASSES = range(len(SPAN_CLASS_DAYS) + 1)


def plain_keys_serve(filters: EventFilters, driver: frozenset[str] | None, rest) -> bool:
    """Tell whether the plain statement covers these filters (after picking the driver)."""
    return (
        not rest.actor_groups
        and rest.scope_group is None
        and not rest.tags
        and rest.search is None
        and not rest.selects_beyond_rollups
        and (driver is not None or not filters.roles)
    )


def _in(column: str, values, params: list) -> str:
    params.extend(values)
    return f"{column} IN ({marks(len(values))})"


def _class_source(filters, span, driver, params: list) -> tuple[tuple[str, str, str], str]:
    """Return one span class's key columns and its FROM ... WHERE, appending parameters."""
    if driver is None:
        key = ("e.date_start", "e.date_end", "e.id")
        source, conditions = "event e", ["e.deleted_at IS NULL"]
    else:
        key = ("ea.date_start", "ea.date_end", "ea.event_id")
        # Deleting an event deletes its event_actor rows: only the event's own columns
        # need the join.
        source = "event_actor ea"
        if filters.types or filters.statuses:
            source += " JOIN event e ON e.id = ea.event_id"
        conditions = [_in("ea.actor_id", sorted(driver), params)]
    table = "e" if driver is None else "ea"
    conditions.append(f"{table}.span_class = ?")
    params.append(span)
    if driver is not None and filters.roles:
        conditions.append(_in("ea.role", filters.roles, params))
    for side, operator, bound in date_bounds(filters, span):
        conditions.append(f"{key[0] if side == 'start' else key[1]} {operator} ?")
        params.append(bound.isoformat())
    if filters.types:
        conditions.append(_in("e.type", filters.types, params))
    if filters.statuses:
        conditions.append(_in("e.status", filters.statuses, params))
    return key, f"FROM {source} WHERE {' AND '.join(conditions)}"


def _branch(filters, span, driver, *, descending, after, limit, params: list) -> str:
    """Return the SELECT of one span class's keys, appending its parameters."""
    key, source = _class_source(filters, span, driver, params)
    if after is not None:
        source += f" AND ({', '.join(key)}) {'<' if descending else '>'} (?, ?, ?)"
        params.extend(after)
    direction = " DESC" if descending else ""
    order = ", ".join(f"{column}{direction}" for column in key)
    params.append(limit)
    # DISTINCT: an event named twice (two roles, two members) is one key.
    distinct = "DISTINCT " if driver is not None else ""
    # Wrapped: SQLite allows ORDER BY and LIMIT on a UNION ALL member only in a subquery.
    return (
        f"SELECT * FROM (SELECT {distinct}{key[0]} AS date_start, {key[1]} AS date_end, "
        f"{key[2]} AS id {source} ORDER BY {order} LIMIT ?) AS span_{span}"
    )


def plain_count(filters: EventFilters, driver: frozenset[str] | None) -> int:
    """Count the matching events, a span class at a time, in one statement."""
    params: list = []
    counts = []
    for span in SPAN_CLASSES:
        key, source = _class_source(filters, span, driver, params)
        counted = f"COUNT(DISTINCT {key[2]})" if driver is not None else "COUNT(*)"
        counts.append(f"(SELECT {counted} {source})")
    return run(f"SELECT {' + '.join(counts)}", params).fetchone()[0]


def date_bounds(filters: EventFilters, span: int) -> list[tuple[str, str, dt.date]]:
    """Return the (`start` or `end`, `>=` or `<=`, date) bounds of one span class's dates.

    An event of span class c that overlaps [from, to] ends on or after `from`, starts on
    or before `to`, and starts no earlier than `from` minus the longest span of c.
    """
    if filters.date_match == "within":
        bounds = [("start", ">=", filters.range_start), ("end", "<=", filters.range_end)]
        return [bound for bound in bounds if bound[2] is not None]
    bounds = []
    if filters.range_start is not None:
        bounds.append(("end", ">=", filters.range_start))
        if span < len(SPAN_CLASS_DAYS):
            earliest = days_before(filters.range_start, SPAN_CLASS_DAYS[span])
            bounds.append(("start", ">=", earliest))
    if filters.range_end is not None:
        bounds.append(("start", "<=", filters.range_end))
    return bounds


def plain_keys(
    filters: EventFilters,
    driver: frozenset[str] | None,
    *,
    descending: bool,
    after: list | None,
    limit: int,
) -> list[tuple]:
    """Return up to `limit` (date_start, date_end, id) keys after `after`, in date order."""
    params: list = []
    branches = [
        _branch(
            filters, span, driver, descending=descending, after=after, limit=limit, params=params
        )
        for span in SPAN_CLASSES
    ]
    direction = " DESC" if descending else ""
    params.append(limit)
    sql = (
        f"{' UNION ALL '.join(branches)} ORDER BY 1{direction}, 2{direction}, 3{direction} LIMIT ?"
    )
    return list(run(sql, params))


def plain_class_keys(
    filters: EventFilters,
    driver: frozenset[str] | None,
    span: int,
    *,
    descending: bool,
    after: list | None,
    limit: int,
) -> list[tuple]:
    """Return up to `limit` keys of one span class after `after`, in date order."""
    params: list = []
    sql = _branch(
        filters, span, driver, descending=descending, after=after, limit=limit, params=params
    )
    return list(run(sql, params))
