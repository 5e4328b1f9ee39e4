"""The write endpoints every editable resource has: POST, PATCH, DELETE and its revisions."""

from typing import Any

from flask import Response, jsonify, request, url_for

from api.http.auth import require_scope
from api.http.blueprint import WRITE_ERRORS, ApiBlueprint
from api.http.openapi import ETAG_HEADER, READ_HEADERS
from api.http.problems import NotFound
from api.schemas.common import EmptyQueryArgsSchema
from api.schemas.revisions import RevisionListSchema
from api.storage.models import Revision
from api.writes import edits as writes
from api.writes.journal import Author
from api.writes.kinds import Kind

WRITTEN_HEADERS = {
    "ETag": ETAG_HEADER,
    "Location": {"description": "URL of the record.", "schema": {"type": "string"}},
}
MERGE_PATCH = "application/merge-patch+json"
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The ETag of the revision being changed; a stale one gets 412.",
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


def represent(kind: Kind, record_id: str, status: int = 200) -> Response:
    """Answer a live record with its strong ETag (404 or 410 if there is none)."""
    etag, representation = writes.current_etag(kind, record_id)
    response = jsonify(representation)
    response.status_code = status
    response.set_etag(etag)
    return response


def register_writes(
    blp: ApiBlueprint, kind: Kind, *, id_param: str, get_endpoint: str, converter: str = "string"
) -> None:
    """Add POST, PATCH, DELETE and GET .../revisions for `kind` to its blueprint."""
    path = f"/<{converter}:{id_param}>"
    title = kind.name.capitalize()
    delete_scope = "write" if kind.name == "event" else "admin"

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
        record_id = writes.create(kind, record, Author.api(token.name))
        response = represent(kind, record_id, status=201)
        response.headers["Location"] = url_for(get_endpoint, **{id_param: record_id})
        return response

    @blp.route(path, methods=["PATCH"])
    @blp.write(
        200,
        scope="write",
        operation_id=f"update{title}",
        body_schema=kind.patch_schema(partial=True),
        response_schema=kind.schema,
        headers={"ETag": ETAG_HEADER},
        errors=(*WRITE_ERRORS, 404, 410, 412, 428),
        content_types=(MERGE_PATCH, "application/json"),
    )
    @blp.doc(
        summary=f"Change an {kind.name} with a JSON merge patch; needs If-Match.",
        parameters=[IF_MATCH],
        responses={200: {"links": _links(title, id_param)}},
    )
    def update(patch: dict[str, Any], **view_args: str) -> Response:
        token = require_scope("write")
        record_id = view_args[id_param]
        writes.update(kind, record_id, patch, request.if_match, Author.api(token.name))
        return represent(kind, record_id)

    @blp.route(path, methods=["DELETE"])
    @blp.write(
        204,
        scope=delete_scope,
        operation_id=f"delete{title}",
        errors=(*WRITE_ERRORS, 404, 410, 412, 428),
    )
    @blp.doc(
        summary=f"Delete an {kind.name} nothing refers to; needs If-Match "
        f"and a {delete_scope} token. It then answers 410.",
        parameters=[IF_MATCH],
    )
    def delete(**view_args: str) -> Response:
        token = require_scope(delete_scope)
        writes.delete(kind, view_args[id_param], request.if_match, Author.api(token.name))
        return Response(status=204)

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
        rows = (
            Revision.select()
            .where(Revision.kind == kind.name, Revision.record_id == record_id)
            .order_by(Revision.number)
        )
        found = [
            {name: getattr(row, name) for name in ("number", "at", "op", "token", "via", "record")}
            for row in rows
        ]
        if not found:
            raise NotFound(f"No {kind.name} with id {record_id!r} was ever written.")
        return {"data": found}
