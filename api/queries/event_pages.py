"""Pages of events: by relevance to a search, or in date order; and how many match."""

from api.models import Event
from api.queries.date_order import count_matching, page_in_date_order
from api.queries.events import EventFilters, matching_events
from api.search_index import matches


def count_events(filters: EventFilters) -> int:
    """Count the events that match every filter."""
    return count_matching(filters)


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
    if sort == "relevance":
        query = matching_events(filters)
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
    return page_in_date_order(filters, descending=sort == "-date", after=after, limit=limit)
