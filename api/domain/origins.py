"""Origins: the upstream dataset an imported event came from, its id there, and its leftovers.

`origin` is null for our own records, else `{dataset, id, fields}`: `fields` holds the
upstream values our model has no place for, under their upstream names, so that nothing of
an imported row is lost and it can be traced back. Stored as columns of the event
(`origin_dataset`, indexed for the `origin=` filter; `origin_id`; `origin_fields`, JSON).
"""

# The datasets `timeline import` reads besides our own formats.
ORIGIN_DATASETS = ("acled", "ucdp-ged", "ftm")
ORIGIN_COLUMNS = {"dataset": "origin_dataset", "id": "origin_id", "fields": "origin_fields"}


def origin_columns(origin: dict | None) -> dict:
    """Return an event's origin columns for an origin as clients write it (None: none)."""
    return {column: (origin or {}).get(name) for name, column in ORIGIN_COLUMNS.items()}


def origin_of(dataset: str | None, upstream_id: str | None, fields: dict | None) -> dict | None:
    """Return the origin whose columns hold these values, or None for our own records."""
    if dataset is None:
        return None
    return {"dataset": dataset, "id": upstream_id, "fields": fields or {}}
