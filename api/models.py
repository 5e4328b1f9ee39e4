"""Tables: actors and their aliases, sources, events and what links them."""

from peewee import (
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from api.database import database, is_sqlite


class BaseModel(Model):
    """Bind every table to the late-bound database proxy."""

    class Meta:
        database = database
        legacy_table_names = False


class Actor(BaseModel):
    """A state, organization, armed force, agency, person or outlet."""

    id = CharField(primary_key=True, max_length=200)
    name = CharField(max_length=300)
    kind = CharField(max_length=32, index=True)
    country = CharField(max_length=3, null=True)
    parent = ForeignKeyField("self", null=True, backref="members", on_delete="RESTRICT")
    note = TextField(null=True)
    created_at = DateTimeField()
    updated_at = DateTimeField()


class ActorAlias(BaseModel):
    """Another name of an actor; `key` is the casefolded name and is unique."""

    key = CharField(primary_key=True, max_length=300)
    alias = CharField(max_length=300)
    actor = ForeignKeyField(Actor, backref="alias_rows", on_delete="CASCADE")
    position = IntegerField()


class Source(BaseModel):
    """A publication that events cite."""

    id = CharField(primary_key=True, max_length=200)
    publisher = CharField(max_length=300)
    title = CharField(max_length=500)
    url = CharField(max_length=2000, null=True)
    published = CharField(max_length=21, null=True)
    note = TextField(null=True)
    created_at = DateTimeField()
    updated_at = DateTimeField()


class Event(BaseModel):
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
    created_at = DateTimeField()
    updated_at = DateTimeField()

    class Meta:
        indexes = (
            (("date_start", "date_end", "id"), False),
            (("date_end",), False),
        )


class EventActor(BaseModel):
    """An actor in an event, in one role."""

    event = ForeignKeyField(Event, backref="actor_rows", on_delete="CASCADE")
    actor = ForeignKeyField(Actor, backref="event_rows", on_delete="RESTRICT")
    role = CharField(max_length=16)
    position = IntegerField()

    class Meta:
        indexes = (
            (("event", "actor", "role"), True),
            (("actor", "role", "event"), False),
            (("role", "event"), False),
        )


class EventSource(BaseModel):
    """A source an event cites, with the sentence it rests on."""

    event = ForeignKeyField(Event, backref="source_rows", on_delete="CASCADE")
    source = ForeignKeyField(Source, backref="event_rows", on_delete="RESTRICT")
    quote = TextField(null=True)
    position = IntegerField()

    class Meta:
        indexes = ((("event", "source"), True),)


class EventTag(BaseModel):
    """A free-form, lower-case tag on an event."""

    event = ForeignKeyField(Event, backref="tag_rows", on_delete="CASCADE")
    tag = CharField(max_length=64)
    position = IntegerField()

    class Meta:
        indexes = (
            (("event", "tag"), True),
            (("tag", "event"), False),
        )


class EventRelation(BaseModel):
    """A typed link from one event to another."""

    event = ForeignKeyField(Event, backref="relation_rows", on_delete="CASCADE")
    related = ForeignKeyField(Event, backref="inbound_relation_rows", on_delete="RESTRICT")
    relation = CharField(max_length=16)
    position = IntegerField()

    class Meta:
        indexes = ((("event", "related", "relation"), True),)


ALL_MODELS = (Actor, ActorAlias, Source, Event, EventActor, EventSource, EventTag, EventRelation)


def create_schema() -> None:
    """Create every table and index that does not exist yet; switch SQLite to WAL."""
    with database.connection_context():
        if is_sqlite():
            # WAL persists in the file, so it is set once here and not on every connection.
            database.execute_sql("PRAGMA journal_mode=wal")
        database.create_tables(ALL_MODELS, safe=True)
