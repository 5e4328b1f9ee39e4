"""The OpenAPI document as YAML (flask-smorest serves the JSON at /openapi.json)."""

from flask import Blueprint, Response, current_app

from api.http.openapi import spec_yaml

blp = Blueprint("spec", __name__)


@blp.get("/openapi.yaml")
def openapi_yaml() -> Response:
    """Serve the OpenAPI document as YAML."""
    return Response(spec_yaml(current_app), mimetype="application/yaml")
