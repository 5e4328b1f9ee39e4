"""Places: where an event happened, and how exactly.

A place is `{name, country, admin1, latitude, longitude, precision}`: `country` is an ISO
3166-1 alpha-3 code, the coordinates are WGS 84 degrees (both or neither), and `precision`
says what the coordinates stand for. Stored as flat columns of the event (`place_*`), so that
country and bounding-box filters are plain indexed comparisons.
"""

from collections.abc import Sequence

# What the coordinates stand for: the spot itself, a named place close by, the centre of the
# first-level region (admin1), or of the whole country.
PLACE_PRECISIONS = ("exact", "near", "admin", "country")
PLACE_FIELDS = ("name", "country", "admin1", "latitude", "longitude", "precision")
# The event's column for each field of its place.
PLACE_COLUMNS = {field: f"place_{field}" for field in PLACE_FIELDS}


def place_columns(place: dict | None) -> dict:
    """Return an event's place columns for a place as clients write it (None: no place)."""
    return {column: (place or {}).get(field) for field, column in PLACE_COLUMNS.items()}


def place_of(values: Sequence) -> dict | None:
    """Return the place whose columns hold `values` (in PLACE_FIELDS order), or None."""
    place = dict(zip(PLACE_FIELDS, values, strict=True))
    return None if place["name"] is None else place


def geojson_feature(event: dict, properties=None) -> dict | None:
    """Return an event as a GeoJSON Feature (RFC 7946), or None when it has no coordinates.

    `properties` is what to show there (the event itself unless given, e.g. as stored JSON).
    """
    place = event.get("place")
    if not place or place["latitude"] is None:
        return None
    return {
        "type": "Feature",
        "id": event["id"],
        "geometry": {"type": "Point", "coordinates": [place["longitude"], place["latitude"]]},
        "properties": event if properties is None else properties,
    }
