"""How an event's actors take part: each actor's set of roles, and the links the network draws."""

import itertools
from collections import defaultdict
from collections.abc import Iterable

# Directed links run from the first role to the second; other pairs are undirected.
DIRECTED_ROLES = (("supplier", "recipient"), ("initiator", "target"))
ROLE_SEPARATOR = " "


def roles_by_actor(participants: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return each actor's roles in one event, sorted and joined: `(actor id, role)` pairs in."""
    roles: dict[str, set[str]] = defaultdict(set)
    for actor_id, role in participants:
        roles[actor_id].add(role)
    return {actor_id: ROLE_SEPARATOR.join(sorted(held)) for actor_id, held in roles.items()}


def held_roles(roles: str) -> list[str]:
    """Return the roles of a joined role set (as `roles_by_actor` writes it)."""
    return roles.split(ROLE_SEPARATOR)


def event_links(participants: Iterable[tuple[str, str]]) -> set[tuple[str, str, bool]]:
    """List one event's links: supplier->recipient, initiator->target, else undirected.

    `participants` are `(actor id, role)` pairs; a link is `(source, target, directed)`, and
    an undirected one has its actors in id order.
    """
    participants = list(participants)
    links = set()
    by_role: dict[str, set[str]] = defaultdict(set)
    for actor_id, role in participants:
        by_role[role].add(actor_id)
    for source_role, target_role in DIRECTED_ROLES:
        for source, target in itertools.product(by_role[source_role], by_role[target_role]):
            if source != target:
                links.add((source, target, True))
    directed_pairs = {frozenset((source, target)) for source, target, _ in links}
    actors = sorted({actor_id for actor_id, _ in participants})
    for source, target in itertools.combinations(actors, 2):
        if frozenset((source, target)) not in directed_pairs:
            links.add((source, target, False))
    return links
