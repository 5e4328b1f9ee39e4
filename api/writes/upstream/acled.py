"""ACLED's CSV export: one conflict or protest event a row.

The columns are ACLED's (https://acleddata.com, the export's codebook); order may vary, and
columns this reader does not use are kept in the event's `origin.fields`.
"""

import datetime as dt
from collections.abc import Iterable, Iterator

from api.schemas.fields import country_numeric
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

ACLED = Dataset(
    name="acled",
    publisher="ACLED",
    title="Armed Conflict Location & Event Data (ACLED) export",
    url="https://acleddata.com/",
)

# ACLED's event types (and "type / sub-event type" where one needs its own) -> ours.
DEFAULT_EVENT_TYPES = {
    "Battles": "armed_clash",
    "Explosions/Remote violence": "attack",
    "Violence against civilians": "attack",
    "Protests": "protest",
    "Riots": "riot",
    "Strategic developments": "development",
    "Strategic developments / Agreement": "agreement",
}
# ACLED's actor types (`inter1`, as a code or its name) -> our actor kinds.
_ACTOR_KINDS = {
    "1": "armed_force",
    "state forces": "armed_force",
    "2": "armed_force",
    "rebel group": "armed_force",
    "3": "armed_force",
    "political militia": "armed_force",
    "4": "armed_force",
    "identity militia": "armed_force",
    "8": "armed_force",
    "external/other forces": "armed_force",
}
_GEO_PRECISIONS = {"1": "exact", "2": "near", "3": "admin"}
# What `time_precision` says of `event_date`: 1 the day, 2 the week around it, 3 its month.
_WEEK_AROUND = dt.timedelta(days=3)
REQUIRED_COLUMNS = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1")
_USED = {
    "event_id_cnty",
    "event_date",
    "actor1",
    "actor2",
    "assoc_actor_1",
    "assoc_actor_2",
    "notes",
    "source",
    "location",
    "latitude",
    "longitude",
    "admin1",
    "country",
    "iso",
}
# Our event's fields -> the ACLED columns they are read from, to name a problem's column.
COLUMNS = {
    "id": "event_id_cnty",
    "origin.id": "event_id_cnty",
    "title": "sub_event_type",
    "summary": "notes",
    "type": "event_type",
    "date": "event_date",
    "actors": "actor1",
    "sources": "source",
    "place.name": "location",
    "place.country": "iso",
    "place.admin1": "admin1",
    "place.latitude": "latitude",
    "place.longitude": "longitude",
    "origin.fields": "(other columns)",
}


def read_acled(
    lines: Iterable[str], name: str, records: UpstreamRecords, event_types: dict[str, str]
) -> Iterator[UpstreamRow]:
    """Read ACLED CSV rows into events (raise InvalidRecords if the header will not do)."""
    return csv_events(
        lines,
        name,
        REQUIRED_COLUMNS,
        COLUMNS,
        lambda row, values: _event(row, values, records, event_types),
    )


def _event(row: UpstreamRow, values: dict, records: UpstreamRecords, types: dict) -> dict:
    upstream = values["event_id_cnty"]
    if not upstream:
        row.problem("event_id_cnty", "empty: every ACLED row has an id")
    sub_type = values["sub_event_type"]
    event_type = types.get(f"{values['event_type']} / {sub_type}") or types.get(
        values["event_type"]
    )
    if event_type is None:
        row.problem(
            "event_type",
            f"no type of ours for {values['event_type']!r}: map it in a --mapping file",
        )
    actors = [
        {
            "id": records.actor(
                actor, _ACTOR_KINDS.get(values.get(inter, "").lower(), "organization")
            ),
            "role": "participant",
        }
        for column, inter in (("actor1", "inter1"), ("actor2", "inter2"))
        for actor in split_names(values.get(column, ""), "\x00")
    ] + [
        {"id": records.actor(actor, "organization"), "role": "participant"}
        for column in ("assoc_actor_1", "assoc_actor_2")
        for actor in split_names(values.get(column, ""))
    ]
    location = values.get("location", "")
    title = title_of(
        f"{sub_type}:" if sub_type else "",
        " and ".join(split_names(f"{values['actor1']};{values.get('actor2', '')}")),
        f"in {location}" if location else "",
    )
    return {
        "id": upstream_id("acled", upstream),
        "title": title,
        "summary": values.get("notes") or title,
        "type": event_type,
        "date": _date(row, values),
        "status": "reported",
        "actors": _unique(actors),
        "sources": citations(records, split_names(values.get("source", ""))),
        "place": _place(row, values),
        "origin": {"dataset": "acled", "id": upstream, "fields": leftovers(row.raw, _USED)},
    }


def citations(records: UpstreamRecords, publishers: list[str]) -> list[dict]:
    """Cite each publisher as read through the dataset, or the dataset when it names none."""
    if not publishers:
        return [{"id": records.dataset_source, "quote": None, "via": None}]
    cited = []
    for publisher in publishers:
        source_id = records.source(publisher)
        if all(c["id"] != source_id for c in cited):
            via = None if source_id == records.dataset_source else records.dataset_source
            cited.append({"id": source_id, "quote": None, "via": via})
    return cited


def _unique(actors: list[dict]) -> list[dict]:
    seen, kept = set(), []
    for actor in actors:
        if actor["id"] not in seen:
            seen.add(actor["id"])
            kept.append(actor)
    return kept


def _date(row: UpstreamRow, values: dict) -> str | None:
    text, precision = values["event_date"], values.get("time_precision") or "1"
    try:
        day = day_of(text) if text[:4].isdigit() else dt.datetime.strptime(text, "%d %B %Y").date()
    except ValueError:
        row.problem("event_date", f"{text!r} is neither YYYY-MM-DD nor DD Month YYYY")
        return None
    if precision == "1":
        return day.isoformat()
    if precision == "2":
        return f"{day - _WEEK_AROUND}/{day + _WEEK_AROUND}"
    if precision == "3":
        return day.isoformat()[:7]
    row.problem("time_precision", f"{precision!r} is not 1 (day), 2 (week) or 3 (month)")
    return None


def _place(row: UpstreamRow, values: dict) -> dict | None:
    country = country_numeric(values.get("iso", "")) or country_of(values.get("country", ""))
    location = values.get("location") or values.get("country")
    if not location:
        return None
    coordinates = [_degrees(row, values, column) for column in ("latitude", "longitude")]
    precision = _GEO_PRECISIONS.get(values.get("geo_precision", ""), "near")
    if not values.get("location"):
        precision = "country"
    return {
        "name": location,
        "country": country,
        "admin1": values.get("admin1") or None,
        "latitude": coordinates[0],
        "longitude": coordinates[1],
        "precision": precision,
    }


def _degrees(row: UpstreamRow, values: dict, column: str) -> float | None:
    text = values.get(column, "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        row.problem(column, f"{text!r} is not a number")
        return None
