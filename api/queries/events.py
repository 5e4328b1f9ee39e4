"""Event queries: filter by dates, actors, roles, types, statuses and tags; page by keyset."""

import datetime as dt
from dataclasses import dataclass, field

from peewee import Expression, fn

from api.domain.search_syntax import SearchQuery
from api.storage.models import Event, EventActor, EventTag
from api.storage.search_index import matching_condition


@dataclass(frozen=True)
class EventFilters:
    """Everything `/v1/events` can filter on, with actor names already resolved.

    `actor_groups` holds one set of actor ids per requested actor: the actor itself, plus
    its members when they are included. `scope_group` is an actor every event must involve
    (the actor of `/v1/actors/{id}/events`).
    """

    range_start: dt.date | None = None
    range_end: dt.date | None = None
    date_match: str = "overlap"
    actor_groups: tuple[frozenset[str], ...] = ()
    actor_match: str = "any"
    roles: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    scope_group: frozenset[str] | None = field(default=None)
    search: SearchQuery | None = None

    def canonical(self) -> dict:
        """Return the filters as order-independent JSON values, to fingerprint them."""
        values = {name: _plain(value) for name, value in vars(self).items() if name != "search"}
        # The order of a search's words matters (phrases), so it is kept as written.
        return {**values, "search": self.search}


def _plain(value):
    if isinstance(value, tuple | frozenset):
        return sorted(_plain(item) for item in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


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
    """Count events of each type."""
    query = Event.select(Event.type, fn.COUNT(Event.id)).group_by(Event.type).tuples()
    return dict(query)
