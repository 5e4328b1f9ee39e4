"""Event queries: filter by dates, actors, roles, types, statuses and tags; page by keyset."""

from collections.abc import Iterable

from peewee import Expression, chunked, fn

from api.domain.filters import EventFilters
from api.storage.models import Event, EventActor, EventMonthTypeRollup, EventSource, EventTag
from api.storage.search_index import matching_condition


def _events_with_actors(actor_ids: frozenset[str], roles: tuple[str, ...]):
    query = EventActor.select(EventActor.event).where(EventActor.actor.in_(sorted(actor_ids)))
    if roles:
        query = query.where(EventActor.role.in_(roles))
    return query


def event_conditions(filters: EventFilters) -> list[Expression]:
    """Return the WHERE conditions that select the events matching every filter."""
    conditions = [Event.deleted_at.is_null()]
    if filters.range_start is not None:
        column = Event.date_end if filters.date_match == "overlap" else Event.date_start
        conditions.append(column >= filters.range_start)
    if filters.range_end is not None:
        column = Event.date_start if filters.date_match == "overlap" else Event.date_end
        conditions.append(column <= filters.range_end)
    if filters.types:
        conditions.append(Event.type.in_(filters.types))
    if filters.statuses:
        conditions.append(Event.status.in_(filters.statuses))
    if filters.tags:
        tagged = EventTag.select(EventTag.event).where(EventTag.tag.in_(filters.tags))
        conditions.append(Event.id.in_(tagged))
    if filters.actor_groups and filters.actor_match == "any":
        everyone = frozenset().union(*filters.actor_groups)
        conditions.append(Event.id.in_(_events_with_actors(everyone, filters.roles)))
    elif filters.actor_groups:
        conditions.extend(
            Event.id.in_(_events_with_actors(group, filters.roles))
            for group in filters.actor_groups
        )
    elif filters.roles and filters.scope_group is None:
        in_roles = EventActor.select(EventActor.event).where(EventActor.role.in_(filters.roles))
        conditions.append(Event.id.in_(in_roles))
    if filters.scope_group is not None:
        conditions.append(Event.id.in_(_events_with_actors(filters.scope_group, filters.roles)))
    if filters.search is not None:
        conditions.append(matching_condition(filters.search))
    return conditions


def matching_events(filters: EventFilters):
    """Select the events that match every filter."""
    return Event.select().where(*event_conditions(filters))


def event_type_counts() -> dict[str, int]:
    """Count the live events of each type."""
    # From the rollup's cells: thousands of rows at a million events, not a million.
    rollup = EventMonthTypeRollup
    query = rollup.select(rollup.type, fn.SUM(rollup.events)).group_by(rollup.type).tuples()
    return {event_type: int(count) for event_type, count in query}


def _events_linked(column, ids: Iterable[str]) -> list[str]:
    found: set[str] = set()
    for chunk in chunked(sorted(set(ids)), 500):
        query = column.model.select(column.model.event).where(column.in_(chunk))
        found.update(row[0] for row in query.tuples())
    return sorted(found)


def events_naming(actor_ids: Iterable[str]) -> list[str]:
    """Return the events that name these actors, by id."""
    return _events_linked(EventActor.actor, actor_ids)


def events_citing(source_ids: Iterable[str]) -> list[str]:
    """Return the events that cite these sources, by id."""
    return _events_linked(EventSource.source, source_ids)
