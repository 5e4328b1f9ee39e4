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
    "psycopg2": "psycopg2-binary",
}
# Installed with Flask, which the project requires.
FLASK_DEPENDENCIES = {"werkzeug", "click", "itsdangerous"}


def _imported_names(nodes) -> set[str]:
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name != "api"}


def _third_party_imports() -> tuple[set[str], set[str]]:
    """Return the libraries imported at module level, and those imported inside functions."""
    top, nested = set(), set()
    for path in (ROOT / "api").rglob("*.py"):
        tree = ast.parse(path.read_text())
        top |= _imported_names(tree.body)
        nested |= _imported_names(ast.walk(tree)) - _imported_names(tree.body)
    return top, nested


def test_every_imported_library_is_an_install_requirement():
    requirements = [Requirement(line) for line in metadata.requires("timeline-api") or []]
    required = {r.name.lower() for r in requirements if r.marker is None}
    extras = {r.name.lower() for r in requirements if r.marker is not None}
    assert {"flask", "marshmallow", "peewee", "gunicorn", "plotly"} <= required
    top, nested = _third_party_imports()
    for name in top - FLASK_DEPENDENCIES:
        assert DISTRIBUTION_OF.get(name, name).lower() in required, f"{name} is not required"
    # A library of an extra (psycopg2 for PostgreSQL) is imported only where it is used.
    for name in nested - FLASK_DEPENDENCIES:
        distribution = DISTRIBUTION_OF.get(name, name).lower()
        assert distribution in required | extras, f"{name} is in no requirement or extra"
