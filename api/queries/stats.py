"""Chart feeds: a histogram of events over time, an actor ranking, an actor network."""

import datetime as dt
import functools
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass

from peewee import Cast, Value, fn

from api.domain.buckets import bucket_label, bucket_start, bucket_starts
from api.domain.dates import SPAN_CLASS_DAYS
from api.domain.filters import EventFilters
from api.domain.vocabulary import EVENT_TYPES, STATUSES
from api.queries.events import event_conditions
from api.storage.connection import database, is_postgresql
from api.storage.models import Actor, Event, EventActor, EventMonthRollup, EventMonthTypeRollup

MAX_BUCKETS = 5000
OTHER = "other"
DIRECTED_ROLES = (("supplier", "recipient"), ("initiator", "target"))


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


def _month_aligned(filters: EventFilters) -> bool:
    start, end = filters.range_start, filters.range_end
    return (start is None or start.day == 1) and (
        end is None or (end + dt.timedelta(days=1)).day == 1
    )


def _rollup_serves(filters: EventFilters, request: "HistogramRequest") -> bool:
    """Tell whether the monthly rollup alone can answer this histogram exactly."""
    return (
        request.interval in {"month", "quarter", "year"}
        and request.group_by != "actor"
        and _month_aligned(filters)
        and not (filters.actor_groups or filters.roles or filters.tags)
        and filters.scope_group is None
        and filters.search is None
    )


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


def _rollup_rows(filters: EventFilters, request: "HistogramRequest"):
    """Count matching events by (start bucket, imprecise, group key), from the rollup.

    Bucketing happens in SQL: a million events make tens of thousands of rollup cells
    (intervals of every length), but only hundreds of (bucket, imprecise, key) rows.
    """
    by_status = filters.statuses or request.group_by == "status"
    rollup = EventMonthRollup if by_status else EventMonthTypeRollup
    key = {"type": rollup.type, "status": getattr(rollup, "status", None)}.get(
        request.group_by, Value("all")
    )
    conditions = []
    first = filters.range_start.replace(day=1) if filters.range_start else None
    last = filters.range_end.replace(day=1) if filters.range_end else None
    early, late = (rollup.end_month, rollup.start_month)
    if filters.date_match == "within":
        early, late = rollup.start_month, rollup.end_month
    if first:
        conditions.append(early >= first)
        if filters.date_match == "overlap" and not _spans_beyond_classes():
            # No event spans more than the longest bounded class: no cell starts earlier.
            earliest = first - dt.timedelta(days=SPAN_CLASS_DAYS[-1])
            conditions.append(rollup.start_month >= earliest.replace(day=1))
    if last:
        conditions.append(late <= last)
    if filters.types:
        conditions.append(rollup.type.in_(filters.types))
    if filters.statuses:
        conditions.append(rollup.status.in_(filters.statuses))
    bucket = _month_bucket(rollup.start_month, request.interval)
    imprecise = bucket != _month_bucket(rollup.end_month, request.interval)
    grouping = [bucket, imprecise] + ([key] if request.group_by != "none" else [])
    query = rollup.select(bucket, imprecise, key, fn.SUM(rollup.events))
    if conditions:
        query = query.where(*conditions)
    # Raw rows: the ORM would not know the bucket expression's type. PostgreSQL sums as numeric.
    cursor = database.execute(query.group_by(*grouping))
    return [(_date(start), bool(flag), key, int(n)) for start, flag, key, n in cursor]


def _spans_beyond_classes() -> bool:
    """Tell whether any live event is in the unbounded (longest) span class."""
    last_class = len(SPAN_CLASS_DAYS)
    return (
        Event.select(Event.id)
        .where(Event.span_class == last_class, Event.deleted_at.is_null())
        .exists()
    )


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


def histogram(filters: EventFilters, request: HistogramRequest) -> dict:
    """Count events per bucket of their date_start, zero-filled from the first bucket to the last.

    Events starting before the first bucket go to `before`. An event is imprecise when its
    span does not fit in one bucket: it is counted in `imprecise` as well as in `counts`,
    unless imprecise events are excluded.
    """
    if _rollup_serves(filters, request):
        rows = _rollup_rows(filters, request)
    else:
        rows = _histogram_rows(filters, request)
    starts_seen = [row[0] for row in rows]
    first = filters.range_start or min(starts_seen, default=filters.range_end)
    last = filters.range_end or max([*starts_seen, first], default=None) if first else None
    try:
        starts = bucket_starts(first, last, request.interval, limit=MAX_BUCKETS) if first else []
    except ValueError:
        raise TooManyBuckets(f"more than {MAX_BUCKETS} {request.interval} buckets") from None
    index = {start: position for position, start in enumerate(starts)}
    totals: Counter = Counter()
    for _, _, key, count in rows:
        totals[key] += count
    order, folded = _series_order(request.group_by, totals, request.series_limit)
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


def _event_links(participants: list[tuple[str, str]]) -> set[tuple[str, str, bool]]:
    """List one event's links: supplier->recipient, initiator->target, else undirected."""
    links = set()
    by_role: dict[str, set[str]] = defaultdict(set)
    for actor_id, role in participants:
        by_role[role].add(actor_id)
    for source_role, target_role in DIRECTED_ROLES:
        for source, target in itertools.product(by_role[source_role], by_role[target_role]):
            if source != target:
                links.add((source, target, True))
    directed_pairs = {frozenset((source, target)) for source, target, _ in links}
    actors = sorted({actor_id for actor_id, _ in participants})
    for source, target in itertools.combinations(actors, 2):
        if frozenset((source, target)) not in directed_pairs:
            links.add((source, target, False))
    return links


def network(filters: EventFilters, limit: int) -> dict:
    """Link actors that take part in the same matching events, weighted by event count."""
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
        for link in _event_links([(actor_id, role) for _, actor_id, role, _ in event]):
            weights[link] += 1
            types[link][event[0][3]] += 1
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
