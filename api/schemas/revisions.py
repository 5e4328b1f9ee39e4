"""Schemas of the history: revisions of a record, and the change feed of events."""

from marshmallow import Schema, fields, validate

from api.schemas.common import QueryArgsSchema
from api.schemas.fields import Text, UtcDateTime

OPS = ("created", "updated", "deleted")
WRITE_CHANNELS = ("api", "seed", "import")


class RevisionSchema(Schema):
    """One committed write of a record."""

    number = fields.Integer(required=True)
    at = UtcDateTime(required=True)
    op = fields.String(required=True, validate=validate.OneOf(OPS))
    token = fields.String(
        required=True, allow_none=True, metadata={"description": "Name of the token that wrote."}
    )
    via = fields.String(
        required=True,
        validate=validate.OneOf(WRITE_CHANNELS),
        metadata={"description": "How the write came: the API, `timeline seed` or import."},
    )
    record = fields.Dict(
        required=True,
        allow_none=True,
        metadata={"description": "The record as written (as a client sends it); null if deleted."},
    )


class RevisionListSchema(Schema):
    """Every revision of one record, oldest first."""

    data = fields.List(fields.Nested(RevisionSchema), required=True)


class ChangeArgsSchema(QueryArgsSchema):
    """Where to read the change feed from."""

    since = Text(
        validate=validate.Length(min=1, max=2000),
        metadata={
            "description": "A cursor from the feed; omitted, the feed starts at the beginning."
        },
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "Changes per page, 1-1000."},
    )


class ChangeSchema(Schema):
    """One committed change of an event."""

    cursor = fields.String(
        required=True, metadata={"description": "Resume the feed after this entry."}
    )
    op = fields.String(required=True, validate=validate.OneOf(OPS))
    id = fields.String(required=True, metadata={"description": "The event's id."})
    at = UtcDateTime(required=True)
    record = fields.Dict(
        required=True,
        allow_none=True,
        metadata={
            "description": "The event as GET /v1/events/{id} showed it then; null if deleted."
        },
    )


class ChangeMetaSchema(Schema):
    """Where the page ends."""

    limit = fields.Integer(required=True)
    next_cursor = fields.String(
        required=True, metadata={"description": "Poll from here for later changes; never null."}
    )
    has_more = fields.Boolean(required=True, metadata={"description": "More changes are waiting."})


class ChangeLinksSchema(Schema):
    """Links of a page of the feed."""

    self = fields.String(required=True)
    next = fields.String(required=True)


class ChangePageSchema(Schema):
    """A page of the change feed, in commit order."""

    data = fields.List(fields.Nested(ChangeSchema), required=True)
    meta = fields.Nested(ChangeMetaSchema, required=True)
    links = fields.Nested(ChangeLinksSchema, required=True)
