"""Property-based tests of every operation in openapi.yaml, in-process, with all checks."""

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from api.database import database

ROOT = Path(__file__).resolve().parent.parent
# The committed document (test_openapi.py proves it is what the code makes), and the project's
# schemathesis.toml whichever folder pytest runs from.
schema = schemathesis.openapi.from_path(
    ROOT / "openapi.yaml", config=schemathesis.Config.from_path(ROOT / "schemathesis.toml")
)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_every_operation_conforms_to_the_document(case, seeded_app):
    try:
        case.call_and_validate(app=seeded_app)
    finally:
        if not database.is_closed():
            database.close()
