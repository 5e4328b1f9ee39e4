"""URL converters: path segments that can never carry a NUL byte to the database."""

from werkzeug.routing import BaseConverter

from api.schemas.events import RESERVED_EVENT_IDS

# Any path segment but one holding a NUL: PostgreSQL cannot compare a string holding one.
PATH_SEGMENT = "[^/\\x00]+"


class SegmentConverter(BaseConverter):
    """The default converter, minus NUL bytes: `/v1/actors/%00` matches no route (404)."""

    regex = PATH_SEGMENT


# Reserved names (such as `export`) are other routes, not event ids: the document says so.
EVENT_ID_PATTERN = "^(?!(?:" + "|".join(sorted(RESERVED_EVENT_IDS)) + ")$)[^/]+$"


class EventIdConverter(BaseConverter):
    """An event id in a path: any segment but the reserved names, such as `export`."""

    regex = "(?!(?:" + "|".join(RESERVED_EVENT_IDS) + ")(?:/|$))" + PATH_SEGMENT
