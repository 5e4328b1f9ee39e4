"""Event filters from query arguments: actor names resolved, search parsed."""

from typing import Any

from api.domain.errors import InvalidParameters
from api.domain.filters import EventFilters
from api.domain.search_syntax import parse_search
from api.queries.actors import actor_family, resolve_actor


def actor_groups(names: list[str], *, include_members: bool) -> tuple[frozenset[str], ...]:
    """Resolve actor ids or aliases to groups of ids; unknown names are a 400 on `actor`."""
    resolved = {name: resolve_actor(name) for name in names}
    unknown = [name for name, actor_id in resolved.items() if actor_id is None]
    if unknown:
        listed = ", ".join(repr(name) for name in unknown)
        raise InvalidParameters.for_parameter(
            "actor", f"Unknown actor {listed}: use an id or alias from /v1/actors."
        )
    return tuple(
        frozenset(actor_family(actor_id) if include_members else {actor_id})
        for actor_id in dict.fromkeys(resolved.values())
    )


def filters_from_args(args: dict[str, Any], scope_actor: str | None = None) -> EventFilters:
    """Turn loaded query arguments into event filters, resolving actors."""
    include_members = args["include_members"]
    scope_group = None
    if scope_actor is not None:
        scope_group = actor_groups([scope_actor], include_members=include_members)[0]
    return EventFilters(
        range_start=args["from_date"].start if args.get("from_date") else None,
        range_end=args["to_date"].end if args.get("to_date") else None,
        date_match=args["date_match"],
        actor_groups=actor_groups(args.get("actor", []), include_members=include_members),
        actor_match=args["actor_match"],
        roles=tuple(dict.fromkeys(args.get("role", []))),
        types=tuple(dict.fromkeys(args.get("type", []))),
        statuses=tuple(dict.fromkeys(args.get("status", []))),
        tags=tuple(dict.fromkeys(tag.lower() for tag in args.get("tag", []))),
        scope_group=scope_group,
        search=parse_search(args["q"]) if args.get("q") else None,
        countries=tuple(dict.fromkeys(args.get("country", []))),
        bbox=args.get("bbox"),
        origins=tuple(dict.fromkeys(args.get("origin", []))),
    )
