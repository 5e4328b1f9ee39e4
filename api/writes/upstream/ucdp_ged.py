"""UCDP's Georeferenced Event Dataset (GED) as CSV: one event of organized violence a row.

The columns are the GED codebook's (https://ucdp.uu.se/downloads/); columns this reader does
not use are kept in the event's `origin.fields`.
"""

from collections.abc import Iterable, Iterator

from api.writes.upstream.acled import citations
from api.writes.upstream.rows import (
    Dataset,
    UpstreamRecords,
    UpstreamRow,
    country_of,
    csv_events,
    day_of,
    leftovers,
    split_names,
    title_of,
    upstream_id,
)

UCDP_GED = Dataset(
    name="ucdp-ged",
    publisher="UCDP",
    title="UCDP Georeferenced Event Dataset (GED)",
    url="https://ucdp.uu.se/downloads/",
)

# `type_of_violence`: 1 state-based, 2 non-state, 3 one-sided -> our types.
DEFAULT_VIOLENCE_TYPES = {"1": "armed_clash", "2": "armed_clash", "3": "attack"}
_ONE_SIDED = "3"
# `where_prec`: 1 the spot, 2 within 25 km, 3 a second-order region, 4 a first-order one,
# 5 a line or vague area (a road, a border), 6 the country, 7 waters or airspace.
_WHERE_PRECISIONS = {
    "1": "exact",
    "2": "near",
    "3": "admin",
    "4": "admin",
    "5": "near",
    "6": "country",
    "7": "near",
}
_STATUSES = {"1": "confirmed", "2": "reported"}
REQUIRED_COLUMNS = ("id", "type_of_violence", "side_a", "side_b", "date_start", "date_end")
_USED = {
    "id",
    "side_a",
    "side_b",
    "date_start",
    "date_end",
    "event_clarity",
    "where_coordinates",
    "adm_1",
    "latitude",
    "longitude",
    "country",
    "source_office",
}
COLUMNS = {
    "id": "id",
    "origin.id": "id",
    "title": "dyad_name",
    "summary": "conflict_name",
    "type": "type_of_violence",
    "date": "date_start",
    "status": "event_clarity",
    "actors": "side_a",
    "sources": "source_office",
    "place.name": "where_coordinates",
    "place.country": "country",
    "place.admin1": "adm_1",
    "place.latitude": "latitude",
    "place.longitude": "longitude",
    "place.precision": "where_prec",
    "origin.fields": "(other columns)",
}


def read_ucdp_ged(
    lines: Iterable[str], name: str, records: UpstreamRecords, violence_types: dict[str, str]
) -> Iterator[UpstreamRow]:
    """Read GED CSV rows into events (raise InvalidRecords if the header will not do)."""
    return csv_events(
        lines,
        name,
        REQUIRED_COLUMNS,
        COLUMNS,
        lambda row, values: _event(row, values, records, violence_types),
    )


def _side_kind(side: str) -> str:
    if side.startswith("Government of"):
        return "state"
    return "organization" if side == "Civilians" else "armed_force"


def _event(row: UpstreamRow, values: dict, records: UpstreamRecords, types: dict) -> dict:
    upstream = values["id"]
    if not upstream:
        row.problem("id", "empty: every GED row has an id")
    violence = values["type_of_violence"]
    if violence not in types:
        row.problem("type_of_violence", f"{violence!r} is not 1, 2 or 3, nor mapped")
    side_a, side_b = values["side_a"], values["side_b"]
    roles = ("initiator", "target") if violence == _ONE_SIDED else ("participant", "participant")
    actors = [
        {"id": records.actor(side, _side_kind(side)), "role": role}
        for side, role in ((side_a, roles[0]), (side_b, roles[1]))
        if side
    ]
    if len({actor["id"] for actor in actors}) < len(actors):
        actors = actors[:1]
    status = _STATUSES.get(values.get("event_clarity") or "1")
    if status is None:
        row.problem("event_clarity", f"{values['event_clarity']!r} is not 1 or 2")
    where = values.get("where_coordinates") or values.get("where_description", "")
    dyad = values.get("dyad_name") or f"{side_a} - {side_b}"
    title = title_of(dyad, f"({where})" if where else "")
    summary = title_of(
        f"{values.get('conflict_name') or dyad}:",
        f"{values['best']} deaths (best estimate)" if values.get("best") else "",
        f"in {where}." if where else "",
    )
    return {
        "id": upstream_id("ucdp-ged", upstream),
        "title": title,
        "summary": summary,
        "type": types.get(violence),
        "date": _span(row, values),
        "status": status,
        "actors": actors,
        "sources": citations(records, split_names(values.get("source_office", ""))),
        "place": _place(row, values, where),
        "origin": {"dataset": "ucdp-ged", "id": upstream, "fields": leftovers(row.raw, _USED)},
    }


def _span(row: UpstreamRow, values: dict) -> str | None:
    start, end = _day(row, values, "date_start"), _day(row, values, "date_end")
    if start is None or end is None:
        return None
    if end < start:
        row.problem("date_end", "ends before date_start")
        return None
    return start.isoformat() if start == end else f"{start}/{end}"


def _day(row: UpstreamRow, values: dict, column: str):
    try:
        return day_of(values[column])
    except ValueError:
        row.problem(column, f"{values[column]!r} is not a YYYY-MM-DD date")
        return None


def _place(row: UpstreamRow, values: dict, where: str) -> dict | None:
    if not where and not values.get("country"):
        return None
    coordinates = []
    for column in ("latitude", "longitude"):
        text = values.get(column, "")
        try:
            coordinates.append(float(text) if text else None)
        except ValueError:
            row.problem(column, f"{text!r} is not a number")
            coordinates.append(None)
    precision = _WHERE_PRECISIONS.get(values.get("where_prec", ""), "near")
    return {
        "name": where or values["country"],
        "country": country_of(values.get("country", "")),
        "admin1": values.get("adm_1") or None,
        "latitude": coordinates[0],
        "longitude": coordinates[1],
        "precision": precision,
    }
