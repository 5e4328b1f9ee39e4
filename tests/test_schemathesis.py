"""Property-based tests of every operation in openapi.yaml, in-process, with all checks."""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api import create_app
from api.schemas.events import RESERVED_EVENT_IDS
from api.storage.connection import database
from api.storage.models import ApiToken
from databases import reseed

ROOT = Path(__file__).resolve().parent.parent
# One app serves every case; it shares the database proxy, so each test's fresh, seeded
# database (the `seeded_app` fixture binds it) is the one it answers from.
APP = create_app(
    {
        "TESTING": True,
        "DATABASE_URL": "sqlite:///:memory:",
        "SECRET_KEY": "test-key",
        "RATE_LIMIT_ENABLED": False,
    }
)
# The committed document (test_openapi.py proves it is what the code makes), and the project's
# schemathesis.toml whichever folder pytest runs from.
schema = schemathesis.openapi.from_path(
    ROOT / "openapi.yaml", config=schemathesis.Config.from_path(ROOT / "schemathesis.toml")
)
schema.app = APP


@schema.hook
def filter_case(ctx, case):
    """Leave out event ids that name another operation's path (/v1/events/export).

    The document's `event_id` pattern excludes them, so negative generation (fuzzing and the
    coverage phase) draws them, but such a request is a valid call of that other operation,
    not a bad call of this one.
    """
    return (case.path_parameters or {}).get("event_id") not in RESERVED_EVENT_IDS


# The admin token of the test being run: set by the `token` fixture, read by the provider.
_CURRENT_TOKEN: dict[str, str] = {}


@schema.auth(refresh_interval=None)
class AdminToken:
    """Authenticate every generated request with the current test's admin token."""

    def get(self, case, ctx):
        return _CURRENT_TOKEN.get("secret")

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def token(seeded_app, admin_token):
    """Authenticate the generated requests with this test's admin token."""
    _CURRENT_TOKEN["secret"] = admin_token
    yield admin_token
    _CURRENT_TOKEN.clear()


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@schema.parametrize()
@SETTINGS
def test_every_operation_conforms_to_the_document(case, seeded_app, token):
    try:
        case.call_and_validate()
    finally:
        if not database.is_closed():
            database.close()


def test_linked_operations_conform_statefully(seeded_app, token):
    """Follow the links: create, then read, patch with the ETag, delete, list revisions."""
    with database.connection_context():
        token_rows = list(ApiToken.select().dicts())

    class Workflow(schema.as_state_machine()):
        def setup(self):
            # Every scenario starts from the same data, so Hypothesis can replay it.
            reseed()
            with database.connection_context():
                ApiToken.insert_many(token_rows).execute()

        def teardown(self):
            if not database.is_closed():
                database.close()

    Workflow.run(
        settings=settings(
            max_examples=60,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
