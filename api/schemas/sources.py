"""Source schemas: the record clients write and the source they read."""

from marshmallow import Schema, fields, validate

from api.schemas.common import PageLinksSchema, PageMetaSchema
from api.schemas.fields import EventDate, Slug, Text


class SourceRecordSchema(Schema):
    """A source as fixtures and clients write it (without an id, the API derives one)."""

    id = Slug()
    publisher = Text(required=True, validate=validate.Length(min=1, max=300))
    title = Text(required=True, validate=validate.Length(min=1, max=500))
    url = fields.Url(
        load_default=None,
        allow_none=True,
        schemes={"http", "https"},
        validate=validate.Length(max=2000),
        metadata={"format": "uri", "description": "An http or https URL."},
    )
    published = EventDate(load_default=None, allow_none=True)
    note = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=2000))


class SourcePatchSchema(SourceRecordSchema):
    """A JSON merge patch of the record: any of its fields; null removes an optional one."""


class SourceFieldsSchema(Schema):
    """What identifies a publication: shared by a source and an event's citation of it."""

    id = fields.String(required=True)
    publisher = fields.String(required=True)
    title = fields.String(required=True)
    url = fields.String(required=True, allow_none=True, metadata={"format": "uri"})
    published = fields.String(
        required=True, allow_none=True, metadata={"description": "Date as written, if known."}
    )


class SourceSchema(SourceFieldsSchema):
    """A publication that events cite."""

    note = fields.String(required=True, allow_none=True)
    event_count = fields.Integer(required=True, metadata={"description": "Events citing it."})


class SourcePageSchema(Schema):
    """One page of sources."""

    data = fields.List(fields.Nested(SourceSchema), required=True)
    meta = fields.Nested(PageMetaSchema, required=True)
    links = fields.Nested(PageLinksSchema, required=True)
