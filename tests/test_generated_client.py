"""A Python client generated from the committed openapi.yaml works against a live server.

openapi-python-client (in the test extras) writes the client into a temporary folder; nothing
generated is committed. CI sets TIMELINE_REQUIRE_CLIENT_GENERATOR=1: there, a missing generator
fails the test instead of skipping it.
"""

import datetime as dt
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from served import ROOT, create_token, request_json, seeded_sqlite, serving

PACKAGE = "timeline_api_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
# What the generator prints around its warnings, and about formatters it cannot find (ruff):
# anything else it prints is a warning about the document.
NOT_A_DOCUMENT_WARNING = (
    "Generating ",
    "Warning(s) encountered while generating",
    "Skipping Integration",
    "is not in PATH",
    "If you believe this was a mistake",
)
FILTERS = {"from_": "2023-10", "to": "2024-02", "actor": ["iran"]}
EVENT_BODY = {
    "title": "Iran says a second missile shipment left for Russia",
    "summary": "A written example of an event, created by the generated client.",
    "type": "statement",
    "date": "2024-02",
    "status": "reported",
    "actors": [{"id": "iran", "role": "speaker"}],
    "sources": [{"id": "eurasiareview-iran-missile-shipments-russia", "quote": "Text."}],
}


def _generator_or_skip() -> Path:
    if GENERATOR.exists():
        return GENERATOR
    if os.environ.get("TIMELINE_REQUIRE_CLIENT_GENERATOR") == "1":
        pytest.fail(f"openapi-python-client is required here but {GENERATOR} does not exist")
    pytest.skip("openapi-python-client is not installed (pip install -e '.[test]')")


def generate_client(folder: Path) -> tuple[int, str]:
    """Generate the client package into `folder`; return its exit code and what it printed."""
    generated = subprocess.run(
        [
            str(_generator_or_skip()),
            "generate",
            "--path",
            str(ROOT / "openapi.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        cwd=folder,
        # The venv's bin holds ruff, the formatter the generator runs on its output.
        env={**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        check=False,
    )
    return generated.returncode, generated.stdout + generated.stderr


def document_warnings(output: str) -> list[str]:
    """Return the lines of the generator's output that are not progress or formatter notes."""
    return [
        line
        for line in output.splitlines()
        if line.strip() and not any(note in line for note in NOT_A_DOCUMENT_WARNING)
    ]


@pytest.fixture(scope="module")
def client_modules(tmp_path_factory):
    """Generate the client and import it; yield a function that imports one of its modules."""
    folder = tmp_path_factory.mktemp("client")
    code, output = generate_client(folder)
    assert code == 0, output
    assert document_warnings(output) == [], output
    sys.path.insert(0, str(folder))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """Serve the fixtures with gunicorn; yield the base URL and a write token."""
    folder = tmp_path_factory.mktemp("client-site")
    database_url, env = seeded_sqlite(folder, "client")
    token = create_token(env, "generated-client")
    with serving(database_url, folder / "gunicorn.log", workers=1) as base:
        yield base, token


@pytest.fixture
def public(client_modules, live):
    """A generated Client of the live server, closed after the test."""
    with client_modules("client").Client(base_url=live[0], raise_on_unexpected_status=True) as c:
        yield c


@pytest.fixture
def writer(client_modules, live):
    """A generated AuthenticatedClient with a write token, closed after the test."""
    base, token = live
    with client_modules("client").AuthenticatedClient(base_url=base, token=token) as c:
        yield c


@pytest.mark.parametrize(
    ("output", "warnings"),
    [
        ("Generating /tmp/x/timeline_api_client\n", []),
        (
            "Generating x\nWarning(s) encountered while generating.\nSkipping Integration\n\n"
            "ruff is not in PATH\n",
            [],
        ),
        (
            "Warning(s) encountered while generating.\nUnable to parse this part of your "
            "OpenAPI document: \nCould not find reference in parsed models or enums\n",
            [
                "Unable to parse this part of your OpenAPI document: ",
                "Could not find reference in parsed models or enums",
            ],
        ),
    ],
)
def test_only_formatter_notes_are_forgiven_in_the_generator_output(output, warnings):
    assert document_warnings(output) == warnings


def test_the_generated_client_lists_events_as_typed_models_page_by_page(
    client_modules, live, public
):
    base, client = live[0], public
    list_events = client_modules("api.events.list_events")
    models = client_modules("models")

    seen, cursor, pages = [], list_events.UNSET, 0
    while True:
        page = list_events.sync(client=client, limit=2, cursor=cursor, **FILTERS)
        assert isinstance(page, models.EventPage)
        pages += 1
        for event in page.data:
            assert isinstance(event, models.Event)
            assert isinstance(event.type_, models.EventType)
            assert isinstance(event.status, models.EventStatus)
            assert isinstance(event.date_start, dt.date)
            # overlap: the event's span of possible days meets the range
            assert event.date_start <= dt.date(2024, 2, 29)
            assert event.date_end >= dt.date(2023, 10, 1)
            seen.append(event.id)
        if page.meta.next_cursor is None:
            break
        cursor = page.meta.next_cursor

    status, _, whole = request_json(
        base, "GET", "/v1/events?from=2023-10&to=2024-02&actor=iran&limit=100"
    )
    assert status == 200
    assert seen == [event["id"] for event in whole["data"]]
    assert pages == -(-len(seen) // 2) > 1

    one = client_modules("api.events.get_event").sync(seen[0], client=client)
    assert isinstance(one, models.Event)
    expected = dict(whole["data"][0])
    # Timestamps come back as datetimes, and are written again in Python's spelling.
    for name in ("created_at", "updated_at"):
        assert getattr(one, name) == dt.datetime.fromisoformat(expected.pop(name))
    assert {k: v for k, v in one.to_dict().items() if k not in {"created_at", "updated_at"}} == (
        expected
    )


def test_the_generated_client_parses_a_bad_request_as_a_problem(client_modules, public):
    list_events = client_modules("api.events.list_events")
    answer = list_events.sync_detailed(client=public, from_="2024-13")
    assert answer.status_code == 400
    problem = answer.parsed
    assert isinstance(problem, client_modules("models").Problem)
    assert problem.status == 400
    assert "from" in problem.errors.to_dict()


def test_the_generated_client_creates_patches_and_reads_revisions(client_modules, writer):
    client = writer
    models = client_modules("models")
    update = client_modules("api.events.update_event")

    created = client_modules("api.events.create_event").sync_detailed(
        client=client, body=models.EventRecord.from_dict(EVENT_BODY)
    )
    assert created.status_code == 201, created.content
    event = created.parsed
    assert isinstance(event, models.Event)
    assert event.precision == models.DatePrecision.MONTH
    first_etag = created.headers["ETag"]

    patch = models.EventPatch(status=models.EventStatus.DISPUTED)
    patched = update.sync_detailed(event.id, client=client, body=patch, if_match=first_etag)
    assert patched.status_code == 200, patched.content
    assert patched.parsed.status == models.EventStatus.DISPUTED
    assert patched.parsed.title == EVENT_BODY["title"]
    assert patched.headers["ETag"] != first_etag

    stale = update.sync_detailed(event.id, client=client, body=patch, if_match=first_etag)
    assert stale.status_code == 412
    assert isinstance(stale.parsed, models.Problem)
    star = update.sync_detailed(event.id, client=client, body=patch, if_match="*")
    assert star.status_code == 428
    assert "If-Match" in star.parsed.errors.to_dict()

    revisions = client_modules("api.events.list_event_revisions").sync(event.id, client=client)
    assert isinstance(revisions, models.RevisionList)
    assert [(r.number, r.op) for r in revisions.data] == [
        (1, models.ChangeOp.CREATED),
        (2, models.ChangeOp.UPDATED),
    ]
    assert revisions.data[1].record.to_dict()["status"] == "disputed"
