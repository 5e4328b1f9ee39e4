"""Event type endpoint: the vocabulary of types with how many events have each."""

from typing import Any

from api.domain.vocabulary import EVENT_TYPES
from api.http.blueprint import ApiBlueprint
from api.http.openapi import READ_HEADERS
from api.queries.events import event_type_counts
from api.schemas.common import EmptyQueryArgsSchema
from api.schemas.event_types import EventTypeListSchema

blp = ApiBlueprint(
    "event-types", __name__, url_prefix="/v1/event-types", description="The types of events."
)


@blp.route("", methods=["GET"])
@blp.read(
    EmptyQueryArgsSchema, EventTypeListSchema, operation_id="listEventTypes", headers=READ_HEADERS
)
def list_event_types(_args: dict[str, Any]):
    """List every event type with its label, description and number of events."""
    counts = event_type_counts()
    return {
        "data": [
            {**term._asdict(), "event_count": counts.get(term.slug, 0)} for term in EVENT_TYPES
        ]
    }
