"""Event schemas: the query arguments, the record clients write, the event and page they read."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from api.domain.origins import ORIGIN_DATASETS
from api.domain.vocabulary import EVENT_TYPES, PRECISIONS, RELATIONS, ROLES, STATUSES
from api.schemas.common import PageArgsSchema, PageLinksSchema, PageMetaSchema, QueryArgsSchema
from api.schemas.fields import (
    TAG_PATTERN,
    BoundingBox,
    Choice,
    CommaList,
    CountryName,
    EventDate,
    PartialDate,
    Slug,
    Text,
    WholeMatch,
)
from api.schemas.origins import OriginRecordSchema, OriginSchema
from api.schemas.places import PlaceRecordSchema, PlaceSchema
from api.schemas.sources import SourceFieldsSchema

RESERVED_EVENT_IDS = frozenset({"export"})


def Tag(**kwargs: Any) -> Text:  # noqa: N802 - a field factory reads like a field class
    """Return a field for a free-form, lower-case tag."""
    return Text(
        validate=[
            validate.Length(min=1, max=64),
            WholeMatch(TAG_PATTERN, error="Must be a lower-case tag such as 'fateh-110'."),
        ],
        **kwargs,
    )


DATE_MATCHES = ("overlap", "within")
ACTOR_MATCHES = ("any", "all")
EVENT_SORTS = ("date", "-date", "relevance")


class EventFilterFieldsSchema(QueryArgsSchema):
    """Filters of `/v1/events` and its export, all combinable."""

    from_date = PartialDate(
        data_key="from",
        metadata={"description": "Earliest day, inclusive: YYYY, YYYY-MM or YYYY-MM-DD."},
    )
    to_date = PartialDate(
        data_key="to",
        metadata={"description": "Latest day, inclusive: `to=2023-10` ends on 2023-10-31."},
    )
    date_match = Choice(
        DATE_MATCHES,
        load_default="overlap",
        metadata={
            "description": "`overlap`: events whose span of possible days meets the range; "
            "`within`: only events wholly inside it."
        },
    )
    actor = CommaList(
        Text(validate=validate.Length(min=1, max=300)),
        validate=validate.Length(max=50),
        metadata={
            "description": "Actor ids or aliases, case-insensitive; repeat or comma-separate."
        },
    )
    actor_match = Choice(
        ACTOR_MATCHES,
        load_default="any",
        metadata={"description": "Whether an event needs any or all of the actors."},
    )
    role = CommaList(
        Choice(ROLES),
        validate=validate.Length(max=len(ROLES)),
        metadata={
            "description": "Only count actors in these roles (or, alone, any actor in them)."
        },
    )
    include_members = fields.Boolean(
        load_default=True,
        metadata={"description": "Also match events of an actor's members (iran -> irgc)."},
    )
    type = CommaList(
        Choice(EVENT_TYPES),
        validate=validate.Length(max=50),
        metadata={"description": "Event types, any of them (see /v1/event-types)."},
    )
    status = CommaList(
        Choice(STATUSES),
        validate=validate.Length(max=10),
        metadata={"description": "Statuses, any of them: confirmed, reported, disputed."},
    )
    tag = CommaList(
        Text(validate=validate.Length(min=1, max=64)),
        validate=validate.Length(max=50),
        metadata={"description": "Tags (any of them), case-insensitive."},
    )
    country = CommaList(
        CountryName(validate=validate.Length(min=1, max=100)),
        validate=validate.Length(max=50),
        metadata={
            "description": "Countries of the event's place, any of them: ISO 3166-1 alpha-3, "
            "alpha-2 or an English name (IRN, IR, Iran); repeat or comma-separate."
        },
    )
    origin = CommaList(
        Choice(ORIGIN_DATASETS),
        validate=validate.Length(max=len(ORIGIN_DATASETS)),
        metadata={"description": "Only events imported from these datasets, any of them."},
    )
    bbox = BoundingBox(
        metadata={
            "description": "Only events whose place has coordinates inside "
            "`west,south,east,north` (WGS 84 degrees; west > east crosses 180°).",
            "example": "44,25,63.5,40",
        }
    )
    q = Text(
        validate=validate.Length(min=1, max=500),
        metadata={
            "description": "Full-text search of titles, summaries, actor names and aliases, and "
            'tags: words (all must match), "quoted phrases", prefix* and OR between two.'
        },
    )

    @validates_schema
    def check_range_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Reject a range whose start comes after its end."""
        start, end = data.get("from_date"), data.get("to_date")
        if start and end and start.start > end.end:
            raise ValidationError(
                f"'from' ({start.start.isoformat()}) is after 'to' ({end.end.isoformat()}).",
                field_name="from",
            )


class EventOrderArgsSchema(EventFilterFieldsSchema):
    """The filters, and the order of the events they select."""

    sort = Choice(
        EVENT_SORTS,
        load_default="date",
        metadata={
            "description": "`date`: by date_start, date_end, id; `-date` reverses all three; "
            "`relevance` (needs `q`): best matches first."
        },
    )

    @validates_schema
    def check_relevance_has_a_search(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Reject sort=relevance without q: there is nothing to be relevant to."""
        if data.get("sort") == "relevance" and not data.get("q"):
            raise ValidationError("sort=relevance needs a search (q).", field_name="sort")


class EventFilterArgsSchema(PageArgsSchema, EventOrderArgsSchema):
    """Filters and paging of `/v1/events`."""

    count = fields.Boolean(
        load_default=False, metadata={"description": "Add `meta.total`, the number of matches."}
    )
    format = Choice(
        ("json", "geojson"),
        load_default="json",
        metadata={
            "description": "`json`: the page as below; `geojson`: the page's events that have "
            "coordinates, as a GeoJSON FeatureCollection (RFC 7946) with `meta` and `links`."
        },
    )


class EventExportArgsSchema(EventOrderArgsSchema):
    """Filters of `/v1/events/export`, with the file format."""

    format = Choice(
        ("ndjson", "csv", "geojson"),
        load_default="ndjson",
        metadata={
            "description": "`ndjson`: one event per line, as GET shows it; `csv`: flat; "
            "`geojson`: a FeatureCollection of the events that have coordinates."
        },
    )
    bom = fields.Boolean(
        load_default=False,
        metadata={"description": "Start a CSV with a UTF-8 byte order mark, for spreadsheets."},
    )


class EventActorRefSchema(Schema):
    """An actor of an event, in one role, as a client writes it."""

    id = Slug(required=True)
    role = Choice(ROLES, required=True)


_VIA = (
    "The source the quote was read in, when the cited source is known only through it "
    "(Reuters, as reported by another outlet); null when the quote was read in the cited "
    "source itself."
)


class EventSourceRefSchema(Schema):
    """A source an event cites, with the sentence it rests on and where that was read."""

    id = Slug(required=True)
    quote = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=5000),
        metadata={"description": "The passage the event rests on, verbatim (from `via` if set)."},
    )
    via = Slug(load_default=None, allow_none=True, metadata={"description": _VIA})

    @validates_schema
    def check_not_via_itself(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Reject a citation read in the very source it cites: that is `via: null`."""
        if data.get("via") is not None and data.get("via") == data.get("id"):
            raise ValidationError("A source cannot be read via itself; use null.", "via")


class RelatedEventSchema(Schema):
    """A typed link to another event."""

    id = Slug(required=True)
    relation = Choice(RELATIONS, required=True)


def _reject_duplicates(items: list[dict[str, Any]], key: tuple[str, ...], name: str) -> None:
    seen = set()
    for index, item in enumerate(items):
        # A partial load (a merge patch) may lack keys; the full check after merging has them.
        value = tuple(item.get(part) for part in key)
        if value in seen:
            raise ValidationError(
                {index: [f"Repeats {', '.join(map(str, value))}."]}, field_name=name
            )
        seen.add(value)


class EventRecordSchema(Schema):
    """An event as fixtures and clients write it: the event minus the server's own fields."""

    id = Slug()
    title = Text(required=True, validate=validate.Length(min=1, max=300))
    summary = Text(required=True, validate=validate.Length(min=1, max=10_000))
    type = Choice(EVENT_TYPES, required=True)
    date = EventDate(required=True)
    status = Choice(STATUSES, required=True)
    note = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=2000))
    actors = fields.List(
        fields.Nested(EventActorRefSchema), required=True, validate=validate.Length(min=1, max=100)
    )
    sources = fields.List(
        fields.Nested(EventSourceRefSchema),
        required=True,
        validate=validate.Length(min=1, max=100),
    )
    tags = fields.List(Tag(), load_default=list, validate=validate.Length(max=50))
    related = fields.List(
        fields.Nested(RelatedEventSchema), load_default=list, validate=validate.Length(max=100)
    )
    place = fields.Nested(
        PlaceRecordSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "Where it happened; null when the sources do not say."},
    )
    origin = fields.Nested(
        OriginRecordSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "The upstream dataset an imported event came from."},
    )

    @validates("id")
    def check_not_reserved(self, value: str, **kwargs: Any) -> None:
        """Reject ids that are paths of their own, such as `export`."""
        if value in RESERVED_EVENT_IDS:
            raise ValidationError(f"{value!r} is reserved.")

    @validates_schema
    def check_unique_items(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Reject an actor in the same role twice, a source cited twice, a repeated tag."""
        _reject_duplicates(data.get("actors", []), ("id", "role"), "actors")
        _reject_duplicates(data.get("sources", []), ("id",), "sources")
        _reject_duplicates([{"tag": tag} for tag in data.get("tags", [])], ("tag",), "tags")
        _reject_duplicates(data.get("related", []), ("id", "relation"), "related")
        if data.get("id") and any(
            item.get("id") == data["id"] for item in data.get("related", [])
        ):
            raise ValidationError("An event cannot be related to itself.", field_name="related")


class EventPatchSchema(EventRecordSchema):
    """A JSON merge patch of the record: any of its fields; null removes an optional one."""


class EventActorSchema(Schema):
    """An actor of an event, in one role."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf([term.slug for term in ROLES]))


class EventSourceSchema(SourceFieldsSchema):
    """A source an event cites, inlined, with the sentence the event rests on."""

    quote = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The passage the event rests on, verbatim (from `via` if set)."},
    )
    via = fields.String(required=True, allow_none=True, metadata={"description": _VIA})


class EventSchema(Schema):
    """A dated event with its actors and roles, sources and related events."""

    id = fields.String(required=True, metadata={"example": "2022-02-24-russia-invades-ukraine"})
    title = fields.String(required=True)
    summary = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf([t.slug for t in EVENT_TYPES]))
    date = fields.String(
        required=True,
        metadata={"description": "As written: YYYY, YYYY-MM, YYYY-MM-DD or an A/B interval."},
    )
    date_start = fields.String(
        required=True, metadata={"format": "date", "description": "Earliest day it can mean."}
    )
    date_end = fields.String(
        required=True, metadata={"format": "date", "description": "Latest day it can mean."}
    )
    precision = fields.String(required=True, validate=validate.OneOf(PRECISIONS))
    status = fields.String(required=True, validate=validate.OneOf([t.slug for t in STATUSES]))
    note = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "How the date or facts were inferred, where they were."},
    )
    actors = fields.List(fields.Nested(EventActorSchema), required=True)
    sources = fields.List(fields.Nested(EventSourceSchema), required=True)
    tags = fields.List(fields.String(), required=True)
    related = fields.List(fields.Nested(RelatedEventSchema), required=True)
    place = fields.Nested(PlaceSchema, required=True, allow_none=True)
    origin = fields.Nested(
        OriginSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Null for our own records; where an imported one came from."},
    )
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    updated_at = fields.String(required=True, metadata={"format": "date-time"})


class EventPageSchema(Schema):
    """One page of events."""

    data = fields.List(fields.Nested(EventSchema), required=True)
    meta = fields.Nested(PageMetaSchema, required=True)
    links = fields.Nested(PageLinksSchema, required=True)


class EventGeometrySchema(Schema):
    """A GeoJSON Point: `[longitude, latitude]`."""

    type = fields.String(required=True, validate=validate.OneOf(["Point"]))
    coordinates = fields.List(fields.Float(), required=True, validate=validate.Length(equal=2))


class EventFeatureSchema(Schema):
    """An event as a GeoJSON Feature; its properties are the event as GET shows it."""

    type = fields.String(required=True, validate=validate.OneOf(["Feature"]))
    id = fields.String(required=True)
    geometry = fields.Nested(EventGeometrySchema, required=True)
    properties = fields.Nested(EventSchema, required=True)


class EventFeatureCollectionSchema(Schema):
    """Events (those with coordinates) as a GeoJSON FeatureCollection."""

    type = fields.String(required=True, validate=validate.OneOf(["FeatureCollection"]))
    features = fields.List(fields.Nested(EventFeatureSchema), required=True)


class EventFeaturePageSchema(EventFeatureCollectionSchema):
    """A page of events (those with coordinates) as a GeoJSON FeatureCollection, with paging."""

    meta = fields.Nested(PageMetaSchema, required=True)
    links = fields.Nested(PageLinksSchema, required=True)
