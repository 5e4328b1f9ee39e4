"""Bind the database to the app from its settings; a connection outlives its request."""

from flask import Flask, g, request

from api.storage.connection import begin_request, database, discard_connection, open_database

# Streams of every matching event: they bound their own work as they stream, by
# TIMELINE_EXPORT_TIMEOUT_S (api/http/streaming.py), since it outlasts this request's hooks.
STREAMING_ENDPOINTS = frozenset({"events.export_events"})
# What answers without the database: liveness, the page and the docs with their files, and
# the OpenAPI document.
WITHOUT_DATABASE = frozenset({"health.healthz"})
STATIC_BLUEPRINTS = frozenset({"page", "docs", "spec"})


def init_app(app: Flask) -> None:
    """Bind the database from the app's settings; connections persist across requests."""
    database.initialize(
        open_database(
            app.config["DATABASE_URL"],
            busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
            cache_mb=app.config["SQLITE_CACHE_MB"],
        )
    )

    @app.before_request
    def _ready_the_connection() -> None:
        if request.method == "OPTIONS" or request.endpoint is None:
            return
        if request.endpoint in WITHOUT_DATABASE or request.blueprint in STATIC_BLUEPRINTS:
            return
        if request.endpoint in STREAMING_ENDPOINTS:
            return
        milliseconds = None
        if request.method in {"GET", "HEAD"}:
            milliseconds = app.config["QUERY_TIMEOUT_MS"]
        g.end_request = begin_request(milliseconds)

    @app.teardown_request
    def _end_the_request(error: BaseException | None) -> None:
        end = g.pop("end_request", None)
        if end is not None:
            end(error)

    # A connection outlives its request: opening one cost more than most reads (bench/).
    # peewee keeps one per thread, so gthread workers hold one per thread.
    @app.teardown_appcontext
    def _release(_exc: BaseException | None) -> None:
        if not database.is_closed() and not database.is_connection_usable():
            discard_connection()
