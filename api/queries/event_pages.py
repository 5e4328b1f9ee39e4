"""Pages of events: by relevance to a search, or in date order; and how many match."""

from api.domain.filters import EventFilters
from api.queries.date_order import count_matching, page_in_date_order
from api.queries.events import count_tagged, matching_events
from api.queries.rollup_reads import count_from_rollups
from api.storage.models import Event
from api.storage.search_index import scored_matches
from api.storage.sql import iso_date


def count_events(filters: EventFilters) -> int:
    """Count the events that match every filter: from a rollup or an index when one answers."""
    for counted in (count_from_rollups(filters), count_tagged(filters)):
        if counted is not None:
            return counted
    return count_matching(filters)


def sort_position(key: tuple, sort: str) -> list:
    """Return the cursor position of a page key (its last item is the event id)."""
    if sort == "relevance":
        return list(key)
    return [iso_date(key[0]), iso_date(key[1]), key[2]]


def events_page(
    filters: EventFilters, *, sort: str, after: list | None, limit: int
) -> list[tuple]:
    """Return up to `limit` keys of matching events after a keyset position, in order.

    `date` orders by date_start, date_end, id and gives those keys; `-date` reverses all
    three; `relevance` (with a search) gives (score, id), the best matches first, then by id.
    """
    if sort == "relevance":
        query = matching_events(filters)
        found, joined = scored_matches(filters.search)
        query = query.select(found.c.score, Event.id).join(found, on=joined)
        if after is not None:
            score, event_id = after
            query = query.where(
                (found.c.score < score) | ((found.c.score == score) & (Event.id > event_id))
            )
        return list(query.order_by(found.c.score.desc(), Event.id).limit(limit).tuples())
    return page_in_date_order(filters, descending=sort == "-date", after=after, limit=limit)
