"""A deterministic synthetic data set of realistic shape, bulk-inserted for benchmarks.

Actor popularity is skewed (Zipf), events have 1-3 actors in roles that fit their type, about
a fifth of dates are imprecise (a month, a year or an interval), and every event cites 1-2
sources. Generated records go straight into the tables; what derives from them (documents,
search rows, rollup cells) is derived by `api.writes.derived`, as for every write. They are
not journaled (no revisions or change-feed entries), which the README says.
"""

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate

from api.domain.names import alias_key
from api.storage.sql import utc_timestamp
from api.writes.derived import date_columns, derived_event

KINDS = (
    ("state", 30), ("organization", 10), ("armed_force", 15),
    ("agency", 20), ("person", 20), ("media", 5),
)  # fmt: skip
STATUSES = (("confirmed", 60), ("reported", 30), ("disputed", 10))
TYPE_WEIGHTS = {
    "statement": 22, "report": 14, "shipment": 12, "denial": 8, "confirmation": 6,
    "sanctions_announcement": 10, "visit": 8, "arms_deal": 6, "invasion": 2,
    "curb_expiry": 2, "milestone": 2, "weapons_use": 4,
    "armed_clash": 3, "attack": 3, "protest": 2, "riot": 1, "agreement": 1, "development": 1,
}  # fmt: skip
ROLES_OF_TYPE = {
    "shipment": ("supplier", "recipient", "reporter"),
    "arms_deal": ("supplier", "recipient", "participant"),
    "invasion": ("initiator", "target", "reporter"),
    "sanctions_announcement": ("initiator", "target", "speaker"),
    "curb_expiry": ("target", "mentioned", "reporter"),
    "milestone": ("target", "mentioned", "reporter"),
    "weapons_use": ("initiator", "target", "mentioned"),
    "statement": ("speaker", "subject", "subject"),
    "denial": ("speaker", "subject", "subject"),
    "confirmation": ("speaker", "subject", "subject"),
    "report": ("reporter", "subject", "subject"),
    "visit": ("participant", "participant", "participant"),
    "armed_clash": ("participant", "participant", "reporter"),
    "attack": ("initiator", "target", "reporter"),
    "protest": ("participant", "target", "reporter"),
    "riot": ("participant", "participant", "reporter"),
    "agreement": ("participant", "participant", "mentioned"),
    "development": ("participant", "mentioned", "reporter"),
}
SYLLABLES = (
    "ka", "ro", "mi", "sa", "tel", "vor", "an", "du", "li", "zen", "bar", "ost", "ne", "qui", "lo",
)  # fmt: skip
WORDS = (
    "missiles", "drones", "sanctions", "talks", "shipment", "border", "navy",
    "oil", "grain", "embargo", "exports", "strike", "ceasefire", "treaty",
    "summit", "aid", "artillery", "tanks", "envoy", "report",
)  # fmt: skip
PUBLISHERS = (
    "Reuters", "AP", "AFP", "BBC", "Al Jazeera", "RFE/RL", "TASS", "Xinhua", "DW", "Le Monde",
)  # fmt: skip
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2026, 6, 30)
DAYS = (LAST_DAY - FIRST_DAY).days


def _weighted(rng: random.Random, pairs) -> Callable[[], str]:
    values = [value for value, _ in pairs]
    cumulative = list(accumulate(weight for _, weight in pairs))
    return lambda: rng.choices(values, cum_weights=cumulative)[0]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def actor_rows(rng: random.Random, count: int) -> list[dict]:
    """Make `count` actors; the most popular ones (first ids) are states without members."""
    kind = _weighted(rng, KINDS)
    actors = []
    for number in range(1, count + 1):
        actor_kind = "state" if number <= 20 else kind()
        parent = None
        if actor_kind != "state" and number > 40 and rng.random() < 0.3:
            parent = f"actor-{rng.randint(21, 40):05d}"
        actors.append(
            {
                "id": f"actor-{number:05d}",
                "name": f"{_name(rng)} {number}",
                "kind": actor_kind,
                "parent": parent,
                "aliases": [f"A{number}-{k}" for k in range(rng.randint(0, 2))],
            }
        )
    return actors


def _written_date(rng: random.Random, day: dt.date) -> str:
    shape = rng.random()
    if shape < 0.80:
        return day.isoformat()
    if shape < 0.88:
        return day.strftime("%Y-%m")
    if shape < 0.94:
        return day.strftime("%Y")
    end = min(day + dt.timedelta(days=rng.randint(2, 700)), LAST_DAY)
    return f"{day.isoformat()}/{end.isoformat()}"


def _days(rng: random.Random, count: int) -> list[int]:
    # Later years are busier: a triangular draw leans towards the end of the range. Sorted,
    # so that ids and date indexes grow at their ends while loading instead of at random.
    return sorted(int(rng.triangular(0, DAYS, DAYS)) for _ in range(count))


def event_records(
    rng: random.Random, count: int, actors: list[dict], sources: int
) -> Iterator[dict]:
    """Yield `count` event records in date order."""
    popularity = list(accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(actors))))
    event_type = _weighted(rng, tuple(TYPE_WEIGHTS.items()))
    status = _weighted(rng, STATUSES)
    tags = [f"tag-{n}" for n in range(300)]
    tag_weights = list(accumulate(1 / (n + 1) for n in range(300)))
    for number, day in enumerate(_days(rng, count)):
        kind = event_type()
        chosen = {}
        for role in ROLES_OF_TYPE[kind][: rng.randint(1, 3)]:
            actor = rng.choices(actors, cum_weights=popularity)[0]
            chosen.setdefault(actor["id"], (actor, role))
        date = _written_date(rng, FIRST_DAY + dt.timedelta(days=day))
        lead = next(iter(chosen.values()))[0]
        words = rng.sample(WORDS, 3)
        event_tags = sorted(set(rng.choices(tags, cum_weights=tag_weights, k=rng.randint(0, 3))))
        yield {
            "id": f"{date.split('/')[0]}-gen-{number:07d}",
            "title": f"{lead['name']} {words[0]} {words[1]}",
            "summary": f"Synthetic event {number}: {' '.join(words)} involving {lead['name']}.",
            "type": kind,
            "date": date,
            "status": status(),
            "actors": [(actor, role) for actor, role in chosen.values()],
            "sources": sorted({rng.randrange(sources) for _ in range(rng.randint(1, 2))}),
            "tags": event_tags,
        }


# Column order of the generated rows, per table.
COLUMNS = {
    "actor": (
        "id", "name", "kind", "country", "parent_id", "note",
        "revision", "created_at", "updated_at", "deleted_at",
    ),
    "actor_alias": ("key", "alias", "actor_id", "position"),
    "source": (
        "id", "publisher", "title", "url", "published", "note",
        "revision", "created_at", "updated_at", "deleted_at",
    ),
    "event": (
        "id", "title", "summary", "type", "date", "date_start", "date_end", "precision",
        "status", "note", "span_class", "revision", "created_at", "updated_at", "deleted_at",
        "document", "document_digest",
    ),
    "event_actor": (
        "event_id", "actor_id", "role", "position", "date_start", "date_end", "span_class",
    ),
    "event_source": ("event_id", "source_id", "quote", "position"),
    "event_tag": ("event_id", "tag", "position"),
}  # fmt: skip
EVENT_TABLES = ("event", "event_actor", "event_source", "event_tag")


@dataclass
class Batch:
    """Generated rows per table (tuples in `COLUMNS` order), search rows and rollup cells."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in EVENT_TABLES})
    search: list[tuple[str, ...]] = field(default_factory=list)
    cells: Counter = field(default_factory=Counter)

    def __len__(self) -> int:
        return len(self.rows["event"])


def reference_rows(seed: int, events: int, actors: int, now: str) -> tuple[dict, Iterator]:
    """Return the actor, alias and source rows by table, and the random state's event stream.

    `now` is the stored text of the creation time of every generated record.
    """
    rng = random.Random(seed)
    actor_list = actor_rows(rng, actors)
    sources = max(1, events // 50)
    stamp = _stamp(now)
    tables = {
        "actor": [
            (a["id"], a["name"], a["kind"], None, a["parent"], None, *stamp) for a in actor_list
        ],
        "actor_alias": [
            (alias_key(alias), alias, a["id"], position)
            for a in actor_list
            for position, alias in enumerate(a["aliases"])
        ],
        "source": [
            (_source_id(n), *_source_text(n), None, None, None, *stamp) for n in range(sources)
        ],
    }
    return tables, event_records(rng, events, actor_list, sources)


def _source_id(number: int) -> str:
    return f"source-{number:06d}"


def _source_text(number: int) -> tuple[str, str]:
    """Return a generated source's publisher and title."""
    return PUBLISHERS[number % len(PUBLISHERS)], f"Report {number}"


def _representation(record: dict, columns: dict, stamp_text: str) -> dict:
    """Return a generated event as GET shows it."""
    sources = []
    for number in record["sources"]:
        publisher, title = _source_text(number)
        sources.append(
            {
                "id": _source_id(number),
                "publisher": publisher,
                "title": title,
                "url": None,
                "published": None,
                "quote": None,
                "via": None,
            }
        )
    return {
        "id": record["id"],
        "title": record["title"],
        "summary": record["summary"],
        "type": record["type"],
        "date": record["date"],
        "date_start": columns["date_start"].isoformat(),
        "date_end": columns["date_end"].isoformat(),
        "precision": columns["precision"],
        "status": record["status"],
        "note": None,
        "actors": [
            {"id": actor["id"], "name": actor["name"], "role": role}
            for actor, role in record["actors"]
        ],
        "sources": sources,
        "tags": record["tags"],
        "related": [],
        "place": None,
        "origin": None,
        "created_at": stamp_text,
        "updated_at": stamp_text,
    }


def _stamp(now: str) -> tuple:
    # revision, created_at, updated_at, deleted_at
    return (1, now, now, None)


def event_batches(records: Iterator[dict], size: int, now: str) -> Iterator[Batch]:
    """Group event records into batches of table rows."""
    stamp, stamp_text = _stamp(now), utc_timestamp(now)
    batch = Batch()
    for record in records:
        event_id = record["id"]
        columns = date_columns(record["date"])
        aliases = {actor["id"]: actor["aliases"] for actor, _ in record["actors"]}
        derived = derived_event(_representation(record, columns, stamp_text), aliases)
        start, end = columns["date_start"].isoformat(), columns["date_end"].isoformat()
        klass = columns["span_class"]
        rows = batch.rows
        rows["event"].append(
            (
                event_id,
                record["title"],
                record["summary"],
                record["type"],
                record["date"],
                start,
                end,
                columns["precision"],
                record["status"],
                None,
                klass,
                *stamp,
                derived.document,
                derived.digest,
            )
        )
        rows["event_actor"].extend(
            (event_id, actor["id"], role, p, start, end, klass)
            for p, (actor, role) in enumerate(record["actors"])
        )
        rows["event_source"].extend(
            (event_id, _source_id(n), None, p) for p, n in enumerate(record["sources"])
        )
        rows["event_tag"].extend((event_id, t, p) for p, t in enumerate(record["tags"]))
        batch.search.append((event_id, *derived.search))
        batch.cells.update(derived.cells)
        if len(batch) == size:
            yield batch
            batch = Batch()
    if len(batch):
        yield batch
