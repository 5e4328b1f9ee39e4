"""The rollups of live events that chart feeds, rankings and counts read instead of the events.

Four families, each a fine rollup by the months (or days) an event starts and ends in, and
coarser ones summed from it:
- events: by type and status; summed over statuses (for charts by type);
- events by day: by the days an event starts and ends on, type and status (day and week
  charts, ranges that cut a month);
- actors: by actor, the actor's roles in the event, type and status; summed over months
  (rankings over all time), over roles, types and statuses (charts by actor without those
  filters), over everything but the actor (actor lists), and over actors (the "other"
  series of a histogram by actor);
- links: by the network's links (source, target, directed), type and status; summed over
  months (the network over all time), and over everything but the link (its weight).

A cell is `(family name, key)`; `event_cells` says which cells an event counts in.
`api.writes.derived` keeps the cells current.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from peewee import CompositeKey

from api.domain.dates import parse_event_date
from api.domain.participation import event_links, roles_by_actor
from api.storage.bulk import bulk_add
from api.storage.models import (
    ActorAppearanceRollup,
    ActorCountRollup,
    ActorMonthRollup,
    ActorSpanRollup,
    ActorTotalRollup,
    Event,
    EventActor,
    EventDayRollup,
    EventMonthRollup,
    EventMonthTypeRollup,
    LinkMonthRollup,
    LinkTotalRollup,
    LinkWeightRollup,
)
from api.storage.sql import run

Cell = tuple  # (family name, key)


@dataclass(frozen=True)
class Family:
    """A fine rollup, and coarser ones that each keep some of its key's positions (summed)."""

    name: str
    fine: type
    sums: tuple[tuple[type, tuple[int, ...]], ...]

    @property
    def models(self) -> tuple[type, ...]:
        """Return the fine rollup and then the coarser ones."""
        return (self.fine, *(model for model, _ in self.sums))


FAMILIES = (
    Family("event", EventMonthRollup, ((EventMonthTypeRollup, (0, 1, 2)),)),
    Family("day", EventDayRollup, ()),
    Family(
        "actor",
        ActorMonthRollup,
        (
            (ActorSpanRollup, (0, 1, 2)),
            (ActorTotalRollup, (2, 3, 4, 5)),
            (ActorCountRollup, (2,)),
            (ActorAppearanceRollup, (0, 1, 3, 4, 5)),
        ),
    ),
    Family(
        "link",
        LinkMonthRollup,
        ((LinkTotalRollup, (2, 3, 4, 5, 6)), (LinkWeightRollup, (2, 3, 4))),
    ),
)
ROLLUPS = tuple(model for family in FAMILIES for model in family.models)


def event_cells(
    date: str, event_type: str, status: str, participants: Iterable[tuple[str, str]]
) -> Counter:
    """Return the cells an event counts in: `participants` are its `(actor id, role)` pairs."""
    span = parse_event_date(date)
    start, end = span.start.replace(day=1), span.end.replace(day=1)
    participants = list(participants)
    cells = Counter({("event", (start, end, event_type, status)): 1})
    cells["day", (span.start, span.end, event_type, status)] += 1
    for actor_id, roles in roles_by_actor(participants).items():
        cells["actor", (start, end, actor_id, roles, event_type, status)] += 1
    for source, target, directed in event_links(participants):
        cells["link", (start, end, source, target, directed, event_type, status)] += 1
    return cells


def record_cells(record: dict) -> Counter:
    """Return the cells an event counts in, from the event as clients write it."""
    participants = [(actor["id"], actor["role"]) for actor in record.get("actors") or ()]
    return event_cells(record["date"], record["type"], record["status"], participants)


def _by_family(cells: Counter) -> dict[str, Counter]:
    split: dict[str, Counter] = {family.name: Counter() for family in FAMILIES}
    for (name, key), change in cells.items():
        split[name][key] += change
    return split


def summed(fine_cells: Counter, kept: tuple[int, ...]) -> Counter:
    """Sum fine cells into the cells of a coarser rollup that keeps these key positions."""
    coarse: Counter = Counter()
    for key, change in fine_cells.items():
        coarse[tuple(key[position] for position in kept)] += change
    return coarse


def _family_cells(family: Family, fine: Counter) -> dict[type, Counter]:
    return {family.fine: fine, **{model: summed(fine, kept) for model, kept in family.sums}}


def adjust_rollups(deltas: Counter) -> None:
    """Add `deltas` (cell -> change in event count) to every rollup; drop cells that reach 0."""
    split = _by_family(deltas)
    for family in FAMILIES:
        for model, changes in _family_cells(family, split[family.name]).items():
            _add_to_cells(model, changes)


def _key_names(model) -> list[str]:
    key = model._meta.primary_key
    return list(key.field_names) if isinstance(key, CompositeKey) else [key.name]


def _key_columns(model) -> list:
    return [getattr(model, name) for name in _key_names(model)]


def _add_to_cells(model, changes: Counter) -> None:
    names = _key_names(model)
    # Stored values (dates as text, booleans as 0/1 on SQLite), converted once per column.
    stored = [model._meta.fields[name].db_value for name in names]
    rows = [
        (*(to_stored(value) for to_stored, value in zip(stored, cell, strict=True)), n)
        for cell, n in changes.items()
        if n
    ]
    columns = tuple(model._meta.fields[name].column_name for name in names)
    bulk_add(model._meta.table_name, columns, model.events.column_name, rows)
    # Only a cell that lost events can reach 0; each is found by its key, not by a scan.
    key_columns = _key_columns(model)
    for cell in [cell for cell, n in changes.items() if n < 0]:
        matches = [column == value for column, value in zip(key_columns, cell, strict=True)]
        model.delete().where(*matches, model.events <= 0).execute()


_LIVE_PARTICIPANTS_SQL = (
    "SELECT e.id, e.date, e.type, e.status, ea.actor_id, ea.role FROM event e "
    "LEFT JOIN event_actor ea ON ea.event_id = e.id "
    "WHERE e.deleted_at IS NULL ORDER BY e.id"
)


def _live_events() -> Iterator[tuple[str, str, str, list[tuple[str, str]]]]:
    """Yield every live event's date, type, status and `(actor id, role)` pairs."""
    current, participants = None, []
    for event_id, date, event_type, status, actor_id, role in run(_LIVE_PARTICIPANTS_SQL):
        if current is not None and event_id != current[0]:
            yield (*current[1:], participants)
            participants = []
        current = (event_id, date, event_type, status)
        if actor_id is not None:
            participants.append((actor_id, role))
    if current is not None:
        yield (*current[1:], participants)


def recount() -> Counter:
    """Count the live events of every fine cell, from the events themselves."""
    counts: Counter = Counter()
    for date, event_type, status, participants in _live_events():
        counts.update(event_cells(date, event_type, status, participants))
    return counts


def rebuilt_cells(counts: Counter) -> dict[type, Counter]:
    """Return every rollup's cells (model -> key -> count) from the fine cells' counts."""
    split = _by_family(counts)
    cells = {}
    for family in FAMILIES:
        for model, family_cells in _family_cells(family, split[family.name]).items():
            cells[model] = +family_cells
    return cells


def stored_cells(model) -> Counter:
    """Return a rollup's cells as stored: key (in its primary key's order) -> count."""
    cells: Counter = Counter()
    for *cell, count in model.select(*_key_columns(model), model.events).tuples().iterator():
        cells[tuple(cell)] = count
    return cells


def missing() -> bool:
    """Tell whether a rollup is empty while the events it counts exist.

    An upgrade adds new rollups empty, beside events that exist. (The link rollups may be
    empty rightly: no event names two actors.)
    """
    live = Event.select().where(Event.deleted_at.is_null())
    if not live.exists():
        return False
    by_name = {family.name: family for family in FAMILIES}
    counted = [*by_name["event"].models, *by_name["day"].models]
    if not all(model.select().exists() for model in counted):
        return True
    named = EventActor.select().join(Event).where(Event.deleted_at.is_null())
    actor_models = by_name["actor"].models
    return not all(model.select().exists() for model in actor_models) and named.exists()


def replace_all(counts: Counter) -> None:
    """Replace every rollup with these counts of the fine cells."""
    for model in ROLLUPS:
        model.delete().execute()
    adjust_rollups(counts)
