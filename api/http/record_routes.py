"""The routes every editable record kind has: POST, PATCH, DELETE and its revisions.

Each kind's blueprint gets them from the kind's description (`api.writes.kinds`), one small
view per operation.
"""

from typing import Any

from flask import Response, jsonify, request, url_for

from api.domain.errors import NotFound
from api.http.auth import require_scope
from api.http.blueprint import WRITE_ERRORS, ApiBlueprint
from api.http.openapi import ETAG_HEADER, READ_HEADERS
from api.http.public_urls import public_url
from api.queries.history import revisions_of
from api.schemas.common import EmptyQueryArgsSchema
from api.schemas.revisions import RevisionListSchema
from api.writes import edits
from api.writes.journal import Author
from api.writes.kinds import RecordKind

WRITTEN_HEADERS = {
    "ETag": ETAG_HEADER,
    "Location": {"description": "URL of the record.", "schema": {"type": "string"}},
}
MERGE_PATCH = "application/merge-patch+json"
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The ETag of the revision being changed, as GET or the last write gave "
    "it; a stale one gets 412. `*` gets 428: it would match any revision, and the write "
    "could undo a change it never saw.",
    "schema": {"type": "string"},
}


def _links(title: str, id_param: str) -> dict:
    """Describe where a written record's id and ETag lead next (OpenAPI links)."""
    record_id = "$response.body#/id"
    etag = "$response.header.ETag"
    return {
        f"Get{title}": {"operationId": f"get{title}", "parameters": {id_param: record_id}},
        f"Update{title}": {
            "operationId": f"update{title}",
            "parameters": {id_param: record_id, "header.If-Match": etag},
        },
        f"Delete{title}": {
            "operationId": f"delete{title}",
            "parameters": {id_param: record_id, "header.If-Match": etag},
        },
    }


def represent(kind: RecordKind, record_id: str, status: int = 200) -> Response:
    """Answer a live record with its strong ETag (404 or 410 if there is none)."""
    etag, representation = kind.current(record_id)
    response = jsonify(representation)
    response.status_code = status
    response.set_etag(etag)
    return response


def add_record_routes(
    blp: ApiBlueprint, kind: RecordKind, *, id_param: str, get_endpoint: str, converter: str
) -> None:
    """Add POST, PATCH, DELETE and GET .../revisions for `kind` to its blueprint."""
    path = f"/<{converter}:{id_param}>"
    _add_create(blp, kind, id_param=id_param, get_endpoint=get_endpoint)
    _add_update(blp, kind, path=path, id_param=id_param)
    _add_delete(blp, kind, path=path, id_param=id_param)
    _add_revisions(blp, kind, path=path, id_param=id_param)


def _add_create(blp: ApiBlueprint, kind: RecordKind, *, id_param: str, get_endpoint: str):
    title = kind.name.capitalize()

    @blp.route("", methods=["POST"])
    @blp.write(
        201,
        scope="write",
        operation_id=f"create{title}",
        body_schema=kind.record_schema(),
        response_schema=kind.schema,
        headers=WRITTEN_HEADERS,
    )
    @blp.doc(
        summary=f"Create an {kind.name}; without an id, one is derived from its content.",
        responses={201: {"links": _links(title, id_param)}},
    )
    def create(record: dict[str, Any]) -> Response:
        token = require_scope("write")
        record_id = edits.create(kind, record, Author.api(token.name))
        response = represent(kind, record_id, status=201)
        response.headers["Location"] = public_url(url_for(get_endpoint, **{id_param: record_id}))
        return response


def _add_update(blp: ApiBlueprint, kind: RecordKind, *, path: str, id_param: str):
    title = kind.name.capitalize()

    @blp.route(path, methods=["PATCH"])
    @blp.write(
        200,
        scope="write",
        operation_id=f"update{title}",
        body_schema=kind.patch_schema(partial=True),
        response_schema=kind.schema,
        headers={"ETag": ETAG_HEADER},
        errors=(*WRITE_ERRORS, 404, 410, 412, 428),
        # application/json is accepted too (the parser takes any JSON type). Declaring one
        # type keeps generated clients working: a second one makes openapi-python-client
        # write code that does not import.
        content_types=(MERGE_PATCH,),
    )
    @blp.doc(
        summary=f"Change an {kind.name} with a JSON merge patch; needs If-Match.",
        description="The body is an RFC 7396 merge patch, sent as "
        "`application/merge-patch+json` or `application/json`: the fields it names are "
        "replaced, `null` removes an optional one, and lists are replaced whole.",
        parameters=[IF_MATCH],
        responses={200: {"links": _links(title, id_param)}},
    )
    def update(patch: dict[str, Any], **view_args: str) -> Response:
        token = require_scope("write")
        record_id = view_args[id_param]
        edits.update(kind, record_id, patch, request.if_match, Author.api(token.name))
        return represent(kind, record_id)


def _add_delete(blp: ApiBlueprint, kind: RecordKind, *, path: str, id_param: str):
    title, scope = kind.name.capitalize(), kind.delete_scope

    @blp.route(path, methods=["DELETE"])
    @blp.write(
        204, scope=scope, operation_id=f"delete{title}", errors=(*WRITE_ERRORS, 404, 410, 412, 428)
    )
    @blp.doc(
        summary=f"Delete an {kind.name} nothing refers to; needs If-Match "
        f"and a {scope} token. It then answers 410.",
        parameters=[IF_MATCH],
    )
    def delete(**view_args: str) -> Response:
        token = require_scope(scope)
        edits.delete(kind, view_args[id_param], request.if_match, Author.api(token.name))
        return Response(status=204)


def _add_revisions(blp: ApiBlueprint, kind: RecordKind, *, path: str, id_param: str):
    title = kind.name.capitalize()

    @blp.route(f"{path}/revisions", methods=["GET"])
    @blp.read(
        EmptyQueryArgsSchema,
        RevisionListSchema,
        operation_id=f"list{title}Revisions",
        headers=READ_HEADERS,
    )
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.doc(summary=f"List every revision of an {kind.name}, deleted ones too, oldest first.")
    def revisions(_args: dict[str, Any], **view_args: str) -> dict:
        record_id = view_args[id_param]
        found = revisions_of(kind.name, record_id)
        if not found:
            raise NotFound(f"No {kind.name} with id {record_id!r} was ever written.")
        return {"data": found}
