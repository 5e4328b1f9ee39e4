"""Actor queries: resolve ids and aliases, walk the member hierarchy, list with counts."""

from collections import defaultdict
from collections.abc import Iterable

from peewee import chunked

from api.domain.names import alias_key
from api.storage.models import Actor, ActorAlias, ActorCountRollup
from api.storage.sql import run

# Every filtered read resolves its actors, so these two are plain SQL (see api.storage.sql).
_RESOLVE_SQL = """
SELECT 0, id FROM actor WHERE id = ? AND deleted_at IS NULL
UNION ALL
SELECT 1, actor_id FROM actor_alias WHERE key = ?
ORDER BY 1 LIMIT 1
"""
_FAMILY_SQL = """
WITH RECURSIVE tree(id) AS (
    SELECT id FROM actor WHERE id = ?
    UNION
    SELECT member.id FROM actor member JOIN tree ON member.parent_id = tree.id
)
SELECT id FROM tree
"""


def resolve_actor(name: str) -> str | None:
    """Return the canonical id of an actor named by id or alias (an id first), or None."""
    candidate = name.strip()
    row = run(_RESOLVE_SQL, [candidate.lower(), alias_key(candidate)]).fetchone()
    return row[1] if row else None


def is_deleted_actor(actor_id: str) -> bool:
    """Tell whether this id names an actor that was deleted."""
    return Actor.select().where(Actor.id == actor_id, Actor.deleted_at.is_null(False)).exists()


def actor_family(actor_id: str) -> set[str]:
    """Return the actor and every member below it, at any depth."""
    return {row[0] for row in run(_FAMILY_SQL, [actor_id])}


def aliases_by_actor(actor_ids: Iterable[str]) -> dict[str, list[str]]:
    """Return each actor's aliases in their written order."""
    aliases: dict[str, list[str]] = defaultdict(list)
    query = (
        ActorAlias.select(ActorAlias.actor, ActorAlias.alias)
        .where(ActorAlias.actor.in_(list(actor_ids)))
        .order_by(ActorAlias.actor, ActorAlias.position)
        .tuples()
    )
    for actor_id, alias in query:
        aliases[actor_id].append(alias)
    return aliases


def members_by_actor(actor_ids: Iterable[str]) -> dict[str, list[str]]:
    """Return the ids of each actor's direct members."""
    members: dict[str, list[str]] = defaultdict(list)
    query = (
        Actor.select(Actor.parent, Actor.id)
        .where(Actor.parent.in_(list(actor_ids)), Actor.deleted_at.is_null())
        .order_by(Actor.parent, Actor.id)
        .tuples()
    )
    for parent_id, member_id in query:
        members[parent_id].append(member_id)
    return members


def named_like(prefix: str):
    """Select the actors whose name or an alias starts with `prefix`, in any case."""
    aliased = ActorAlias.select(ActorAlias.actor).where(
        ActorAlias.key.startswith(alias_key(prefix))
    )
    return Actor.name.startswith(prefix.strip()) | Actor.id.in_(aliased)


def actor_rows(
    actor_ids: Iterable[str] | None = None,
    *,
    kinds=(),
    prefix: str | None = None,
    after_id=None,
    limit=None,
) -> list[Actor]:
    """Select live actors (by id, kind, name prefix, keyset position), each with `event_count`."""
    conditions = [Actor.deleted_at.is_null()]
    if actor_ids is not None:
        conditions.append(Actor.id.in_(list(actor_ids)))
    if kinds:
        conditions.append(Actor.kind.in_(list(kinds)))
    if prefix:
        conditions.append(named_like(prefix))
    if after_id is not None:
        conditions.append(Actor.id > after_id)
    query = Actor.select().where(*conditions).order_by(Actor.id)
    actors = list(query if limit is None else query.limit(limit))
    counts = event_counts([actor.id for actor in actors])
    for actor in actors:
        actor.event_count = counts.get(actor.id, 0)
    return actors


def event_counts(actor_ids: list[str]) -> dict[str, int]:
    """Count the live events naming each of these actors, from the actor rollup's counts."""
    counts = {}
    for chunk in chunked(actor_ids, 500):
        query = ActorCountRollup.select(ActorCountRollup.actor, ActorCountRollup.events)
        counts.update(query.where(ActorCountRollup.actor.in_(chunk)).tuples())
    return counts


def describe_actors(actors: list[Actor]) -> list[dict]:
    """Turn actor rows into records with aliases, parent, members and event counts."""
    ids = [actor.id for actor in actors]
    aliases = aliases_by_actor(ids)
    members = members_by_actor(ids)
    return [
        {
            "id": actor.id,
            "name": actor.name,
            "kind": actor.kind,
            "country": actor.country,
            "aliases": aliases.get(actor.id, []),
            "parent": actor.parent_id,
            "members": members.get(actor.id, []),
            "note": actor.note,
            "event_count": actor.event_count,
        }
        for actor in actors
    ]
