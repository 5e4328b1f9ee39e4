"""Chart feeds: a histogram of events over time, an actor ranking, an actor network."""

import calendar
import datetime as dt
import functools
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass

from peewee import Cast, Value, fn

from api.domain.buckets import bucket_label, bucket_start, bucket_starts
from api.domain.filters import EventFilters
from api.domain.participation import event_links, held_roles
from api.domain.vocabulary import EVENT_TYPES, STATUSES
from api.queries.events import event_conditions
from api.queries.rollup_reads import (
    actor_rollup,
    actors_rollup_serves,
    cell_conditions,
    days_rollup_serves,
    event_rollup,
    events_rollup_serves,
    link_rollup,
    links_rollup_serves,
    month_aligned,
    selects_on_cells,
    single_actor,
    spans_serve,
)
from api.storage.connection import database, is_postgresql
from api.storage.models import (
    Actor,
    ActorAppearanceRollup,
    ActorCountRollup,
    ActorMonthRollup,
    ActorSpanRollup,
    Event,
    EventActor,
    EventDayRollup,
    LinkWeightRollup,
)

MAX_BUCKETS = 5000
OTHER = "other"


class TooManyBuckets(ValueError):
    """The range holds more buckets than a response may."""


@dataclass(frozen=True)
class HistogramRequest:
    """What a histogram counts and how."""

    interval: str
    group_by: str
    exclude_imprecise: bool
    series_limit: int


def _roles_condition(filters: EventFilters) -> list:
    return [EventActor.role.in_(filters.roles)] if filters.roles else []


def _month_bucket(column, interval: str):
    """Return SQL for the first day of the bucket of a first-of-month date."""
    if interval == "month":
        return column
    if is_postgresql():
        return fn.date_trunc(interval, column).cast("date")
    year = fn.substr(column, 1, 4)
    if interval == "year":
        return year.concat("-01-01")
    quarter_month = (Cast(fn.substr(column, 6, 2), "INTEGER") - 1) / 3 * 3 + 1
    return fn.printf("%s-%02d-01", year, quarter_month)


MONTHLY_INTERVALS = frozenset({"month", "quarter", "year"})


def _rollup_source(filters: EventFilters, group_by: str) -> tuple | None:
    """Return the rollup, group key and conditions that count this histogram, or None.

    The event rollup, or one actor's cells when the filters name that one actor. (By actor,
    see `_actor_series_from_rollup`.)
    """
    if group_by == "actor":
        return None
    if events_rollup_serves(filters):
        rollup = event_rollup(filters, by_status=group_by == "status")
        conditions = cell_conditions(rollup, filters)
    elif (actor_id := single_actor(filters)) is not None:
        rollup = (
            ActorSpanRollup if group_by == "none" and spans_serve(filters) else ActorMonthRollup
        )
        conditions = [rollup.actor == actor_id, *cell_conditions(rollup, filters)]
    else:
        return None
    key = {"type": getattr(rollup, "type", None), "status": getattr(rollup, "status", None)}.get(
        group_by, Value("all")
    )
    return rollup, key, conditions


def _bucketed(rollup, key, conditions: list, interval: str, *, grouped: bool = True) -> list:
    """Sum a rollup's matching cells by (start bucket, imprecise, key).

    Bucketing happens in SQL: a million events make a million actor cells (intervals of
    every length), but only thousands of (bucket, imprecise, key) rows. A constant key is
    not `grouped`: PostgreSQL refuses a literal in GROUP BY.
    """
    bucket = _month_bucket(rollup.start_month, interval)
    imprecise = bucket != _month_bucket(rollup.end_month, interval)
    query = rollup.select(bucket, imprecise, key, fn.SUM(rollup.events))
    if conditions:
        query = query.where(*conditions)
    grouping = [bucket, imprecise] + ([key] if grouped else [])
    # Raw rows: the ORM would not know the bucket expression's type. PostgreSQL sums as numeric.
    cursor = database.execute(query.group_by(*grouping))
    return [(_date(start), bool(flag), group, int(n)) for start, flag, group, n in cursor]


def _day_rows(filters: EventFilters, request: "HistogramRequest") -> list:
    """Count matching events by (start bucket, imprecise, group key) from the rollup by day."""
    rollup = EventDayRollup
    key = {"type": rollup.type, "status": rollup.status}.get(request.group_by, Value("all"))
    grouping = [rollup.start_day, rollup.end_day] + ([key] if request.group_by != "none" else [])
    query = rollup.select(rollup.start_day, rollup.end_day, key, fn.SUM(rollup.events))
    conditions = cell_conditions(rollup, filters)
    if conditions:
        query = query.where(*conditions)
    counts: Counter = Counter()
    for start, end, group, count in query.group_by(*grouping).tuples():
        bucket = bucket_start(start, request.interval)
        counts[bucket, bucket != bucket_start(end, request.interval), group] += int(count)
    return [(*cell, count) for cell, count in counts.items()]


def _rollup_rows(filters: EventFilters, request: "HistogramRequest") -> list | None:
    """Count matching events by (start bucket, imprecise, group key) from a rollup, or None."""
    monthly = request.interval in MONTHLY_INTERVALS and month_aligned(filters)
    if not monthly:
        if request.group_by != "actor" and days_rollup_serves(filters):
            return _day_rows(filters, request)
        return None
    source = _rollup_source(filters, request.group_by)
    if source is None:
        return None
    rollup, key, conditions = source
    grouped = request.group_by != "none"
    return _bucketed(rollup, key, conditions, request.interval, grouped=grouped)


def _actor_series_from_rollup(
    filters: EventFilters, request: "HistogramRequest"
) -> tuple[list, list[str]] | None:
    """Count a histogram by actor from the actor rollups: (rows, series keys in order), or None.

    The top actors are ranked first; only their cells are bucketed. The rest ("other") are
    every actor's appearances minus the top actors'.
    """
    if request.interval not in MONTHLY_INTERVALS or not actors_rollup_serves(filters):
        return None
    ranked = _ranked_from_rollup(filters, request.series_limit + 1)
    top = [actor_id for actor_id, _ in ranked[: request.series_limit]]
    month_cells = ActorSpanRollup if spans_serve(filters) else ActorMonthRollup
    conditions = cell_conditions(month_cells, filters)
    rows = _bucketed(
        month_cells,
        month_cells.actor,
        [*conditions, month_cells.actor.in_(top)],
        request.interval,
    )
    if len(ranked) <= request.series_limit:
        return rows, top
    others: Counter = Counter()
    everyone = ActorAppearanceRollup
    for bucket, imprecise, _, count in _bucketed(
        everyone, Value(OTHER), cell_conditions(everyone, filters), request.interval, grouped=False
    ):
        others[bucket, imprecise] += count
    for bucket, imprecise, _, count in rows:
        others[bucket, imprecise] -= count
    rows += [(bucket, imprecise, OTHER, n) for (bucket, imprecise), n in others.items() if n]
    return rows, [*top, OTHER]


@functools.lru_cache(maxsize=4096)
def _date(value) -> dt.date:
    """Return a date from SQLite's text or PostgreSQL's date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _histogram_rows(filters: EventFilters, request: "HistogramRequest"):
    """Count matching events by (start bucket, imprecise, group key), from the events."""
    group_by = request.group_by
    if group_by == "actor":
        key = EventActor.actor
        query = Event.select(
            Event.date_start, Event.date_end, key, fn.COUNT(fn.DISTINCT(Event.id))
        )
        query = query.join(EventActor, on=(EventActor.event == Event.id)).where(
            *event_conditions(filters), *_roles_condition(filters)
        )
    else:
        key = {"type": Event.type, "status": Event.status}.get(group_by, Value("all"))
        query = Event.select(Event.date_start, Event.date_end, key, fn.COUNT(Event.id)).where(
            *event_conditions(filters)
        )
    # A constant key is not grouped by: PostgreSQL refuses a literal in GROUP BY.
    grouping = [Event.date_start, Event.date_end] + ([key] if group_by != "none" else [])
    counts: Counter = Counter()
    for start, end, group, count in query.group_by(*grouping).tuples():
        bucket = bucket_start(start, request.interval)
        counts[bucket, bucket != bucket_start(end, request.interval), group] += count
    return [(*cell, count) for cell, count in counts.items()]


def _labels(group_by: str, keys: set[str]) -> dict[str, str]:
    if group_by == "type":
        return {term.slug: term.label for term in EVENT_TYPES}
    if group_by == "status":
        return {term.slug: term.label for term in STATUSES}
    if group_by == "actor":
        names = Actor.select(Actor.id, Actor.name).where(Actor.id.in_(sorted(keys))).tuples()
        return {**dict(names), OTHER: "Other actors"}
    return {"all": "All events"}


def _series_order(group_by: str, totals: Counter, limit: int) -> tuple[list[str], set[str]]:
    """Return the series keys in display order, and the actor keys folded into 'other'."""
    if group_by == "type":
        return [t.slug for t in EVENT_TYPES if totals[t.slug]], set()
    if group_by == "status":
        return [s.slug for s in STATUSES if totals[s.slug]], set()
    if group_by == "actor":
        ranked = sorted(totals, key=lambda key: (-totals[key], key))
        kept, folded = ranked[:limit], set(ranked[limit:])
        return kept + ([OTHER] if folded else []), folded
    return ["all"], set()


def _refuse_too_many_buckets(filters: EventFilters, interval: str) -> None:
    """Refuse, before counting, a histogram whose buckets are sure to be too many.

    Sure when the range is given; without one, when the event rollup says the matching
    events start further apart than the buckets allowed could span.
    """
    first, last = filters.range_start, filters.range_end
    # Only days and weeks can outnumber the limit over the years events span: the rollup
    # is asked for their first and last month for those alone.
    spread = interval in {"day", "week"}
    if spread and (first is None or last is None) and events_rollup_serves(filters):
        rollup = event_rollup(filters, by_status=False)
        query = rollup.select(fn.MIN(rollup.start_month), fn.MAX(rollup.start_month))
        conditions = cell_conditions(rollup, filters)
        earliest, latest = (query.where(*conditions) if conditions else query).tuples()[0]
        if earliest is not None:
            # The first event starts at the latest at the end of its month.
            start = _date(earliest)
            first = first or start.replace(day=calendar.monthrange(start.year, start.month)[1])
            last = last or _date(latest)
    if first is None or last is None or first > last:
        return
    try:
        bucket_starts(first, last, interval, limit=MAX_BUCKETS)
    except ValueError:
        raise TooManyBuckets(f"more than {MAX_BUCKETS} {interval} buckets") from None


def histogram(filters: EventFilters, request: HistogramRequest) -> dict:
    """Count events per bucket of their date_start, zero-filled from the first bucket to the last.

    Events starting before the first bucket go to `before`. An event is imprecise when its
    span does not fit in one bucket: it is counted in `imprecise` as well as in `counts`,
    unless imprecise events are excluded.
    """
    _refuse_too_many_buckets(filters, request.interval)
    by_actor = None
    if request.group_by == "actor":
        by_actor = _actor_series_from_rollup(filters, request)
    if by_actor is not None:
        rows, order = by_actor
        folded: set[str] = set()
    else:
        rows = _rollup_rows(filters, request)
        if rows is None:
            rows = _histogram_rows(filters, request)
        totals: Counter = Counter()
        for _, _, key, count in rows:
            totals[key] += count
        order, folded = _series_order(request.group_by, totals, request.series_limit)
    starts_seen = [row[0] for row in rows]
    first = filters.range_start or min(starts_seen, default=filters.range_end)
    last = filters.range_end or max([*starts_seen, first], default=None) if first else None
    try:
        starts = bucket_starts(first, last, request.interval, limit=MAX_BUCKETS) if first else []
    except ValueError:
        raise TooManyBuckets(f"more than {MAX_BUCKETS} {request.interval} buckets") from None
    index = {start: position for position, start in enumerate(starts)}
    series = {
        key: {"counts": [0] * len(starts), "imprecise": [0] * len(starts), "before": 0}
        for key in order
    }
    for bucket, imprecise, key, count in rows:
        entry = series[OTHER if key in folded else key]
        if starts and bucket < starts[0]:
            entry["before"] += count
            continue
        if imprecise:
            entry["imprecise"][index[bucket]] += count
            if request.exclude_imprecise:
                continue
        entry["counts"][index[bucket]] += count
    labels = _labels(request.group_by, set(order))
    return {
        "interval": request.interval,
        "group_by": request.group_by,
        "imprecise": "exclude" if request.exclude_imprecise else "include",
        "buckets": [bucket_label(start, request.interval) for start in starts],
        "bucket_starts": starts,
        "series": [{"key": key, "label": labels.get(key, key), **series[key]} for key in order],
        "before": sum(entry["before"] for entry in series.values()),
        "total": sum(sum(entry["counts"]) for entry in series.values()),
    }


def actor_ranking(filters: EventFilters, limit: int) -> list[dict]:
    """Rank actors by the matching events that name them, with counts by role and type."""
    if actors_rollup_serves(filters):
        ranked, by_role, by_type = _ranking_from_rollup(filters, limit)
    else:
        ranked, by_role, by_type = _ranking_from_events(filters, limit)
    ids = [actor_id for actor_id, _ in ranked]
    actors = {a.id: a for a in Actor.select().where(Actor.id.in_(ids))}
    return [
        {
            "id": actor_id,
            "name": actors[actor_id].name,
            "kind": actors[actor_id].kind,
            "event_count": count,
            "roles": dict(sorted(by_role[actor_id].items())),
            "types": dict(sorted(by_type[actor_id].items())),
        }
        for actor_id, count in ranked
    ]


def _ranked_from_rollup(filters: EventFilters, limit: int) -> list[tuple[str, int]]:
    """Rank actors by matching events from the actor rollups: (id, count) pairs, best first."""
    if not selects_on_cells(filters):
        counted = ActorCountRollup
        ranking = counted.select(counted.actor, counted.events)
        ranking = ranking.order_by(counted.events.desc(), counted.actor)
    else:
        rollup = actor_rollup(filters)
        if rollup is ActorMonthRollup and spans_serve(filters):
            rollup = ActorSpanRollup
        total = fn.SUM(rollup.events)
        ranking = rollup.select(rollup.actor, total).where(*cell_conditions(rollup, filters))
        ranking = ranking.group_by(rollup.actor).order_by(total.desc(), rollup.actor)
    return [(actor_id, int(count)) for actor_id, count in ranking.limit(limit).tuples()]


def _ranking_from_rollup(filters: EventFilters, limit: int) -> tuple:
    """Rank actors from the actor rollups: (ranked (id, count) pairs, counts by role, by type)."""
    ranked = _ranked_from_rollup(filters, limit)
    rollup = actor_rollup(filters)
    query = rollup.select(rollup.actor, rollup.roles, rollup.type, fn.SUM(rollup.events)).where(
        *cell_conditions(rollup, filters), rollup.actor.in_([actor_id for actor_id, _ in ranked])
    )
    by_role: dict[str, Counter] = defaultdict(Counter)
    by_type: dict[str, Counter] = defaultdict(Counter)
    # Rows as the driver returns them: a ranking of 500 reads ~25 cells an actor, and peewee's
    # row wrapper cost more than the statement.
    for actor_id, roles, event_type, count in database.execute(
        query.group_by(rollup.actor, rollup.roles, rollup.type)
    ):
        by_type[actor_id][event_type] += int(count)
        for role in held_roles(roles):
            if not filters.roles or role in filters.roles:
                by_role[actor_id][role] += int(count)
    return ranked, by_role, by_type


def _ranking_from_events(filters: EventFilters, limit: int) -> tuple:
    """Rank actors from the events: (ranked (id, count) pairs, counts by role, by type)."""
    base = (
        EventActor.select()
        .join(Event, on=(EventActor.event == Event.id))
        .where(*event_conditions(filters), *_roles_condition(filters))
    )
    events = fn.COUNT(fn.DISTINCT(EventActor.event))
    ranked = list(
        base.select(EventActor.actor, events.alias("n"))
        .group_by(EventActor.actor)
        .order_by(events.desc(), EventActor.actor)
        .limit(limit)
        .tuples()
    )
    ids = [actor_id for actor_id, _ in ranked]
    by_role: dict[str, dict[str, int]] = defaultdict(dict)
    for actor_id, role, count in (
        base.select(EventActor.actor, EventActor.role, events)
        .where(EventActor.actor.in_(ids))
        .group_by(EventActor.actor, EventActor.role)
        .tuples()
    ):
        by_role[actor_id][role] = count
    by_type: dict[str, dict[str, int]] = defaultdict(dict)
    for actor_id, event_type, count in (
        base.select(EventActor.actor, Event.type, events)
        .where(EventActor.actor.in_(ids))
        .group_by(EventActor.actor, Event.type)
        .tuples()
    ):
        by_type[actor_id][event_type] = count
    return ranked, by_role, by_type


def network(filters: EventFilters, limit: int) -> dict:
    """Link actors that take part in the same matching events, weighted by event count."""
    if links_rollup_serves(filters):
        weights, types = _links_from_rollup(filters, limit)
    else:
        weights, types = _links_from_events(filters)
    ranked = sorted(weights, key=lambda link: (-weights[link], link))[:limit]
    node_ids = sorted({actor_id for link in ranked for actor_id in link[:2]})
    nodes = Actor.select(Actor.id, Actor.name, Actor.kind).where(Actor.id.in_(node_ids))
    return {
        "nodes": [{"id": a.id, "name": a.name, "kind": a.kind} for a in nodes.order_by(Actor.id)],
        "links": [
            {
                "source": source,
                "target": target,
                "directed": directed,
                "weight": weights[(source, target, directed)],
                "types": dict(sorted(types[(source, target, directed)].items())),
            }
            for source, target, directed in ranked
        ],
    }


def _links_from_rollup(filters: EventFilters, limit: int) -> tuple[Counter, dict]:
    """Weigh the heaviest `limit` links from the link rollup, with their counts by type."""
    rollup = link_rollup(filters)
    conditions = cell_conditions(rollup, filters)
    link = (rollup.source_actor, rollup.target_actor, rollup.directed)
    weight = fn.SUM(rollup.events)
    if selects_on_cells(filters):
        query = rollup.select(*link, weight).where(*conditions).group_by(*link)
        query = query.order_by(weight.desc(), *link)
    else:
        query = _heaviest_links(limit)
    weights: Counter = Counter()
    for source, target, directed, count in query.limit(limit).tuples():
        weights[source, target, bool(directed)] = int(count)
    types: dict[tuple, Counter] = defaultdict(Counter)
    if not weights:
        return weights, types
    sources = sorted({source for source, _, _ in weights})
    targets = sorted({target for _, target, _ in weights})
    query = rollup.select(*link, rollup.type, weight).where(
        *conditions, rollup.source_actor.in_(sources), rollup.target_actor.in_(targets)
    )
    for source, target, directed, event_type, count in query.group_by(*link, rollup.type).tuples():
        if (source, target, bool(directed)) in weights:
            types[source, target, bool(directed)][event_type] += int(count)
    return weights, types


def _heaviest_links(limit: int):
    """Select links by weight (heaviest first, then by link), reading only the heaviest.

    The weight index finds the `limit`-th heaviest weight; only links at least as heavy
    (ties included) are then sorted.
    """
    weighted = LinkWeightRollup
    link = (weighted.source_actor, weighted.target_actor, weighted.directed)
    threshold = (
        weighted.select(weighted.events)
        .order_by(weighted.events.desc())
        .limit(1)
        .offset(limit - 1)
    )
    return (
        weighted.select(*link, weighted.events)
        .where(weighted.events >= fn.COALESCE(threshold, 0))
        .order_by(weighted.events.desc(), *link)
    )


def _links_from_events(filters: EventFilters) -> tuple[Counter, dict]:
    """Weigh every link of the matching events, with its counts by type."""
    rows = (
        EventActor.select(EventActor.event, EventActor.actor, EventActor.role, Event.type)
        .join(Event, on=(EventActor.event == Event.id))
        .where(*event_conditions(filters))
        .order_by(EventActor.event)
        .tuples()
    )
    weights: Counter = Counter()
    types: dict[tuple, Counter] = defaultdict(Counter)
    for _, grouped in itertools.groupby(rows, key=lambda row: row[0]):
        event = list(grouped)
        for link in event_links([(actor_id, role) for _, actor_id, role, _ in event]):
            weights[link] += 1
            types[link][event[0][3]] += 1
    return weights, types
