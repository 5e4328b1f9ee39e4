"""Event type schemas."""

from marshmallow import Schema, fields


class EventTypeInfoSchema(Schema):
    """An event type, what it means, and how many events have it."""

    # Its component is EventTypeInfo: the name EventType belongs to the vocabulary's enum.

    slug = fields.String(required=True, metadata={"example": "shipment"})
    label = fields.String(required=True)
    description = fields.String(required=True)
    event_count = fields.Integer(required=True)


class EventTypeListSchema(Schema):
    """Every event type."""

    data = fields.List(fields.Nested(EventTypeInfoSchema), required=True)
