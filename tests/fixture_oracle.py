"""An independent reading of the fixture files, to compute what queries should return."""

import calendar
import datetime as dt
from functools import cache
from pathlib import Path

import yaml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@cache
def fixture_records() -> dict[str, list[dict]]:
    """Read every fixture file as plain YAML with dates kept as strings."""
    records: dict[str, list[dict]] = {"actors": [], "sources": [], "events": []}
    for path in sorted(FIXTURES.glob("*.yaml")):
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds only strings, lists and dicts
        for kind, items in document.items():
            records[kind].extend(items)
    return records


def span(text: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day a written date can mean (a second implementation)."""
    first, _, last = text.partition("/")
    last = last or first

    def bounds(part: str) -> tuple[dt.date, dt.date]:
        pieces = [int(p) for p in part.split("-")]
        if len(pieces) == 1:
            return dt.date(pieces[0], 1, 1), dt.date(pieces[0], 12, 31)
        if len(pieces) == 2:
            days = calendar.monthrange(*pieces)[1]
            return dt.date(*pieces, 1), dt.date(*pieces, days)
        return dt.date(*pieces), dt.date(*pieces)

    return bounds(first)[0], bounds(last)[1]


def family(actor_id: str) -> set[str]:
    """Return an actor and all its members, from the parent links in the fixtures."""
    children: dict[str, list[str]] = {}
    for actor in fixture_records()["actors"]:
        if actor.get("parent") and actor["parent"] != "null":
            children.setdefault(actor["parent"], []).append(actor["id"])
    found, stack = set(), [actor_id]
    while stack:
        current = stack.pop()
        found.add(current)
        stack.extend(children.get(current, []))
    return found


def expected_ids(
    *,
    events=None,
    actors=(),
    roles=(),
    actor_match="any",
    include_members=True,
    types=(),
    statuses=(),
    tags=(),
    start=None,
    end=None,
    within=False,
    descending=False,
) -> list[str]:
    """Return the ids of fixture events (or of `events`) matching the filters, in date order."""
    groups = [family(a) if include_members else {a} for a in actors]
    matches = []
    for event in fixture_records()["events"] if events is None else events:
        first, last = span(event["date"])
        in_roles = [a for a in event["actors"] if not roles or a["role"] in roles]
        ids = {a["id"] for a in in_roles}
        checks = [
            not types or event["type"] in types,
            not statuses or event["status"] in statuses,
            not tags or set(event.get("tags", [])) & set(tags),
            start is None or (first if within else last) >= start,
            end is None or (last if within else first) <= end,
            bool(in_roles),
        ]
        if groups:
            hits = [bool(ids & group) for group in groups]
            checks.append(all(hits) if actor_match == "all" else any(hits))
        if all(checks):
            matches.append((first, last, event["id"]))
    return [event_id for *_, event_id in sorted(matches, reverse=descending)]


def label(day: dt.date, interval: str) -> str:
    """Label the bucket of a day, computed with strftime and isocalendar (a second way)."""
    if interval == "day":
        return day.strftime("%Y-%m-%d")
    if interval == "week":
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if interval == "month":
        return day.strftime("%Y-%m")
    if interval == "quarter":
        return f"{day.year}-Q{(day.month + 2) // 3}"
    return day.strftime("%Y")


def labels_between(first: dt.date, last: dt.date, interval: str) -> list[str]:
    """Every bucket label from `first` to `last`, day by day."""
    found: list[str] = []
    day = first
    while day <= last:
        if not found or found[-1] != label(day, interval):
            found.append(label(day, interval))
        day += dt.timedelta(days=1)
    return found


def matching_events(events=None, **filters) -> list[dict]:
    """The fixture events (or those of `events`) that `expected_ids` selects, as records."""
    records = fixture_records()["events"] if events is None else events
    by_id = {event["id"]: event for event in records}
    return [by_id[event_id] for event_id in expected_ids(events=events, **filters)]


def searchable_words(event: dict) -> dict[str, list[str]]:
    """The words of an event that search looks at: its own text, actors' names, aliases, tags."""
    import re  # noqa: PLC0415
    import unicodedata  # noqa: PLC0415

    def words(text: str) -> list[str]:
        bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.findall(r"[a-z0-9]+", bare.lower())

    actors = {actor["id"]: actor for actor in fixture_records()["actors"]}
    names = []
    for reference in event["actors"]:
        actor = actors[reference["id"]]
        names += [actor["name"], *actor.get("aliases", [])]
    text = " ".join([event["title"], event["summary"], *names, *event.get("tags", [])])
    return words(text)
