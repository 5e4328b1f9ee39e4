"""Event queries: filter by dates, actors, roles, types, statuses and tags; page by keyset."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import Expression, Tuple, fn

from api.models import Actor, Event, EventActor, EventRelation, EventSource, EventTag, Source
from api.search import SearchQuery
from api.search_index import matches, matching_ids


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
        conditions.append(Event.id.in_(matching_ids(filters.search)))
    return conditions


def matching_events(filters: EventFilters):
    """Select the events that match every filter."""
    return Event.select().where(*event_conditions(filters))


def count_events(filters: EventFilters) -> int:
    """Count the events that match every filter."""
    return matching_events(filters).count()


def sort_position(event: Event, sort: str) -> list:
    """Return the keyset position of an event in the given order."""
    if sort == "relevance":
        return [event.score, event.id]
    return [event.date_start.isoformat(), event.date_end.isoformat(), event.id]


def events_page(
    filters: EventFilters, *, sort: str, after: list | None, limit: int
) -> list[Event]:
    """Return up to `limit` matching events after a keyset position, in the given order.

    `date` orders by date_start, date_end, id; `-date` reverses all three; `relevance`
    (with a search) puts the best matches first, then orders by id.
    """
    query = matching_events(filters)
    if sort == "relevance":
        found = matches(filters.search).alias("scored")
        query = query.select_extend(found.c.score.alias("score")).join(
            found, on=(Event.id == found.c.event_id)
        )
        if after is not None:
            score, event_id = after
            query = query.where(
                (found.c.score < score) | ((found.c.score == score) & (Event.id > event_id))
            )
        # objects(): the score lands on each event, not on a nested "scored" attribute.
        return list(query.order_by(found.c.score.desc(), Event.id).limit(limit).objects())
    descending = sort == "-date"
    key = Tuple(Event.date_start, Event.date_end, Event.id)
    if after is not None:
        start, end, event_id = after
        position = Tuple(dt.date.fromisoformat(start), dt.date.fromisoformat(end), event_id)
        query = query.where(key < position if descending else key > position)
    columns = (Event.date_start, Event.date_end, Event.id)
    order = [column.desc() if descending else column.asc() for column in columns]
    return list(query.order_by(*order).limit(limit))


def _grouped(query, key_index: int = 0) -> dict[str, list[tuple]]:
    groups: dict[str, list[tuple]] = defaultdict(list)
    for row in query:
        groups[row[key_index]].append(row)
    return groups


def describe_events(events: list[Event]) -> list[dict]:
    """Turn event rows into full records with actors, sources, tags and related events."""
    ids = [event.id for event in events]
    if not ids:
        return []
    actors = _grouped(
        EventActor.select(EventActor.event, Actor.id, Actor.name, EventActor.role)
        .join(Actor)
        .where(EventActor.event.in_(ids))
        .order_by(EventActor.event, EventActor.position)
        .tuples()
    )
    sources = _grouped(
        EventSource.select(
            EventSource.event,
            Source.id,
            Source.publisher,
            Source.title,
            Source.url,
            Source.published,
            EventSource.quote,
        )
        .join(Source)
        .where(EventSource.event.in_(ids))
        .order_by(EventSource.event, EventSource.position)
        .tuples()
    )
    tags = _grouped(
        EventTag.select(EventTag.event, EventTag.tag)
        .where(EventTag.event.in_(ids))
        .order_by(EventTag.event, EventTag.position)
        .tuples()
    )
    related = _grouped(
        EventRelation.select(EventRelation.event, EventRelation.related, EventRelation.relation)
        .where(EventRelation.event.in_(ids))
        .order_by(EventRelation.event, EventRelation.position)
        .tuples()
    )
    return [
        {
            "id": event.id,
            "title": event.title,
            "summary": event.summary,
            "type": event.type,
            "date": event.date,
            "date_start": event.date_start,
            "date_end": event.date_end,
            "precision": event.precision,
            "status": event.status,
            "note": event.note,
            "actors": [
                {"id": actor_id, "name": name, "role": role}
                for _, actor_id, name, role in actors.get(event.id, [])
            ],
            "sources": [
                {
                    "id": source_id,
                    "publisher": publisher,
                    "title": title,
                    "url": url,
                    "published": published,
                    "quote": quote,
                }
                for _, source_id, publisher, title, url, published, quote in sources.get(
                    event.id, []
                )
            ],
            "tags": [tag for _, tag in tags.get(event.id, [])],
            "related": [
                {"id": related_id, "relation": relation}
                for _, related_id, relation in related.get(event.id, [])
            ],
            "created_at": event.created_at,
            "updated_at": event.updated_at,
        }
        for event in events
    ]


def event_type_counts() -> dict[str, int]:
    """Count events of each type."""
    query = Event.select(Event.type, fn.COUNT(Event.id)).group_by(Event.type).tuples()
    return dict(query)
