"""Date-ordered reads and counts that stay fast at a million events.

An event overlaps a range when it starts before the range ends and ends after it starts. An
index on the start date cannot tell where to begin reading for the second half. So events
are split by span class (a day, a month, a year, three years, longer): an event of class c
that overlaps [from, to] starts no earlier than `from` minus the longest span of c. Each
class is read in index order from that bound, and the few classes are merged.

With an actor filter, the reads are driven by `event_actor`, which carries each event's dates
in an index of its own: a popular actor's events come in date order without scanning
everyone else's.
"""

import datetime as dt
import heapq
import itertools
from collections.abc import Iterator
from dataclasses import replace

from peewee import Expression, Tuple, fn

from api.domain.filters import EventFilters
from api.queries.actors import event_counts
from api.queries.date_keys import (
    SPAN_CLASSES,
    date_bounds,
    plain_class_keys,
    plain_count,
    plain_keys,
    plain_keys_serve,
)
from api.queries.events import event_conditions
from api.storage.models import Event, EventActor, EventTag
from api.storage.sql import iso_date

# A filter matching at least this many events is tested event by event as a date-ordered
# read walks (a page then comes after a few hundred lookups); a rarer one is read as a list
# of its events, which costs less than walking past the events it lacks.
DENSE_MATCHES = 5000


def _driver(filters: EventFilters) -> tuple[frozenset[str] | None, EventFilters]:
    """Pick the actors whose rows drive the read; return them and the filters left over.

    With actor_match=all, the group naming the fewest events drives; the others are looked
    up for each of its events.
    """
    if filters.scope_group is not None:
        return filters.scope_group, replace(filters, scope_group=None, roles=filters.roles)
    if filters.actor_groups and filters.actor_match == "any":
        everyone = frozenset().union(*filters.actor_groups)
        return everyone, replace(filters, actor_groups=(), roles=())
    if filters.actor_groups:
        counts = event_counts(sorted(frozenset().union(*filters.actor_groups)))
        groups = sorted(
            filters.actor_groups,
            key=lambda group: (sum(counts.get(actor_id, 0) for actor_id in group), sorted(group)),
        )
        first, *others = groups
        return first, replace(filters, actor_groups=tuple(others))
    return None, filters


def _matches_at_least(query, count: int) -> bool:
    return query.limit(count).count() >= count


def probes(filters: EventFilters) -> frozenset[str]:
    """Return the filters a date-ordered page should test event by event (`event_conditions`).

    Actor groups that do not drive the read always are: the driver names the fewest events.
    """
    probed = {"actors"}
    if filters.tags and _matches_at_least(
        EventTag.select(EventTag.event).where(EventTag.tag.in_(filters.tags)), DENSE_MATCHES
    ):
        probed.add("tags")
    if filters.roles and _matches_at_least(
        EventActor.select(EventActor.event).where(EventActor.role.in_(filters.roles)),
        DENSE_MATCHES,
    ):
        probed.add("roles")
    return frozenset(probed)


def _date_bounds(filters: EventFilters, span: int, start, end) -> list[Expression]:
    columns = {"start": start, "end": end}
    return [
        columns[side] >= bound if operator == ">=" else columns[side] <= bound
        for side, operator, bound in date_bounds(filters, span)
    ]


def _remaining_conditions(filters: EventFilters, probe: frozenset[str]) -> list[Expression]:
    """Return the event conditions besides dates and the driving actors."""
    undated = replace(filters, range_start=None, range_end=None)
    if not undated.actor_groups and undated.scope_group is None:
        # The driving rows already hold the roles; no second check is needed.
        undated = replace(undated, roles=())
    return event_conditions(undated, probe)


def _class_query(
    filters: EventFilters, span: int, driver, rest: EventFilters, probe: frozenset[str]
):
    """Select the matching events of one span class: their date-order key columns."""
    if driver is None:
        key = (Event.date_start, Event.date_end, Event.id)
        query = Event.select(*key).where(
            Event.span_class == span,
            *_date_bounds(filters, span, Event.date_start, Event.date_end),
            *event_conditions(replace(filters, range_start=None, range_end=None), probe),
        )
        return query, key
    actor = EventActor
    key = (actor.date_start, actor.date_end, actor.event)
    conditions = [actor.actor.in_(sorted(driver)), actor.span_class == span]
    if filters.roles:
        conditions.append(actor.role.in_(filters.roles))
    query = (
        Event.select(*key)
        .join(actor, on=(actor.event == Event.id))
        .where(
            *conditions,
            *_date_bounds(filters, span, actor.date_start, actor.date_end),
            *_remaining_conditions(rest, probe),
        )
        .distinct()
    )
    return query, key


def _read_class(filters, span, driver, rest, probe, *, descending, after, limit) -> list[tuple]:
    query, key = _class_query(filters, span, driver, rest, probe)
    if after is not None:
        start, end, event_id = after
        position = Tuple(dt.date.fromisoformat(start), dt.date.fromisoformat(end), event_id)
        query = query.where(Tuple(*key) < position if descending else Tuple(*key) > position)
    order = [column.desc() if descending else column.asc() for column in key]
    return list(query.order_by(*order).limit(limit).tuples())


def page_in_date_order(
    filters: EventFilters, *, descending: bool, after: list | None, limit: int
) -> list[tuple]:
    """Return up to `limit` (date_start, date_end, id) keys after a keyset position, in order."""
    driver, rest = _driver(filters)
    if plain_keys_serve(filters, driver, rest):
        return plain_keys(filters, driver, descending=descending, after=after, limit=limit)
    probe = probes(filters)
    classes = [
        _read_class(
            filters, span, driver, rest, probe, descending=descending, after=after, limit=limit
        )
        for span in SPAN_CLASSES
    ]
    # An event belongs to one span class, and DISTINCT made it one key within its class.
    return list(itertools.islice(heapq.merge(*classes, reverse=descending), limit))


def keys_in_date_order(filters: EventFilters, *, descending: bool, batch: int) -> Iterator[tuple]:
    """Yield every matching key in date order, reading each span class once, in batches.

    For exports: paging with `page_in_date_order` would read up to a batch from every class
    for each batch it returns, and throw most of them away.
    """
    driver, rest = _driver(filters)
    plain = plain_keys_serve(filters, driver, rest)
    probe = probes(filters)

    def class_keys(span: int) -> Iterator[tuple]:
        after = None
        while True:
            if plain:
                keys = plain_class_keys(
                    filters, driver, span, descending=descending, after=after, limit=batch
                )
            else:
                keys = _read_class(
                    filters,
                    span,
                    driver,
                    rest,
                    probe,
                    descending=descending,
                    after=after,
                    limit=batch,
                )
            yield from keys
            if len(keys) < batch:
                return
            after = [iso_date(keys[-1][0]), iso_date(keys[-1][1]), keys[-1][2]]

    return heapq.merge(*(class_keys(span) for span in SPAN_CLASSES), reverse=descending)


def count_matching(filters: EventFilters) -> int:
    """Count the matching events, one span class at a time."""
    driver, rest = _driver(filters)
    if plain_keys_serve(filters, driver, rest):
        return plain_count(filters, driver)
    total = 0
    # Every match is read: lists of tagged or role-holding events cost less than lookups.
    probe = frozenset({"actors"})
    for span in SPAN_CLASSES:
        query, key = _class_query(filters, span, driver, rest, probe)
        counted = fn.COUNT(fn.DISTINCT(key[2]))
        total += query.select(counted).scalar() or 0
    return total
