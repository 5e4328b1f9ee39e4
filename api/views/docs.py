"""The interactive API docs at `/docs`: Swagger UI from its PyPI package, our script."""

from importlib import resources

from flask import Blueprint, Response, abort, send_file, send_from_directory

from api.views import PAGE_FILES, locked_down

blp = Blueprint("docs", __name__)
blp.after_request(locked_down)

# Swagger UI's built files ship inside the flask-swagger-ui package on PyPI: no CDN, no npm.
# Only its files are served, by name from this list: nothing else can be asked for.
SWAGGER_UI_FILES = {
    entry.name: entry
    for entry in (resources.files("flask_swagger_ui") / "dist").iterdir()
    if entry.is_file()
}


@blp.get("/docs")
def docs_page() -> Response:
    """Serve the interactive documentation page."""
    return send_from_directory(PAGE_FILES, "docs.html", max_age=60)


@blp.get("/vendor/swagger-ui/<name>")
def swagger_ui_file(name: str) -> Response:
    """Serve one of Swagger UI's files from the installed flask-swagger-ui package."""
    if name not in SWAGGER_UI_FILES:
        abort(404)
    with resources.as_file(SWAGGER_UI_FILES[name]) as path:
        return send_file(path, max_age=86400)
