"""Tables: actors and their aliases, sources, events and what links them."""

import json
from typing import Any

from peewee import (
    BigAutoField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    DoubleField,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)

from api.storage.connection import database


class BaseModel(Model):
    """Bind every table to the late-bound database proxy."""

    class Meta:
        database = database
        legacy_table_names = False


class JsonText(TextField):
    """JSON kept as text, key order and all, the same on SQLite and PostgreSQL."""

    def db_value(self, value: Any) -> str | None:
        """Serialize a value to JSON text."""
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def python_value(self, value: str | None) -> Any:
        """Parse JSON text back into a value."""
        return None if value is None else json.loads(value)


class VersionedModel(BaseModel):
    """A record clients edit: it counts its revisions and is soft-deleted."""

    revision = IntegerField(default=1)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    deleted_at = DateTimeField(null=True)


class Actor(VersionedModel):
    """A state, organization, armed force, agency, person or outlet."""

    id = CharField(primary_key=True, max_length=200)
    name = CharField(max_length=300)
    kind = CharField(max_length=32, index=True)
    country = CharField(max_length=3, null=True)
    parent = ForeignKeyField("self", null=True, backref="members", on_delete="RESTRICT")
    note = TextField(null=True)


class ActorAlias(BaseModel):
    """Another name of an actor; `key` is the casefolded name and is unique."""

    key = CharField(primary_key=True, max_length=300)
    alias = CharField(max_length=300)
    actor = ForeignKeyField(Actor, backref="alias_rows", on_delete="CASCADE")
    position = IntegerField()


class Source(VersionedModel):
    """A publication that events cite."""

    id = CharField(primary_key=True, max_length=200)
    publisher = CharField(max_length=300)
    title = CharField(max_length=500)
    url = CharField(max_length=2000, null=True)
    published = CharField(max_length=21, null=True)
    note = TextField(null=True)


class Event(VersionedModel):
    """A dated event, with its date as written and the span of days it can mean."""

    id = CharField(primary_key=True, max_length=200)
    title = CharField(max_length=300)
    summary = TextField()
    type = CharField(max_length=32, index=True)
    date = CharField(max_length=21)
    date_start = DateField()
    date_end = DateField()
    precision = CharField(max_length=8)
    status = CharField(max_length=16, index=True)
    note = TextField(null=True)
    span_class = SmallIntegerField(default=0)
    # Where it happened (api/domain/places.py): all null when the event has no place. The
    # indexes of these and the origin's columns are made in migrations.py, after an older
    # table has gained them.
    place_name = CharField(max_length=300, null=True)
    place_country = CharField(max_length=3, null=True)
    place_admin1 = CharField(max_length=300, null=True)
    place_latitude = DoubleField(null=True)
    place_longitude = DoubleField(null=True)
    place_precision = CharField(max_length=8, null=True)
    # Where an imported event came from (api/domain/origins.py): all null for our own.
    origin_dataset = CharField(max_length=16, null=True)
    origin_id = CharField(max_length=200, null=True)
    origin_fields = JsonText(null=True)
    # The event as GET shows it, as JSON, and its ETag's digest: kept by every write.
    document = TextField(null=True)
    document_digest = CharField(max_length=16, null=True)

    class Meta:
        indexes = (
            # Date order within a span class: an overlap query knows where to start reading.
            (("span_class", "date_start", "date_end", "id"), False),
        )


class EventActor(BaseModel):
    """An actor in an event, in one role, with the event's dates copied for date-ordered reads."""

    event = ForeignKeyField(Event, backref="actor_rows", on_delete="CASCADE", index=False)
    actor = ForeignKeyField(Actor, backref="event_rows", on_delete="RESTRICT", index=False)
    role = CharField(max_length=16)
    position = IntegerField()
    date_start = DateField(null=True)
    date_end = DateField(null=True)
    span_class = SmallIntegerField(default=0)

    class Meta:
        indexes = (
            (("event", "actor", "role"), True),
            # An actor's events in date order, per span class, without touching `event`.
            (("actor", "span_class", "date_start", "date_end", "event", "role"), False),
            (("role", "event"), False),
        )


class EventSource(BaseModel):
    """A source an event cites, with the sentence it rests on."""

    event = ForeignKeyField(Event, backref="source_rows", on_delete="CASCADE", index=False)
    source = ForeignKeyField(Source, backref="event_rows", on_delete="RESTRICT")
    quote = TextField(null=True)
    position = IntegerField()
    # The source the quote was read in, when the cited one is known only through it. Its
    # index is partial, so `migrations.create_schema` makes it after adding the column.
    via = ForeignKeyField(
        Source, null=True, backref="relayed_rows", on_delete="RESTRICT", index=False
    )

    class Meta:
        indexes = ((("event", "source"), True),)


class EventTag(BaseModel):
    """A free-form, lower-case tag on an event."""

    event = ForeignKeyField(Event, backref="tag_rows", on_delete="CASCADE", index=False)
    tag = CharField(max_length=64)
    position = IntegerField()

    class Meta:
        indexes = (
            (("event", "tag"), True),
            (("tag", "event"), False),
        )


class EventRelation(BaseModel):
    """A typed link from one event to another."""

    event = ForeignKeyField(Event, backref="relation_rows", on_delete="CASCADE", index=False)
    related = ForeignKeyField(Event, backref="inbound_relation_rows", on_delete="RESTRICT")
    relation = CharField(max_length=16)
    position = IntegerField()

    class Meta:
        indexes = ((("event", "related", "relation"), True),)


class EventMonthRollup(BaseModel):
    """How many live events start in one month and end in another, by type and status.

    Every write keeps it current; histograms by month, quarter or year read it instead of
    the events.
    """

    start_month = DateField()
    end_month = DateField()
    type = CharField(max_length=32)
    status = CharField(max_length=16)
    events = IntegerField()

    class Meta:
        table_name = "month_rollup"
        primary_key = CompositeKey("start_month", "end_month", "type", "status")
        # WITHOUT ROWID on SQLite (set by migrations.create_schema): PostgreSQL has no such thing.


class EventMonthTypeRollup(BaseModel):
    """The monthly rollup summed over statuses: a fifth of the cells, for charts by type."""

    start_month = DateField()
    end_month = DateField()
    type = CharField(max_length=32)
    events = IntegerField()

    class Meta:
        table_name = "month_type_rollup"
        primary_key = CompositeKey("start_month", "end_month", "type")


class EventDayRollup(BaseModel):
    """How many live events start on one day and end on another, by type and status.

    Day and week histograms, and counts over ranges that cut a month, read it.
    """

    start_day = DateField()
    end_day = DateField()
    type = CharField(max_length=32)
    status = CharField(max_length=16)
    events = IntegerField()

    class Meta:
        table_name = "day_rollup"
        primary_key = CompositeKey("start_day", "end_day", "type", "status")


class ActorMonthRollup(BaseModel):
    """How many live events name an actor, by the actor's roles in them, month span, type, status.

    `roles` is the actor's roles in an event, sorted and space-separated: an event counts once
    per actor however many roles the actor holds in it. Rankings of actors and histograms by
    or of one actor read it instead of the events.
    """

    start_month = DateField()
    end_month = DateField()
    actor = CharField(max_length=200, column_name="actor_id")
    roles = CharField(max_length=200)
    type = CharField(max_length=32)
    status = CharField(max_length=16)
    events = IntegerField()

    class Meta:
        table_name = "actor_month_rollup"
        primary_key = CompositeKey("start_month", "end_month", "actor", "roles", "type", "status")
        # One actor's cells in month order, for histograms of that actor's events.
        indexes = ((("actor", "start_month"), False),)


class ActorSpanRollup(BaseModel):
    """The actor rollup summed over roles, types and statuses: an actor's events by month span.

    A seventh of the cells: histograms by actor and of one actor, without those filters.
    """

    start_month = DateField()
    end_month = DateField()
    actor = CharField(max_length=200, column_name="actor_id")
    events = IntegerField()

    class Meta:
        table_name = "actor_span_rollup"
        primary_key = CompositeKey("start_month", "end_month", "actor")
        indexes = ((("actor", "start_month"), False),)


class ActorTotalRollup(BaseModel):
    """The actor rollup summed over months: an actor ranking over all time reads this."""

    actor = CharField(max_length=200, column_name="actor_id")
    roles = CharField(max_length=200)
    type = CharField(max_length=32)
    status = CharField(max_length=16)
    events = IntegerField()

    class Meta:
        table_name = "actor_total_rollup"
        primary_key = CompositeKey("actor", "roles", "type", "status")


class ActorCountRollup(BaseModel):
    """How many live events name each actor: actor lists and the plain ranking read this."""

    actor = CharField(max_length=200, column_name="actor_id", primary_key=True)
    events = IntegerField()

    class Meta:
        table_name = "actor_count_rollup"
        indexes = ((("events", "actor"), False),)


class ActorAppearanceRollup(BaseModel):
    """The actor rollup summed over actors: how many (event, actor) pairs, by month span.

    A histogram by actor counts its top actors from their cells and the rest ("other") as
    this minus them.
    """

    start_month = DateField()
    end_month = DateField()
    roles = CharField(max_length=200)
    type = CharField(max_length=32)
    status = CharField(max_length=16)
    events = IntegerField()

    class Meta:
        table_name = "actor_appearance_rollup"
        primary_key = CompositeKey("start_month", "end_month", "roles", "type", "status")


class LinkMonthRollup(BaseModel):
    """How many live events link two actors as the network does, by month span, type, status."""

    start_month = DateField()
    end_month = DateField()
    source_actor = CharField(max_length=200)
    target_actor = CharField(max_length=200)
    directed = BooleanField()
    type = CharField(max_length=32)
    status = CharField(max_length=16)
    events = IntegerField()

    class Meta:
        table_name = "link_month_rollup"
        primary_key = CompositeKey(
            "start_month", "end_month", "source_actor", "target_actor", "directed", "type",
            "status",
        )  # fmt: skip


class LinkTotalRollup(BaseModel):
    """The link rollup summed over months: the network over all time reads this."""

    source_actor = CharField(max_length=200)
    target_actor = CharField(max_length=200)
    directed = BooleanField()
    type = CharField(max_length=32)
    status = CharField(max_length=16)
    events = IntegerField()

    class Meta:
        table_name = "link_total_rollup"
        primary_key = CompositeKey("source_actor", "target_actor", "directed", "type", "status")


class LinkWeightRollup(BaseModel):
    """The link rollup summed over months, types and statuses: each link's weight."""

    source_actor = CharField(max_length=200)
    target_actor = CharField(max_length=200)
    directed = BooleanField()
    events = IntegerField()

    class Meta:
        table_name = "link_weight_rollup"
        primary_key = CompositeKey("source_actor", "target_actor", "directed")
        # The heaviest links first, without reading them all.
        indexes = ((("events",), False),)


class ApiToken(BaseModel):
    """A bearer token: its public key, the hash of its secret, its scope."""

    name = CharField(unique=True, max_length=100)
    key = CharField(unique=True, max_length=32)
    secret_hash = CharField(max_length=64)
    scope = CharField(max_length=8)
    created_at = DateTimeField()
    revoked_at = DateTimeField(null=True)


class Revision(BaseModel):
    """One committed write of an actor, source or event, with the record it left."""

    kind = CharField(max_length=8)
    record_id = CharField(max_length=200)
    number = IntegerField()
    op = CharField(max_length=8)
    at = DateTimeField()
    token = CharField(max_length=100, null=True)
    via = CharField(max_length=8)
    record = JsonText(null=True)

    class Meta:
        indexes = ((("kind", "record_id", "number"), True),)


class Change(BaseModel):
    """One committed change of an event, in commit order: the change feed."""

    id = BigAutoField()
    op = CharField(max_length=8)
    event_id = CharField(max_length=200, index=True)
    at = DateTimeField()
    record = JsonText(null=True)


ALL_MODELS = (
    Actor,
    ActorAlias,
    Source,
    Event,
    EventActor,
    EventSource,
    EventTag,
    EventRelation,
    EventMonthRollup,
    EventMonthTypeRollup,
    EventDayRollup,
    ActorMonthRollup,
    ActorSpanRollup,
    ActorTotalRollup,
    ActorCountRollup,
    ActorAppearanceRollup,
    LinkMonthRollup,
    LinkTotalRollup,
    LinkWeightRollup,
    ApiToken,
    Revision,
    Change,
)
