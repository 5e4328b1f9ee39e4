"""Reading the rollups: which filters a rollup answers exactly, and the cells that match them.

A rollup counts events by the months they start and end in, so it answers a date range only
when the range runs from the first of a month to the last of one. It knows nothing of tags
or words, so a tag or a search is never answered from it.
"""

import datetime as dt
import functools
import operator

from peewee import Value, fn

from api.domain.dates import SPAN_CLASS_DAYS, days_before, is_last_of_month
from api.domain.filters import EventFilters
from api.storage.models import (
    ActorMonthRollup,
    ActorTotalRollup,
    Event,
    EventDayRollup,
    EventMonthRollup,
    EventMonthTypeRollup,
    LinkMonthRollup,
    LinkTotalRollup,
)


def month_aligned(filters: EventFilters) -> bool:
    """Tell whether the date range (if any) starts on a first and ends on a last of a month."""
    start, end = filters.range_start, filters.range_end
    return (start is None or start.day == 1) and (end is None or is_last_of_month(end))


def ranged(filters: EventFilters) -> bool:
    """Tell whether the filters hold a date range."""
    return filters.range_start is not None or filters.range_end is not None


def _without_words(filters: EventFilters) -> bool:
    return _only_cell_keys(filters) and month_aligned(filters)


def _only_cell_keys(filters: EventFilters) -> bool:
    # Rollup cells are keyed by dates, type, status and actors: not by tags, words or places.
    return not filters.tags and filters.search is None and not filters.selects_beyond_rollups


def selects_on_cells(filters: EventFilters) -> bool:
    """Tell whether the filters select among a rollup's cells (a range, types, statuses, roles)."""
    return ranged(filters) or bool(filters.types or filters.statuses or filters.roles)


def _without_actors(filters: EventFilters) -> bool:
    return not (filters.actor_groups or filters.roles) and filters.scope_group is None


def events_rollup_serves(filters: EventFilters) -> bool:
    """Tell whether the event rollups count the events matching these filters exactly."""
    return _without_words(filters) and _without_actors(filters)


def days_rollup_serves(filters: EventFilters) -> bool:
    """Tell whether the rollup by day counts the events matching these filters exactly."""
    return _only_cell_keys(filters) and _without_actors(filters)


def spans_serve(filters: EventFilters) -> bool:
    """Tell whether the actor rollup by month span alone (no roles, types, statuses) serves."""
    return not (filters.types or filters.statuses or filters.roles)


def single_actor(filters: EventFilters) -> str | None:
    """Return the one actor every matching event must name, when that is the only actor filter.

    Its cells in the actor rollup then count each matching event once.
    """
    groups = list(filters.actor_groups)
    if filters.scope_group is not None:
        groups.append(filters.scope_group)
    ids = {actor_id for group in groups for actor_id in group}
    if len(ids) != 1 or not _without_words(filters):
        return None
    return next(iter(ids))


def actors_rollup_serves(filters: EventFilters) -> bool:
    """Tell whether the actor rollups count, per actor, the matching events naming it."""
    return _without_words(filters) and not filters.actor_groups and filters.scope_group is None


def links_rollup_serves(filters: EventFilters) -> bool:
    """Tell whether the link rollups weigh the network's links over the matching events."""
    return events_rollup_serves(filters)


def event_rollup(filters: EventFilters, *, by_status: bool):
    """Return the event rollup to read: by type and status, or the smaller one by type."""
    return EventMonthRollup if by_status or filters.statuses else EventMonthTypeRollup


def actor_rollup(filters: EventFilters):
    """Return the actor rollup to read: the totals over all time when there is no range."""
    return ActorMonthRollup if ranged(filters) else ActorTotalRollup


def link_rollup(filters: EventFilters):
    """Return the link rollup to read: the totals over all time when there is no range."""
    return LinkMonthRollup if ranged(filters) else LinkTotalRollup


def cell_conditions(rollup, filters: EventFilters) -> list:
    """Return the conditions selecting a rollup's cells of events matching the filters.

    Actor and word filters are not among them: callers check that the rollup serves.
    """
    conditions = []
    if ranged(filters):
        conditions += _range_conditions(rollup, filters)
    if filters.types:
        conditions.append(rollup.type.in_(filters.types))
    if filters.statuses:
        conditions.append(rollup.status.in_(filters.statuses))
    if filters.roles:
        conditions.append(holds_any_role(rollup, filters.roles))
    return conditions


def holds_any_role(rollup, roles) -> object:
    """Return a condition: the cell's actor holds one of these roles."""
    # `roles` is a sorted, space-separated set; spaces around it let each role match whole.
    padded = Value(" ").concat(rollup.roles).concat(" ")
    return functools.reduce(operator.or_, [padded.contains(f" {role} ") for role in roles])


def _range_conditions(rollup, filters: EventFilters) -> list:
    """Return the conditions on a rollup's start and end (months, or days) of the range."""
    by_day = hasattr(rollup, "start_day")
    start, end = (
        (rollup.start_day, rollup.end_day) if by_day else (rollup.start_month, rollup.end_month)
    )

    def floor(day: dt.date) -> dt.date:
        return day if by_day else day.replace(day=1)

    conditions = []
    first = floor(filters.range_start) if filters.range_start else None
    last = floor(filters.range_end) if filters.range_end else None
    early, late = end, start
    if filters.date_match == "within":
        early, late = start, end
    if first:
        conditions.append(early >= first)
        if filters.date_match == "overlap" and not _spans_beyond_classes():
            # No event spans more than the longest bounded class: no cell starts earlier.
            earliest = days_before(filters.range_start, SPAN_CLASS_DAYS[-1])
            conditions.append(start >= floor(earliest))
    if last:
        conditions.append(late <= last)
    return conditions


def _spans_beyond_classes() -> bool:
    """Tell whether any live event is in the unbounded (longest) span class."""
    last_class = len(SPAN_CLASS_DAYS)
    return (
        Event.select(Event.id)
        .where(Event.span_class == last_class, Event.deleted_at.is_null())
        .exists()
    )


def count_from_rollups(filters: EventFilters) -> int | None:
    """Count the matching events from a rollup; None when no rollup answers exactly."""
    if events_rollup_serves(filters) or days_rollup_serves(filters):
        rollup = event_rollup(filters, by_status=False)
        if not month_aligned(filters):
            rollup = EventDayRollup
        query = rollup.select(fn.SUM(rollup.events))
        conditions = cell_conditions(rollup, filters)
    elif (actor_id := single_actor(filters)) is not None:
        rollup = actor_rollup(filters)
        query = rollup.select(fn.SUM(rollup.events))
        conditions = [rollup.actor == actor_id, *cell_conditions(rollup, filters)]
    else:
        return None
    if conditions:
        query = query.where(*conditions)
    return int(query.scalar() or 0)
