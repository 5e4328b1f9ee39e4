"""Bind the database to the app from its settings; a connection outlives its request."""

from flask import Flask

from api.storage.connection import database, discard_connection, open_database


def init_app(app: Flask) -> None:
    """Bind the database from the app's settings; connections persist across requests."""
    database.initialize(
        open_database(
            app.config["DATABASE_URL"], busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"]
        )
    )

    # A connection outlives its request: opening one cost more than most reads (bench/).
    # peewee keeps one per thread, so gthread workers hold one per thread.
    @app.teardown_appcontext
    def _release(_exc: BaseException | None) -> None:
        if not database.is_closed() and not database.is_connection_usable():
            discard_connection()
