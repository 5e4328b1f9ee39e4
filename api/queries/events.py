"""Event queries: filter by dates, actors, roles, types, statuses and tags; page by keyset."""

from collections.abc import Iterable
from dataclasses import replace

from peewee import SQL, Expression, chunked, fn

from api.domain.filters import EventFilters
from api.storage.models import Event, EventActor, EventMonthTypeRollup, EventSource, EventTag
from api.storage.search_index import matching_condition


def _events_with_actors(actor_ids: frozenset[str], roles: tuple[str, ...]):
    query = EventActor.select(EventActor.event).where(EventActor.actor.in_(sorted(actor_ids)))
    if roles:
        query = query.where(EventActor.role.in_(roles))
    return query


def _naming(actor_ids: frozenset[str] | None, roles: tuple[str, ...], probed: bool):
    """Return a condition: the event names one of these actors (any actor: None) in a role.

    `probed`: as EXISTS, looked up for each event a date-ordered read walks, instead of a
    list of every such event (which a read must then sort).
    """
    if not probed:
        if actor_ids is None:
            return Event.id.in_(
                EventActor.select(EventActor.event).where(EventActor.role.in_(roles))
            )
        return Event.id.in_(_events_with_actors(actor_ids, roles))
    conditions = [EventActor.event == Event.id]
    if actor_ids is not None:
        conditions.append(EventActor.actor.in_(sorted(actor_ids)))
    if roles:
        conditions.append(EventActor.role.in_(roles))
    return fn.EXISTS(EventActor.select(SQL("1")).where(*conditions))


def _tagged(tags: tuple[str, ...], probed: bool):
    """Return a condition: the event has one of these tags (probed: as EXISTS, see `_naming`)."""
    if not probed:
        return Event.id.in_(EventTag.select(EventTag.event).where(EventTag.tag.in_(tags)))
    return fn.EXISTS(
        EventTag.select(SQL("1")).where(EventTag.event == Event.id, EventTag.tag.in_(tags))
    )


PROBES = frozenset({"tags", "roles", "actors"})


def event_conditions(
    filters: EventFilters, probe: frozenset[str] = frozenset()
) -> list[Expression]:
    """Return the WHERE conditions that select the events matching every filter.

    `probe` names the filters (of `PROBES`) to test event by event rather than as a list.
    """
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
        conditions.append(_tagged(filters.tags, "tags" in probe))
    probed = "actors" in probe
    if filters.actor_groups and filters.actor_match == "any":
        everyone = frozenset().union(*filters.actor_groups)
        conditions.append(_naming(everyone, filters.roles, probed))
    elif filters.actor_groups:
        conditions.extend(_naming(group, filters.roles, probed) for group in filters.actor_groups)
    elif filters.roles and filters.scope_group is None:
        conditions.append(_naming(None, filters.roles, "roles" in probe))
    if filters.scope_group is not None:
        conditions.append(_naming(filters.scope_group, filters.roles, probed))
    if filters.search is not None:
        conditions.append(matching_condition(filters.search))
    return conditions + _place_and_origin(filters)


def _place_and_origin(filters: EventFilters) -> list[Expression]:
    conditions = []
    if filters.countries:
        conditions.append(Event.place_country.in_(filters.countries))
    if filters.bbox is not None:
        conditions.append(_in_box(filters.bbox))
    if filters.origins:
        conditions.append(Event.origin_dataset.in_(filters.origins))
    return conditions


def _in_box(bbox: tuple[float, float, float, float]) -> Expression:
    """Return a condition: the event's coordinates lie in the box (see EventFilters.bbox)."""
    west, south, east, north = bbox
    latitude = Event.place_latitude.between(south, north)
    if west <= east:
        return latitude & Event.place_longitude.between(west, east)
    return latitude & ((Event.place_longitude >= west) | (Event.place_longitude <= east))


def count_tagged(filters: EventFilters) -> int | None:
    """Count the events with one of the filters' tags, when tags are their only filter.

    Deleting an event deletes its tag rows, so the tag index alone answers.
    """
    if not filters.tags or replace(filters, tags=()) != EventFilters():
        return None
    tagged = EventTag.select(EventTag.event).where(EventTag.tag.in_(filters.tags))
    if len(filters.tags) > 1:
        tagged = tagged.distinct()
    return tagged.count()


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
