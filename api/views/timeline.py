"""The TimelineJS3 feed: the earliest matching events, loadable by TimelineJS as they are."""

from typing import Any

import orjson
from flask import jsonify

from api.domain.timelinejs import timeline
from api.http.blueprint import ApiBlueprint
from api.http.event_filters import filters_from_args
from api.http.openapi import READ_HEADERS
from api.queries.event_pages import events_page
from api.queries.event_representations import event_documents
from api.queries.sources import relay_publishers
from api.schemas.stats import TimelineArgsSchema, TimelineSchema

blp = ApiBlueprint(
    "timeline", __name__, url_prefix="/v1/timeline", description="Events for TimelineJS3."
)


@blp.route("", methods=["GET"])
@blp.read(TimelineArgsSchema, TimelineSchema, operation_id="getTimeline", headers=READ_HEADERS)
def get_timeline(args: dict[str, Any]):
    """Return the earliest matching events (up to `limit`) as a TimelineJS3 document."""
    keys = events_page(filters_from_args(args), sort="date", after=None, limit=args["limit"])
    events = [orjson.loads(document) for document in event_documents([key[-1] for key in keys])]
    # Slides are built in TimelineSchema's shape (tests check that dumping them changes
    # nothing), so a thousand of them skip marshmallow's dump, most of this feed's time.
    return jsonify(timeline(events, relay_publishers(events)))
