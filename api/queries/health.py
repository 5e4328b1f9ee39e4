"""Readiness: whether the database answers and holds the schema."""

from peewee import PeeweeException

from api.storage.models import Event


def database_problem() -> str | None:
    """Return what keeps the database from serving (the error's name), or None when it can."""
    try:
        Event.select(Event.id).limit(1).exists()
    except PeeweeException as error:
        return type(error).__name__
    return None
