"""Schemas of the chart feeds: histogram, actor ranking, network and TimelineJS timeline."""

from marshmallow import Schema, fields, validate

from api.domain.buckets import INTERVALS
from api.schemas.events import EventFilterFieldsSchema
from api.schemas.fields import Choice


class HistogramArgsSchema(EventFilterFieldsSchema):
    """The event filters, and how to bucket and group the counts."""

    interval = Choice(
        INTERVALS,
        load_default="month",
        metadata={"description": "Bucket size; weeks are ISO weeks (Monday to Sunday)."},
    )
    group_by = Choice(
        ("type", "actor", "status", "none"),
        load_default="type",
        metadata={"description": "One series per event type, actor or status, or just one."},
    )
    imprecise = Choice(
        ("include", "exclude"),
        load_default="include",
        metadata={
            "description": "Whether events whose dates span more than one bucket stay in "
            "`counts` (they are always listed in `imprecise` too)."
        },
    )
    series_limit = fields.Integer(
        load_default=10,
        validate=validate.Range(min=1, max=50),
        metadata={"description": "With group_by=actor: the top actors; the rest are 'other'."},
    )


class HistogramSeriesSchema(Schema):
    """Counts of one group, one per bucket."""

    key = fields.String(required=True)
    label = fields.String(required=True)
    counts = fields.List(fields.Integer(), required=True)
    imprecise = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "Of each bucket's events, those whose dates span more buckets."},
    )
    before = fields.Integer(
        required=True,
        metadata={"description": "Matching events starting before the first bucket."},
    )


class HistogramSchema(Schema):
    """Events counted per bucket of their date_start, one series per group."""

    interval = fields.String(required=True)
    group_by = fields.String(required=True)
    imprecise = fields.String(required=True)
    buckets = fields.List(fields.String(), required=True, metadata={"description": "Labels."})
    bucket_starts = fields.List(fields.Date(), required=True)
    series = fields.List(fields.Nested(HistogramSeriesSchema), required=True)
    before = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Sum of every series' counts."})


class StatsLimitArgsSchema(EventFilterFieldsSchema):
    """The event filters, and how many results."""

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ActorStatsSchema(Schema):
    """An actor, with how many matching events name it, by role and by type."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    event_count = fields.Integer(required=True)
    roles = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    types = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class ActorStatsListSchema(Schema):
    """Actors ranked by matching events."""

    data = fields.List(fields.Nested(ActorStatsSchema), required=True)


class NetworkArgsSchema(EventFilterFieldsSchema):
    """The event filters, and how many links."""

    limit = fields.Integer(
        load_default=500,
        validate=validate.Range(min=1, max=5000),
        metadata={"description": "The heaviest links to return."},
    )


class NetworkNodeSchema(Schema):
    """An actor in the network."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)


class NetworkLinkSchema(Schema):
    """Two actors who share events; directed supplier -> recipient, initiator -> target."""

    source = fields.String(required=True)
    target = fields.String(required=True)
    directed = fields.Boolean(required=True)
    weight = fields.Integer(required=True, metadata={"description": "Number of events."})
    types = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class NetworkSchema(Schema):
    """Nodes and links, ready for a force-directed graph."""

    nodes = fields.List(fields.Nested(NetworkNodeSchema), required=True)
    links = fields.List(fields.Nested(NetworkLinkSchema), required=True)


class TimelineArgsSchema(EventFilterFieldsSchema):
    """The event filters, and how many of the earliest events."""

    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))


class TimelineDateSchema(Schema):
    """A TimelineJS date: as precise as the event's date, no more."""

    year = fields.Integer(required=True)
    month = fields.Integer()
    day = fields.Integer()


class TimelineTextSchema(Schema):
    """A TimelineJS text block."""

    headline = fields.String(required=True)
    text = fields.String(required=True)


class TimelineSlideSchema(Schema):
    """A TimelineJS slide: one event."""

    unique_id = fields.String(required=True)
    start_date = fields.Nested(TimelineDateSchema, required=True)
    end_date = fields.Nested(TimelineDateSchema)
    display_date = fields.String(required=True)
    text = fields.Nested(TimelineTextSchema, required=True)
    group = fields.String(required=True)


class TimelineSchema(Schema):
    """Events in TimelineJS3 JSON, loadable by TimelineJS as they are."""

    title = fields.Dict(required=True)
    events = fields.List(fields.Nested(TimelineSlideSchema), required=True)
