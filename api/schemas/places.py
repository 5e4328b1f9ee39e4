"""Places of events: as clients write them (validated) and as the API shows them."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.domain.places import PLACE_PRECISIONS
from api.schemas.fields import Choice, CountryCode, Text

_PRECISION = (
    "What the coordinates stand for: `exact` the spot itself, `near` a named place close by, "
    "`admin` the first-level region (admin1), `country` the whole country."
)


def _degrees(bound: int, description: str) -> fields.Float:
    return fields.Float(
        load_default=None,
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(min=-bound, max=bound),
        metadata={"description": description},
    )


class PlaceRecordSchema(Schema):
    """Where an event happened, as clients write it."""

    name = Text(required=True, validate=validate.Length(min=1, max=300))
    country = CountryCode(load_default=None, allow_none=True)
    admin1 = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=300))
    latitude = _degrees(90, "WGS 84 degrees north; null with longitude when unknown.")
    longitude = _degrees(180, "WGS 84 degrees east; null with latitude when unknown.")
    precision = Choice(PLACE_PRECISIONS, required=True, metadata={"description": _PRECISION})

    @validates_schema
    def check_coordinates_together(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Reject a latitude without a longitude, or the other way round."""
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None):
            missing = "longitude" if longitude is None else "latitude"
            raise ValidationError("Give both coordinates, or neither.", field_name=missing)


class PlaceSchema(Schema):
    """Where an event happened, as the API shows it."""

    name = fields.String(required=True, metadata={"example": "Tehran"})
    country = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "ISO 3166-1 alpha-3 code.", "example": "IRN"},
    )
    admin1 = fields.String(required=True, allow_none=True)
    latitude = fields.Float(required=True, allow_none=True)
    longitude = fields.Float(required=True, allow_none=True)
    precision = fields.String(
        required=True,
        validate=validate.OneOf(PLACE_PRECISIONS),
        metadata={"description": _PRECISION},
    )
