"""URL converters: path segments that can never carry a NUL byte to the database."""

from werkzeug.routing import BaseConverter

# Any path segment but one holding a NUL: PostgreSQL cannot compare a string holding one.
PATH_SEGMENT = "[^/\\x00]+"


class SegmentConverter(BaseConverter):
    """The default converter, minus NUL bytes: `/v1/actors/%00` matches no route (404)."""

    regex = PATH_SEGMENT
