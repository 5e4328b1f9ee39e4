"""JSON through orjson: the same output as Flask's provider, several times faster to write."""

from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

# Dates and datetimes go to Flask's `default`, so they read as they did with the stdlib.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON provider, writing with orjson (UTF-8, keys in insertion order)."""

    sort_keys = False
    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize `obj` to a JSON string; stdlib options such as `indent` fall back."""
        if kwargs:
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """Return a JSON response of `args` or `kwargs`, as `flask.jsonify` does."""
        obj = self._prepare_response_obj(args, kwargs)
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(obj)  # indented, as Flask does in debug mode
        body = orjson.dumps(obj, default=self.default, option=_OPTIONS)
        return self._app.response_class(body, mimetype=self.mimetype)
