"""Batches of records, and the checks that their ids, references and aliases hold."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from api.domain.errors import Problem
from api.domain.names import alias_key
from api.storage.models import Actor, ActorAlias, Event, Source


@dataclass(frozen=True)
class Located:
    """A record that passed its schema, and where it came from (for messages)."""

    where: str
    record: dict


@dataclass
class RecordBatch:
    """Actors, sources and events to write together."""

    actors: list[Located] = field(default_factory=list)
    sources: list[Located] = field(default_factory=list)
    events: list[Located] = field(default_factory=list)


def live_ids(model, ids: Iterable[str]) -> set[str]:
    """Return which of these ids name records that exist and are not deleted."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    query = model.select(model.id).where(model.id.in_(wanted), model.deleted_at.is_null())
    return {row[0] for row in query.tuples()}


def duplicate_id_problems(located: list[Located], kind: str) -> list[Problem]:
    """Return a problem for each record whose id another record of the batch has."""
    seen: dict[str, str] = {}
    problems = []
    for item in located:
        record_id = item.record["id"]
        if record_id in seen:
            problems.append(
                Problem(item.where, "id", f"{kind} {record_id!r} is also {seen[record_id]}")
            )
        seen.setdefault(record_id, item.where)
    return problems


def _parent_problems(actors: list[Located]) -> list[Problem]:
    parents = {item.record["id"]: item.record["parent"] for item in actors}
    known = set(parents) | live_ids(Actor, (p for p in parents.values() if p))
    problems = []
    for item in actors:
        actor_id, parent = item.record["id"], item.record["parent"]
        if parent is not None and parent not in known:
            problems.append(Problem(item.where, "parent", f"unknown actor {parent!r}"))
            continue
        visited = set()
        while parent is not None and parent != actor_id and parent not in visited:
            visited.add(parent)
            parent = parents[parent] if parent in parents else _stored_parent(parent)
        if parent == actor_id:
            problems.append(
                Problem(item.where, "parent", f"actor {actor_id!r} would be its own ancestor")
            )
    return problems


def _stored_parent(actor_id: str) -> str | None:
    row = Actor.select(Actor.parent).where(Actor.id == actor_id).tuples().first()
    return row[0] if row else None


def _alias_problems(actors: list[Located]) -> list[Problem]:
    batch_ids = {item.record["id"] for item in actors}
    keys = {alias_key(alias) for item in actors for alias in item.record["aliases"]}
    held_outside = _aliases_held_outside(keys | batch_ids, batch_ids)
    actor_ids = batch_ids | live_ids(Actor, keys)
    owners = dict(held_outside)
    problems = []
    for item in actors:
        actor_id = item.record["id"]
        if actor_id in held_outside:
            owner = held_outside[actor_id]
            problems.append(
                Problem(item.where, "id", f"{actor_id!r} is already an alias of {owner!r}")
            )
        own_keys: set[str] = set()
        for index, alias in enumerate(item.record["aliases"]):
            key, field_name = alias_key(alias), f"aliases[{index}]"
            message = None
            if key in actor_ids:
                message = f"{alias!r} is an actor id"
            elif key in own_keys:
                message = f"{alias!r} repeats another alias of this actor"
            elif owners.setdefault(key, actor_id) != actor_id:
                message = f"{alias!r} is already an alias of {owners[key]!r}"
            if message:
                problems.append(Problem(item.where, field_name, message))
            own_keys.add(key)
    return problems


def _aliases_held_outside(keys: set[str], batch_ids: set[str]) -> dict[str, str]:
    if not keys:
        return {}
    query = (
        ActorAlias.select(ActorAlias.key, ActorAlias.actor)
        .where(ActorAlias.key.in_(sorted(keys)), ActorAlias.actor.not_in(sorted(batch_ids)))
        .tuples()
    )
    return dict(query)


def _event_problems(events: list[Located], actors: list[Located], sources: list[Located]):
    references: dict[str, set[str]] = defaultdict(set)
    for item in events:
        references["actors"].update(ref["id"] for ref in item.record["actors"])
        references["sources"].update(ref["id"] for ref in item.record["sources"])
        references["sources"].update(
            ref["via"] for ref in item.record["sources"] if ref.get("via") is not None
        )
        references["related"].update(ref["id"] for ref in item.record["related"])
    known = {
        "actors": {i.record["id"] for i in actors} | live_ids(Actor, references["actors"]),
        "sources": {i.record["id"] for i in sources} | live_ids(Source, references["sources"]),
        "related": {i.record["id"] for i in events} | live_ids(Event, references["related"]),
    }
    # A citation names its source by `id`, and the source it was read in by `via`.
    references_checked = (
        ("actors", "id", "actor"),
        ("sources", "id", "source"),
        ("sources", "via", "source"),
        ("related", "id", "event"),
    )
    problems = []
    for item in events:
        for list_name, key, kind in references_checked:
            for index, ref in enumerate(item.record[list_name]):
                value = ref.get(key)
                if value is not None and value not in known[list_name]:
                    problems.append(
                        Problem(
                            item.where, f"{list_name}[{index}].{key}", f"unknown {kind} {value!r}"
                        )
                    )
    return problems


def actor_problems(batch: RecordBatch) -> list[Problem]:
    """Return the actors' unknown parents, cycles of parents and clashing aliases."""
    return [*_parent_problems(batch.actors), *_alias_problems(batch.actors)]


def event_problems(batch: RecordBatch) -> list[Problem]:
    """Return the events' references to actors, sources and events that do not exist."""
    return _event_problems(batch.events, batch.actors, batch.sources)


def no_problems(_batch: RecordBatch) -> list[Problem]:
    """Find nothing: a kind whose records refer to no other."""
    return []
