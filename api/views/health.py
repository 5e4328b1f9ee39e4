"""Health endpoints: liveness, and readiness that checks the database."""

from typing import Any

from peewee import PeeweeException

from api.http.blueprint import ApiBlueprint
from api.http.problems import ServiceUnavailable
from api.schemas.common import EmptyQueryArgsSchema, HealthSchema
from api.storage.models import Event

blp = ApiBlueprint("health", __name__, description="Liveness and readiness probes.")


@blp.route("/healthz", methods=["GET"])
@blp.read(EmptyQueryArgsSchema, HealthSchema, operation_id="getHealth")
def healthz(_args: dict[str, Any]):
    """Tell that the process is up and serving."""
    return {"status": "ok"}


@blp.route("/readyz", methods=["GET"])
@blp.read(EmptyQueryArgsSchema, HealthSchema, operation_id="getReadiness")
def readyz(_args: dict[str, Any]):
    """Tell whether the database answers and holds the schema."""
    try:
        Event.select(Event.id).limit(1).exists()
    except PeeweeException as error:
        raise ServiceUnavailable(f"The database is not ready: {type(error).__name__}.") from None
    return {"status": "ready", "database": "ok"}
