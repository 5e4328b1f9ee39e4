"""Origins of imported events: as writers give them (validated) and as the API shows them."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from api.domain.origins import ORIGIN_DATASETS
from api.schemas.fields import Choice, Text

_FIELDS = (
    "The upstream values our model has no place for, under their upstream names (ACLED's "
    "`fatalities`, UCDP's `best`): strings, numbers, booleans or null."
)


def _upstream_values(values: dict[str, Any]) -> None:
    for name, value in values.items():
        if isinstance(value, str):
            if len(value) > 10_000 or "\x00" in value:
                raise ValidationError(f"{name!r}: at most 10,000 characters, no NUL byte.")
        elif not (value is None or isinstance(value, bool | int | float)):
            raise ValidationError(f"{name!r}: a string, number, boolean or null.")


class OriginRecordSchema(Schema):
    """Where an imported event came from, as writers give it."""

    dataset = Choice(ORIGIN_DATASETS, required=True)
    id = Text(required=True, validate=validate.Length(min=1, max=200))
    fields = fields.Dict(
        keys=Text(validate=validate.Length(min=1, max=100)),
        values=fields.Raw(allow_none=True),
        load_default=dict,
        validate=[validate.Length(max=200), _upstream_values],
        metadata={"description": _FIELDS},
    )


class OriginSchema(Schema):
    """Where an imported event came from, as the API shows it."""

    dataset = fields.String(required=True, validate=validate.OneOf(ORIGIN_DATASETS))
    id = fields.String(
        required=True, metadata={"description": "The row's id upstream.", "example": "UKR12345"}
    )
    fields = fields.Dict(required=True, metadata={"description": _FIELDS})
