"""Actor endpoints: list with counts, one actor (aliases redirect), an actor's events."""

from functools import partial
from typing import Any
from urllib.parse import quote_from_bytes

from flask import Response, request, url_for

from api.domain.errors import Gone, NotFound
from api.http.blueprint import ApiBlueprint
from api.http.openapi import PAGE_HEADERS, READ_HEADERS, REDIRECT_HEADERS
from api.http.pagination import GEOJSON_PAGE_RESPONSE, event_page_response, id_keyset_response
from api.http.public_urls import public_url
from api.http.record_routes import add_record_routes, represent
from api.queries.actors import actor_rows, describe_actors, is_deleted_actor, resolve_actor
from api.schemas.actors import ActorListArgsSchema, ActorPageSchema, ActorSchema
from api.schemas.common import EmptyQueryArgsSchema
from api.schemas.events import EventFilterArgsSchema, EventPageSchema
from api.writes.kinds import ACTORS

blp = ApiBlueprint(
    "actors",
    __name__,
    url_prefix="/v1/actors",
    description="States, organizations, forces, agencies, people and outlets, with aliases.",
)


def _canonical_or_redirect(name: str, endpoint: str) -> str | Response:
    """Return the actor id named by `name`, or a 308 to its canonical URL if it is an alias."""
    actor_id = resolve_actor(name)
    if actor_id is None:
        if is_deleted_actor(name):
            raise Gone(f"The actor {name!r} was deleted.")
        raise NotFound(f"No actor with id or alias {name!r}.")
    if actor_id == name:
        return actor_id
    location = public_url(url_for(endpoint, actor_id=actor_id))
    if request.query_string:
        location += "?" + quote_from_bytes(request.query_string, safe="/?&=%:,;+@!$'()*~")
    response = Response(status=308)
    response.headers["Location"] = location
    del response.headers["Content-Type"]
    return response


@blp.route("", methods=["GET"])
@blp.read(ActorListArgsSchema, ActorPageSchema, operation_id="listActors", headers=PAGE_HEADERS)
def list_actors(args: dict[str, Any]):
    """List actors by id, with the number of events that name each; `q` matches name prefixes."""
    kinds = tuple(dict.fromkeys(args.get("kind", [])))
    prefix = args.get("q")
    return id_keyset_response(
        args,
        filters={"kinds": sorted(kinds), **({"q": prefix} if prefix else {})},
        fetch_rows=partial(actor_rows, kinds=kinds, prefix=prefix),
        describe=describe_actors,
    )


@blp.route("/<actor_id>", methods=["GET"])
@blp.read(EmptyQueryArgsSchema, ActorSchema, operation_id="getActor", headers=READ_HEADERS)
@blp.alt_response(
    308, description="An alias: redirects to the actor's id.", headers=REDIRECT_HEADERS
)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(410, response="GONE")
def get_actor(_args: dict[str, Any], actor_id: str):
    """Get one actor by id; an alias redirects (308) to the canonical id (410 once deleted)."""
    resolved = _canonical_or_redirect(actor_id, "actors.get_actor")
    if isinstance(resolved, Response):
        return resolved
    return represent(ACTORS, resolved)


@blp.route("/<actor_id>/events", methods=["GET"])
@blp.read(
    EventFilterArgsSchema, EventPageSchema, operation_id="listActorEvents", headers=PAGE_HEADERS
)
@blp.alt_response(200, **GEOJSON_PAGE_RESPONSE)
@blp.alt_response(
    308, description="An alias: redirects to the actor's id.", headers=REDIRECT_HEADERS
)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(410, response="GONE")
def list_actor_events(args: dict[str, Any], actor_id: str):
    """List the events of one actor (and its members), with every filter of /v1/events."""
    resolved = _canonical_or_redirect(actor_id, "actors.list_actor_events")
    if isinstance(resolved, Response):
        return resolved
    return event_page_response(args, scope_actor=resolved)


add_record_routes(
    blp, ACTORS, id_param="actor_id", get_endpoint="actors.get_actor", converter="string"
)
