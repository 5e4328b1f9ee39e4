"""The example responses of the OpenAPI document, answered by the app over the fixtures."""

import datetime as dt
import json
import tempfile
from pathlib import Path

from api import create_app
from api.http.pagination import GEOJSON
from api.storage.connection import database
from api.storage.migrations import create_schema
from api.writes.seeding import seed

# The fixtures are seeded at a fixed time, so that revisions and changes read the same each run.
SEEDED_AT = dt.datetime(2026, 1, 1)
EVENT = "2024-01-iran-ships-ballistic-missiles-to-russia"
ACTOR = "iran"
SOURCE = "eurasiareview-iran-missile-shipments-russia"
JSON = "application/json"
# One request per operation and content type; small filters keep each example short.
EXAMPLE_REQUESTS: dict[str, dict[str, str]] = {
    "listEvents": {
        JSON: f"/v1/events?actor={ACTOR}&type=shipment&limit=2",
        GEOJSON: "/v1/events?format=geojson&from=2023-09&to=2023-09",
    },
    "exportEvents": {
        "application/x-ndjson": f"/v1/events/export?actor={ACTOR}&type=shipment",
        "text/csv": f"/v1/events/export?format=csv&actor={ACTOR}&type=shipment",
        GEOJSON: "/v1/events/export?format=geojson&from=2023-09&to=2023-09",
    },
    "getEvent": {JSON: f"/v1/events/{EVENT}"},
    "listEventRevisions": {JSON: f"/v1/events/{EVENT}/revisions"},
    "listActors": {JSON: "/v1/actors?kind=state&limit=2"},
    "getActor": {JSON: f"/v1/actors/{ACTOR}"},
    "listActorEvents": {
        JSON: f"/v1/actors/{ACTOR}/events?type=shipment&limit=2",
        GEOJSON: f"/v1/actors/{ACTOR}/events?format=geojson&from=2023-09&to=2023-09",
    },
    "listActorRevisions": {JSON: f"/v1/actors/{ACTOR}/revisions"},
    "listSources": {JSON: "/v1/sources?limit=2"},
    "getSource": {JSON: f"/v1/sources/{SOURCE}"},
    "listSourceRevisions": {JSON: f"/v1/sources/{SOURCE}/revisions"},
    "listEventTypes": {JSON: "/v1/event-types"},
    "getHistogram": {JSON: "/v1/stats/histogram?interval=year&group_by=status"},
    "getActorStats": {JSON: "/v1/stats/actors?type=shipment&limit=2"},
    "getNetwork": {JSON: "/v1/stats/network?type=shipment"},
    "getTimeline": {JSON: f"/v1/timeline?actor={ACTOR}&type=shipment&limit=2"},
    "listChanges": {JSON: "/v1/changes?limit=2"},
    "getHealth": {JSON: "/healthz"},
    "getReadiness": {JSON: "/readyz"},
}
# A write answers with the record as a GET of it would.
WRITTEN_AS = {
    f"{verb}{kind}": f"get{kind}"
    for verb in ("create", "update")
    for kind in ("Event", "Actor", "Source")
}


def collect_response_examples(fixtures: Path) -> dict[str, dict[str, object]]:
    """Seed the fixtures into a scratch database and return each operation's answers by type."""
    with tempfile.TemporaryDirectory(prefix="timeline-examples-") as scratch:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{Path(scratch) / 'examples.db'}",
                "SECRET_KEY": "examples",
                "RATE_LIMIT_ENABLED": False,
                # Links stay relative, whatever this machine's settings say.
                "PUBLIC_URL": "",
                "TRUSTED_PROXIES": 0,
            }
        )
        # create_app bound the shared database handle to the scratch file: it is closed here,
        # and the `timeline openapi` that called this needs no database after it.
        try:
            with app.app_context(), database.connection_context():
                create_schema()
                seed([fixtures], SEEDED_AT)
            examples = _answers(app.test_client())
        finally:
            database.close()
    for written, read in WRITTEN_AS.items():
        examples[written] = examples[read]
    return examples


def _answers(client) -> dict[str, dict[str, object]]:
    """Send each example request; return the answers by operation and content type."""
    examples: dict[str, dict[str, object]] = {}
    for operation, requests in EXAMPLE_REQUESTS.items():
        examples[operation] = {}
        for content_type, url in requests.items():
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != content_type:
                raise RuntimeError(f"{url} answered {response.status_code} {response.mimetype}")
            body = response.get_data(as_text=True)
            examples[operation][content_type] = json.loads(body) if response.is_json else body
    return examples


def examples_json(examples: dict) -> str:
    """Render examples as the committed file holds them."""
    return json.dumps(examples, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
