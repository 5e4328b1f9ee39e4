"""The ceiling: a Flask hello-world JSON endpoint, served by the same gunicorn configuration."""

from flask import Flask


def create_app() -> Flask:
    """Create an app with one JSON endpoint and nothing else."""
    app = Flask(__name__)

    @app.get("/hello")
    def hello() -> dict:
        return {"hello": "world"}

    return app
