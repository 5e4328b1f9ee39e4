"""Source endpoints: list with citation counts, and one source by id."""

from typing import Any

from api.http.blueprint import ApiBlueprint
from api.http.openapi import PAGE_HEADERS, READ_HEADERS
from api.http.pagination import id_keyset_response
from api.http.record_routes import add_record_routes, represent
from api.queries.sources import describe_sources, source_rows
from api.schemas.common import EmptyQueryArgsSchema, PageArgsSchema
from api.schemas.sources import SourcePageSchema, SourceSchema
from api.writes.kinds import SOURCES

blp = ApiBlueprint(
    "sources", __name__, url_prefix="/v1/sources", description="Publications that events cite."
)


@blp.route("", methods=["GET"])
@blp.read(PageArgsSchema, SourcePageSchema, operation_id="listSources", headers=PAGE_HEADERS)
def list_sources(args: dict[str, Any]):
    """List sources by id, with the number of events citing each."""
    return id_keyset_response(args, filters={}, fetch_rows=source_rows, describe=describe_sources)


@blp.route("/<source_id>", methods=["GET"])
@blp.read(EmptyQueryArgsSchema, SourceSchema, operation_id="getSource", headers=READ_HEADERS)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(410, response="GONE")
def get_source(_args: dict[str, Any], source_id: str):
    """Get one source with the number of events citing it (410 once deleted)."""
    return represent(SOURCES, source_id)


add_record_routes(
    blp, SOURCES, id_param="source_id", get_endpoint="sources.get_source", converter="string"
)
