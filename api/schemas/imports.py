"""The mapping file of `timeline import` (YAML): how upstream values map to ours."""

from marshmallow import Schema, fields, validate

from api.domain.vocabulary import EVENT_TYPES
from api.schemas.fields import Choice, Slug, Text


def _table(values: fields.Field, description: str) -> fields.Dict:
    return fields.Dict(
        keys=Text(validate=validate.Length(min=1, max=300)),
        values=values,
        load_default=dict,
        metadata={"description": description},
    )


class ImportMappingSchema(Schema):
    """Overrides of the default mappings; each table is merged over the default one."""

    event_types = _table(
        Choice(EVENT_TYPES),
        'ACLED: "Event type" or "Event type / Sub-event type" to one of our event types.',
    )
    violence_types = _table(
        Choice(EVENT_TYPES), "UCDP GED: `type_of_violence` (1, 2 or 3) to one of our event types."
    )
    actors = _table(Slug(), "An upstream actor's name to the id of an actor already stored.")
    sources = _table(Slug(), "A publisher the dataset cites to the id of a source already stored.")
