"""Schemas every resource shares: strict query args, the page envelope, the problem body."""

from marshmallow import RAISE, Schema, fields, validate

from api.schemas.fields import Text

MAX_LIMIT = 500
DEFAULT_LIMIT = 50


class QueryArgsSchema(Schema):
    """Query parameters of one endpoint: any parameter it does not declare is an error."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "Unknown query parameter."}


class EmptyQueryArgsSchema(QueryArgsSchema):
    """An endpoint that takes no query parameters."""


class PageArgsSchema(QueryArgsSchema):
    """Keyset pagination: how many items, and where the previous page ended."""

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page, 1-{MAX_LIMIT}."},
    )
    cursor = Text(
        validate=validate.Length(min=1, max=2000),
        metadata={
            "description": "Opaque cursor from `meta.next_cursor` of the previous page, "
            "valid only with the same filters."
        },
    )


class PageMetaSchema(Schema):
    """Paging facts of one page."""

    limit = fields.Integer(required=True)
    next_cursor = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Cursor of the next page; null on the last page."},
    )
    total = fields.Integer(
        metadata={"description": "Number of items matching the filters (with `count=true`)."}
    )


class PageLinksSchema(Schema):
    """Links of one page."""

    self = fields.String(required=True, metadata={"description": "This page."})
    next = fields.String(
        required=True, allow_none=True, metadata={"description": "The next page, or null."}
    )


class ProblemSchema(Schema):
    """An RFC 9457 problem: every error response has this shape."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True, metadata={"example": "Bad Request"})
    status = fields.Integer(required=True, metadata={"example": 400})
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages keyed by the offending parameter or field."},
    )


class HealthSchema(Schema):
    """Liveness or readiness of the service."""

    status = fields.String(required=True, metadata={"example": "ok"})
    database = fields.String(metadata={"example": "ok"})
