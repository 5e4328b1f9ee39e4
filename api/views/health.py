"""Health endpoints: liveness, and readiness that checks the database."""

from typing import Any

from api.domain.errors import ServiceUnavailable
from api.http.blueprint import ApiBlueprint
from api.queries.health import database_problem
from api.schemas.common import EmptyQueryArgsSchema, HealthSchema

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
    problem = database_problem()
    if problem is not None:
        raise ServiceUnavailable(f"The database is not ready: {problem}.")
    return {"status": "ready", "database": "ok"}
