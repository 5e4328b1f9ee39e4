"""Actor schemas: the query arguments, the record clients write, the actor they read."""

from marshmallow import Schema, fields, validate

from api.domain.vocabulary import ACTOR_KINDS
from api.schemas.common import PageArgsSchema, PageLinksSchema, PageMetaSchema
from api.schemas.fields import Choice, CommaList, Slug, Text, WholeMatch


class ActorListArgsSchema(PageArgsSchema):
    """Filters of `/v1/actors`."""

    kind = CommaList(
        Choice(ACTOR_KINDS),
        validate=validate.Length(max=len(ACTOR_KINDS)),
        metadata={"description": "Only actors of these kinds."},
    )
    q = Text(
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": (
                "Only actors whose name or an alias starts with this, in any case: "
                "the type-ahead of an actor picker (`q=teh` finds Iran by its alias Tehran)."
            ),
            "example": "teh",
        },
    )


class ActorRecordSchema(Schema):
    """An actor as fixtures and clients write it (without an id, the API derives one)."""

    id = Slug()
    name = Text(required=True, validate=validate.Length(min=1, max=300))
    kind = Choice(ACTOR_KINDS, required=True)
    country = Text(
        load_default=None,
        allow_none=True,
        validate=WholeMatch(r"^[A-Z]{3}$", error="Must be an ISO 3166-1 alpha-3 code."),
    )
    aliases = fields.List(
        Text(validate=validate.Length(min=1, max=300)),
        load_default=list,
        validate=validate.Length(max=100),
    )
    parent = Slug(load_default=None, allow_none=True)
    note = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=2000))


class ActorPatchSchema(ActorRecordSchema):
    """A JSON merge patch of the record: any of its fields; null removes an optional one."""


class ActorSchema(Schema):
    """An actor, its aliases, its place in a hierarchy and how many events name it."""

    id = fields.String(required=True, metadata={"example": "iran"})
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.slug for k in ACTOR_KINDS]))
    country = fields.String(
        required=True, allow_none=True, metadata={"description": "ISO 3166-1 alpha-3."}
    )
    aliases = fields.List(fields.String(), required=True)
    parent = fields.String(required=True, allow_none=True)
    members = fields.List(
        fields.String(), required=True, metadata={"description": "Ids of direct members."}
    )
    note = fields.String(required=True, allow_none=True)
    event_count = fields.Integer(
        required=True, metadata={"description": "Events that name this actor directly."}
    )


class ActorPageSchema(Schema):
    """One page of actors."""

    data = fields.List(fields.Nested(ActorSchema), required=True)
    meta = fields.Nested(PageMetaSchema, required=True)
    links = fields.Nested(PageLinksSchema, required=True)
