"""The installed distribution declares every library the code imports."""

import ast
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
# Import names that differ from their distribution's name.
DISTRIBUTION_OF = {
    "yaml": "pyyaml",
    "flask_smorest": "flask-smorest",
    "flask_cors": "flask-cors",
    "flask_limiter": "flask-limiter",
    "playhouse": "peewee",
}
# Installed with Flask, which the project requires.
FLASK_DEPENDENCIES = {"werkzeug", "click", "itsdangerous"}


def _third_party_imports() -> set[str]:
    found = set()
    for path in (ROOT / "api").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name != "api"}


def test_every_imported_library_is_an_install_requirement():
    requirements = [Requirement(line) for line in metadata.requires("timeline-api") or []]
    required = {r.name.lower() for r in requirements if r.marker is None}
    assert {"flask", "marshmallow", "peewee", "gunicorn", "plotly"} <= required
    for name in _third_party_imports() - FLASK_DEPENDENCIES:
        assert DISTRIBUTION_OF.get(name, name).lower() in required, f"{name} is not required"
