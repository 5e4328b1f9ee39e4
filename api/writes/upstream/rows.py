"""What every upstream reader shares: the rows it reads, the actors and sources it names."""

import csv
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from marshmallow import ValidationError

from api.domain.errors import InvalidRecords, Problem
from api.domain.names import alias_key, slugify
from api.schemas.actors import ActorRecordSchema
from api.schemas.fields import country_code
from api.schemas.sources import SourceRecordSchema
from api.storage.models import Actor, ActorAlias, Source

_TITLE_MAX = 300
_NAME_MAX = 300
# An id keeps this much of an upstream value's slug; a longer or unsluggable value gets a hash.
_SLUG_KEPT = 100


@dataclass
class UpstreamRow:
    """One upstream row: where it is, what it said, the events it makes, what is wrong with it.

    `columns` names, for a field of our events, the upstream column it was read from, so that
    a problem found later (by the event schema) names the column the user can fix.
    """

    where: str
    line: int
    raw: dict
    events: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)

    def problem(self, column: str, message: str) -> None:
        """Note what is wrong with one of the row's columns."""
        self.problems.append(Problem(self.where, column, message))


@dataclass(frozen=True)
class Dataset:
    """An upstream dataset as a source: the record that events read through it cite."""

    name: str
    publisher: str
    title: str
    url: str

    def source_record(self) -> dict:
        """Return the source record of the dataset itself."""
        return {
            "id": self.name,
            "publisher": self.publisher,
            "title": self.title,
            "url": self.url,
            "published": None,
            "note": None,
        }


class UpstreamRecords:
    """The actors and sources an import names: each resolved or created once per name.

    A name resolves to an actor the mapping file sends it to; else to the actor that has it as
    an alias or as its id (so a second import finds the actors the first created); else a new
    actor is made, with the name as its name and alias. New records wait in `pending` until an
    event that refers to them is written (`take`).
    """

    def __init__(self, dataset: Dataset, actor_map: dict[str, str], source_map: dict[str, str]):
        self.dataset = dataset
        self._actor_map = {alias_key(name): actor_id for name, actor_id in actor_map.items()}
        self._source_map = dict(source_map)
        self._actors: dict[str, str] = {}
        self._sources: dict[str, str] = {}
        self._claimed_aliases: set[str] = set()
        self._taken_ids: set[str] = set()
        self.pending_actors: dict[str, dict] = {}
        self.pending_sources: dict[str, dict] = {}
        # New actors and sources that cannot be made, and why: the rows naming them are bad.
        self.invalid: dict[str, str] = {}
        self.dataset_source = self._source_id("", None)

    def actor(self, name: str, kind: str, aliases: Iterable[str] = ()) -> str:
        """Return the id of the actor a name stands for, making a new actor if none does."""
        key = alias_key(name)
        if key in self._actors:
            return self._actors[key]
        if "\x00" in name:
            # No database stores a NUL byte: the name is refused before it is looked up.
            found = stable_slug(name, "actor")
            self.invalid[found] = "name: Must not contain a NUL byte."
            return found
        found = self._actor_map.get(key) or _actor_named(key)
        if found is None:
            found = self._free_id(stable_slug(name, "actor"))
            own = [name, *aliases] if key != found else list(aliases)
            self._hold_actor(found, name, kind, own)
        self._actors[key] = found
        return found

    def keyed_actor(self, actor_id: str, name: str, kind: str, aliases: Iterable[str]) -> str:
        """Return the id of the actor for an upstream entity of its own id, made if new.

        The mapping file may send the entity's name to an actor; otherwise two entities of
        one name stay two actors, and only the first to claim a name gets it as an alias.
        """
        mapped = self._actor_map.get(alias_key(name))
        if mapped:
            return mapped
        if actor_id in self._taken_ids or _exists(Actor, actor_id):
            self._taken_ids.add(actor_id)
            return actor_id
        self._taken_ids.add(actor_id)
        self._hold_actor(actor_id, name, kind, [name, *aliases])
        return actor_id

    def _hold_actor(self, actor_id: str, name: str, kind: str, aliases: list[str]) -> None:
        record = {
            "id": actor_id,
            "name": name,
            "kind": kind,
            "country": None,
            "aliases": self._unclaimed(aliases, actor_id),
            "parent": None,
            "note": f"Created by an import of {self.dataset.publisher} data.",
        }
        self._hold(self.pending_actors, ActorRecordSchema(), record)

    def _hold(self, pending: dict, schema, record: dict) -> None:
        """Keep a new record until it is written, or why it cannot be (see `invalid`)."""
        try:
            pending[record["id"]] = schema.load(record)
        except ValidationError as error:
            self.invalid[record["id"]] = "; ".join(
                str(problem) for problem in _flat(error.messages)
            )

    def source(self, publisher: str) -> str:
        """Return the id of the source for a publisher the dataset cites, made if new."""
        if publisher in self._source_map:
            return self._source_map[publisher]
        return self._source_id(
            publisher,
            {
                "publisher": publisher,
                "title": f"{publisher}, as cited by {self.dataset.publisher}"[:500],
                "url": None,
            },
        )

    def page(self, url: str, publisher: str, title: str) -> str:
        """Return the id of the source for a web page the dataset cites, made if new."""
        return self._source_id(url, {"publisher": publisher, "title": title, "url": url})

    def wanted(self, actor_ids: set[str], source_ids: set[str]) -> tuple[list[dict], list[dict]]:
        """Return the new actors and sources, not yet written, that these ids name."""
        return (
            [self.pending_actors[i] for i in sorted(actor_ids & self.pending_actors.keys())],
            [self.pending_sources[i] for i in sorted(source_ids & self.pending_sources.keys())],
        )

    def written(self, batch) -> None:
        """Stop holding the new actors and sources a written batch (a RecordBatch) held."""
        for item in batch.actors:
            self.pending_actors.pop(item.record["id"], None)
        for item in batch.sources:
            self.pending_sources.pop(item.record["id"], None)

    def _source_id(self, text: str, fields: dict | None) -> str:
        """Return the id of the dataset's source for `text` (a publisher, a URL), held if new."""
        if text in self._sources:
            return self._sources[text]
        source_id = self.dataset.name
        if fields is not None:
            source_id = f"{self.dataset.name}-{stable_slug(text, 'source')}"
        # A source of that id already stored is the one this import made before: kept as is.
        if source_id not in self._taken_ids and not _live(Source, source_id):
            record = {"id": source_id, "published": None, "note": None}
            if fields is None:
                record |= {k: v for k, v in self.dataset.source_record().items() if k != "id"}
            self._hold(self.pending_sources, SourceRecordSchema(), record | (fields or {}))
        self._taken_ids.add(source_id)
        self._sources[text] = source_id
        return source_id

    def _free_id(self, base: str) -> str:
        """Return `base`, or `base-2`, `base-3`...: the first no actor or alias here holds."""
        candidate, number = base, 1
        while (
            candidate in self._taken_ids
            or candidate in self._claimed_aliases
            or _exists(Actor, candidate)
            or _is_alias(candidate)
        ):
            number += 1
            candidate = f"{base}-{number}"
        self._taken_ids.add(candidate)
        return candidate

    def _unclaimed(self, aliases: list[str], actor_id: str) -> list[str]:
        """Keep the aliases no other actor holds: an alias names one actor only."""
        kept = []
        for alias in aliases:
            key = alias_key(alias)
            # An alias too long to store is left out; the name itself is checked as a name.
            if (
                len(alias) > _NAME_MAX
                or "\x00" in alias
                or key in self._claimed_aliases
                or key in self._taken_ids
                or key == actor_id
                or _actor_named(key) is not None
            ):
                continue
            self._claimed_aliases.add(key)
            kept.append(alias)
        return kept[:100]


def _exists(model, record_id: str) -> bool:
    return model.select().where(model.id == record_id).exists()


def _live(model, record_id: str) -> bool:
    return model.select().where(model.id == record_id, model.deleted_at.is_null()).exists()


def _is_alias(key: str) -> bool:
    return ActorAlias.select().where(ActorAlias.key == key).exists()


def _actor_named(key: str) -> str | None:
    """Return the live actor whose alias or id is this alias key, if any."""
    row = (
        ActorAlias.select(ActorAlias.actor)
        .join(Actor)
        .where(ActorAlias.key == key, Actor.deleted_at.is_null())
        .tuples()
        .first()
    )
    if row:
        return row[0]
    return key if _live(Actor, key) else None


def _flat(messages, prefix: str = "") -> Iterator[str]:
    if isinstance(messages, dict):
        for name, inner in messages.items():
            yield from _flat(inner, f"{prefix}{name}: " if not prefix else f"{prefix}{name}.")
    elif isinstance(messages, list):
        for message in messages:
            yield from _flat(message, prefix)
    else:
        yield f"{prefix}{messages}"


def stable_slug(text: str, empty: str) -> str:
    """Return a slug of an upstream value for an id: the same value, the same slug.

    A value whose slug would lose characters (too long) or be empty (a name in another
    script) gets a short hash of the value after what is kept, so two values never share one.
    """
    slug = slugify(text)
    if slug and len(slug) <= _SLUG_KEPT:
        return slug
    digest = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:10]
    kept = slug[:_SLUG_KEPT].rstrip("-") or empty
    return f"{kept}-{digest}"


def upstream_id(prefix: str, value: str) -> str:
    """Return an event id from an upstream id: `acled-ukr12345` for ACLED's `UKR12345`."""
    return f"{prefix}-{stable_slug(value, 'row')}"


def csv_events(
    lines: Iterable[str],
    name: str,
    required: tuple[str, ...],
    columns: dict[str, str],
    event_of: Callable[[UpstreamRow, dict], dict],
) -> Iterator[UpstreamRow]:
    """Read a CSV file of one event a row: `event_of(row, values)` makes each row's event.

    `values` are the row's, stripped; `event_of` notes the row's problems on it, and an event
    is kept only from a row without any. Raise InvalidRecords if the header will not do.
    """
    for line, raw in _csv_rows(lines, name, required):
        row = UpstreamRow(f"{name}:{line}", line, raw, columns=columns)
        if None in raw or None in raw.values():
            row.problem("", "the row does not have one value per column")
        else:
            event = event_of(row, {key: (value or "").strip() for key, value in raw.items()})
            if not row.problems:
                row.events.append(event)
        yield row


def _csv_rows(lines: Iterable[str], name: str, required: tuple[str, ...]) -> Iterator[tuple]:
    """Yield `(first line, row)` of a CSV file with a header; raise InvalidRecords if it is not.

    The header must hold the required columns; a row with more or fewer values than the header
    is yielded with None among them (csv.DictReader's way), for the reader to name.
    """
    reader = csv.DictReader(lines)
    where = f"{name}:1"
    try:
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            raise InvalidRecords([Problem(where, column, "missing column") for column in missing])
        last = reader.line_num
        for row in reader:
            yield last + 1, row
            last = reader.line_num
    except csv.Error as error:
        raise InvalidRecords(
            [Problem(f"{name}:{reader.line_num}", "", f"not CSV ({error}); nothing was read")]
        ) from None


def title_of(*parts: str) -> str:
    """Join the non-empty parts into a title that fits (300 characters)."""
    text = " ".join(part for part in parts if part)
    return text if len(text) <= _TITLE_MAX else text[: _TITLE_MAX - 1].rstrip() + "…"


def day_of(text: str) -> dt.date:
    """Read `YYYY-MM-DD`, with or without a time after it (dropped)."""
    return dt.date.fromisoformat(text.strip()[:10])


def country_of(*candidates: str) -> str | None:
    """Return the alpha-3 code of the first candidate (code or name) ISO 3166 knows."""
    for candidate in candidates:
        text = candidate or ""
        # UCDP writes a state's former name after it: "Russia (Soviet Union)".
        code = country_code(text) or country_code(text.split("(")[0])
        if code:
            return code
    return None


def leftovers(row: dict, used: Iterable[str]) -> dict:
    """Return the row's non-empty values outside the columns used, under their own names."""
    skipped = set(used)
    return {name: value for name, value in row.items() if name not in skipped and value != ""}


def split_names(text: str, separator: str = ";") -> list[str]:
    """Split a list of names (ACLED's `a; b`), dropping empty ones and repeats."""
    names = []
    for item in (text or "").split(separator):
        name = " ".join(item.split())
        if name and name not in names:
            names.append(name)
    return names
