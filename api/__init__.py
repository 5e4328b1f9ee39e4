"""Timeline API: dated geopolitical events with actors, roles, sources and honest dates."""

from importlib import metadata
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api.http import auth, database, headers, limits, public_urls
from api.http.cursors import load_or_create_secret
from api.http.json_provider import OrjsonProvider
from api.http.openapi import TimelineApi, spec_options
from api.http.routing import EVENT_ID_PATTERN, EventIdConverter, SegmentConverter
from api.settings import load_settings
from api.views import (
    actors,
    changes,
    docs,
    event_types,
    events,
    health,
    page,
    sources,
    spec,
    stats,
    timeline,
)


def package_version() -> str:
    """Return the installed version of this project."""
    try:
        return metadata.version("timeline-api")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app from `TIMELINE_*` settings, overridden by `test_config`."""
    app = Flask(__name__, static_folder=None)
    app.json = OrjsonProvider(app)
    app.config.update(load_settings())
    app.config.update(spec_options(package_version()))
    app.config.update(test_config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret(Path("instance") / "secret_key")

    trusted = app.config["TRUSTED_PROXIES"]
    if trusted:
        # Only the address and scheme: the host is never taken from a request (public_urls).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=0)
    database.init_app(app)
    headers.init_app(app)
    public_urls.init_app(app)
    limits.init_app(app)
    auth.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    app.url_map.converters["default"] = SegmentConverter
    app.url_map.converters["string"] = SegmentConverter
    app.url_map.converters["event_id"] = EventIdConverter
    api = TimelineApi(app)
    api.register_converter(SegmentConverter, lambda _converter: {"type": "string", "minLength": 1})
    api.register_converter(
        EventIdConverter,
        lambda _converter: {"type": "string", "minLength": 1, "pattern": EVENT_ID_PATTERN},
    )
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `timeline token create`.",
        },
    )
    for module in (events, actors, sources, event_types, stats, timeline, changes, health):
        api.register_blueprint(module.blp)
    app.register_blueprint(spec.blp)
    app.register_blueprint(page.blp)
    app.register_blueprint(docs.blp)
