"""Rows in id order with how many events link to each: the shape of actor and source lists."""

from collections.abc import Iterable

from peewee import JOIN, Expression, fn


def rows_with_event_counts(
    model,
    link,
    *,
    ids: Iterable[str] | None = None,
    where: Iterable[Expression] = (),
    after_id: str | None = None,
    limit: int | None = None,
) -> list:
    """Select live `model` rows (by id, conditions, keyset position), counting linked events."""
    link_column = getattr(link, model.__name__.lower())
    query = (
        model.select(model, fn.COUNT(fn.DISTINCT(link.event)).alias("event_count"))
        .join(link, JOIN.LEFT_OUTER, on=(link_column == model.id))
        .group_by(model.id)
        .order_by(model.id)
    )
    conditions = [model.deleted_at.is_null(), *where]
    if ids is not None:
        conditions.append(model.id.in_(list(ids)))
    if after_id is not None:
        conditions.append(model.id > after_id)
    if conditions:
        query = query.where(*conditions)
    if limit is not None:
        query = query.limit(limit)
    return list(query)
