"""Event filters: what `/v1/events` and every chart feed can select on, resolved and typed."""

import datetime as dt
from dataclasses import dataclass, field

from api.domain.search_syntax import SearchQuery


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
    # Alpha-3 codes of the place's country (any of them), and a box `west, south, east,
    # north` the place's coordinates must lie in (west > east: the box crosses 180°).
    countries: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None
    # Upstream datasets (any of them) that imported events came from.
    origins: tuple[str, ...] = ()

    @property
    def selects_beyond_rollups(self) -> bool:
        """Whether the filters select on what no rollup counts: places and origins."""
        return bool(self.countries or self.origins) or self.bbox is not None

    def canonical(self) -> dict:
        """Return the filters as order-independent JSON values, to fingerprint them."""
        values = {name: _plain(value) for name, value in vars(self).items() if name != "search"}
        # A box's corners are in order: (10, 0, 20, 5) is not (20, 0, 10, 5). Place filters
        # left out are left out here too, so cursors issued before they existed still hold.
        values["bbox"] = list(self.bbox) if self.bbox is not None else None
        for name in ("countries", "bbox", "origins"):
            if not values[name]:
                del values[name]
        # The order of a search's words matters (phrases), so it is kept as written.
        return {**values, "search": self.search}


def _plain(value):
    if isinstance(value, tuple | frozenset):
        return sorted(_plain(item) for item in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
