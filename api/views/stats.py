"""Chart feeds: histogram, actor ranking and network, each one request a chart can draw."""

from typing import Any

from api.domain.errors import InvalidParameters
from api.http.blueprint import ApiBlueprint
from api.http.event_filters import filters_from_args
from api.http.openapi import READ_HEADERS
from api.queries.stats import (
    MAX_BUCKETS,
    HistogramRequest,
    TooManyBuckets,
    actor_ranking,
    histogram,
    network,
)
from api.schemas.stats import (
    ActorStatsListSchema,
    HistogramArgsSchema,
    HistogramSchema,
    NetworkArgsSchema,
    NetworkSchema,
    StatsLimitArgsSchema,
)

blp = ApiBlueprint(
    "stats",
    __name__,
    url_prefix="/v1/stats",
    description="Chart-ready aggregates over every /v1/events filter.",
)


@blp.route("/histogram", methods=["GET"])
@blp.read(HistogramArgsSchema, HistogramSchema, operation_id="getHistogram", headers=READ_HEADERS)
def get_histogram(args: dict[str, Any]):
    """Count matching events per day, week, month, quarter or year, by type, actor or status."""
    request = HistogramRequest(
        interval=args["interval"],
        group_by=args["group_by"],
        exclude_imprecise=args["imprecise"] == "exclude",
        series_limit=args["series_limit"],
    )
    try:
        return histogram(filters_from_args(args), request)
    except TooManyBuckets:
        raise InvalidParameters.for_parameter(
            "interval",
            f"The range holds more than {MAX_BUCKETS} buckets: choose a coarser interval "
            "or a narrower from/to.",
        ) from None


@blp.route("/actors", methods=["GET"])
@blp.read(
    StatsLimitArgsSchema, ActorStatsListSchema, operation_id="getActorStats", headers=READ_HEADERS
)
def get_actor_stats(args: dict[str, Any]):
    """Rank actors by the matching events that name them, with counts by role and type."""
    return {"data": actor_ranking(filters_from_args(args), args["limit"])}


@blp.route("/network", methods=["GET"])
@blp.read(NetworkArgsSchema, NetworkSchema, operation_id="getNetwork", headers=READ_HEADERS)
def get_network(args: dict[str, Any]):
    """Link actors that share matching events: supplier -> recipient, initiator -> target."""
    return network(filters_from_args(args), args["limit"])
