import shutil
import time

import pytest
import yaml

from api.domain.errors import InvalidRecords
from api.storage.connection import database, utc_now
from api.storage.models import ALL_MODELS, Event
from api.writes import derived
from api.writes.seeding import seed
from builders import ACTORS, SOURCE, event
from databases import FIXTURES


def _row_counts() -> dict[str, int]:
    with database.connection_context():
        return {model.__name__: model.select().count() for model in ALL_MODELS}


def _seed(*paths) -> dict:
    with database.connection_context():
        return seed(list(paths), utc_now())


def test_seeding_twice_changes_nothing(app):
    first = _seed(FIXTURES)
    assert first["events"]["created"] == len(
        yaml.safe_load((FIXTURES / "events.yaml").read_text())["events"]
    )
    with database.connection_context():
        stamps = {e.id: (e.created_at, e.updated_at) for e in Event.select()}
    counts = _row_counts()
    again = _seed(FIXTURES)
    for kind in ("actors", "sources", "events"):
        assert again[kind]["created"] == again[kind]["updated"] == 0
        assert again[kind]["unchanged"] == sum(first[kind].values())
    assert _row_counts() == counts
    with database.connection_context():
        assert {e.id: (e.created_at, e.updated_at) for e in Event.select()} == stamps


def test_seeding_an_edited_record_updates_only_it(app, tmp_path):
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    _seed(copy)
    events_file = copy / "events.yaml"
    text = events_file.read_text()
    events_file.write_text(
        text.replace(
            "title: Russia launches its full-scale invasion of Ukraine",
            "title: Russia invades Ukraine",
        )
    )
    time.sleep(0.01)
    with database.connection_context():
        before = Event.get_by_id("2022-02-24-russia-invades-ukraine")
    result = _seed(copy)
    assert result["events"]["updated"] == 1
    assert result["events"]["created"] == 0
    with database.connection_context():
        after = Event.get_by_id("2022-02-24-russia-invades-ukraine")
    assert after.title == "Russia invades Ukraine"
    assert after.created_at == before.created_at
    assert after.updated_at > before.updated_at


GOOD_ACTOR = ACTORS[0]
GOOD_SOURCE = SOURCE


def _event(**changes):
    """A valid event of GOOD_ACTOR citing GOOD_SOURCE, changed; a None change drops the field."""
    record = event("2023-01-01-thing", "2023-01-01", **changes)
    return {key: value for key, value in record.items() if value is not None}


BAD_FIXTURES = [
    (
        "unknown actor",
        {"events": [_event(actors=[{"id": "ghost", "role": "speaker"}])]},
        "events[0] (id '2023-01-01-thing'): actors[0].id: unknown actor 'ghost'",
    ),
    (
        "unknown source",
        {"events": [_event(sources=[{"id": "nowhere"}])]},
        "sources[0].id: unknown source 'nowhere'",
    ),
    (
        "unknown related",
        {"events": [_event(related=[{"id": "ghost", "relation": "denies"}])]},
        "related[0].id: unknown event 'ghost'",
    ),
    (
        "impossible date",
        {"events": [_event(date="2023-02-30")]},
        "date: '2023-02-30' is not a date",
    ),
    (
        "end before start",
        {"events": [_event(date="2023-05/2023-04")]},
        "the interval ends before it starts",
    ),
    ("unknown field", {"events": [_event(colour="red")]}, "colour: Unknown field."),
    (
        "missing id",
        {"events": [_event(id=None)]},
        "events[0]: id: Fixture records must have an id.",
    ),
    (
        "missing sources",
        {"events": [_event(sources=[])]},
        "sources: Length must be between 1 and 100.",
    ),
    ("unknown type", {"events": [_event(type="coup")]}, "type: 'coup' is not one of"),
    (
        "unknown role",
        {"events": [_event(actors=[{"id": "alpha", "role": "victim"}])]},
        "actors[0].role: 'victim' is not one of",
    ),
    ("upper-case tag", {"events": [_event(tags=["Drones"])]}, "tags[0]: Must be a lower-case tag"),
    ("NUL byte", {"events": [_event(title="a\x00b")]}, "title: Must not contain a NUL byte."),
    (
        "repeated actor role",
        {"events": [_event(actors=[{"id": "alpha", "role": "speaker"}] * 2)]},
        "actors[1]: Repeats alpha, speaker.",
    ),
    (
        "related to itself",
        {"events": [_event(related=[{"id": "2023-01-01-thing", "relation": "follows"}])]},
        "related: An event cannot be related to itself.",
    ),
    (
        "duplicate event id",
        {"events": [_event(), _event()]},
        "events[1] (id '2023-01-01-thing'): id: event '2023-01-01-thing' is also",
    ),
    ("bad slug", {"events": [_event(id="Not A Slug")]}, "id: Must be a lower-case slug"),
    (
        "unknown parent",
        {"actors": [{**GOOD_ACTOR, "id": "beta", "parent": "ghost"}]},
        "actors[1] (id 'beta'): parent: unknown actor 'ghost'",
    ),
    (
        "parent cycle",
        {
            "actors": [
                {**GOOD_ACTOR, "id": "b", "parent": "c"},
                {**GOOD_ACTOR, "id": "c", "parent": "b"},
            ]
        },
        "parent: actor 'b' would be its own ancestor",
    ),
    (
        "alias clash",
        {
            "actors": [
                {**GOOD_ACTOR, "id": "b", "aliases": ["Same"]},
                {**GOOD_ACTOR, "id": "c", "aliases": ["SAME"]},
            ]
        },
        "aliases[0]: 'SAME' is already an alias of 'b'",
    ),
    (
        "alias is an id",
        {"actors": [{**GOOD_ACTOR, "id": "b", "aliases": ["Alpha"]}]},
        "aliases[0]: 'Alpha' is an actor id",
    ),
    (
        "repeated alias",
        {"actors": [{**GOOD_ACTOR, "id": "b", "aliases": ["X", "x"]}]},
        "aliases[1]: 'x' repeats another alias",
    ),
    (
        "bad country",
        {"actors": [{**GOOD_ACTOR, "id": "b", "country": "Iran"}]},
        "country: Must be an ISO 3166-1 alpha-3 code.",
    ),
    (
        "bad kind",
        {"actors": [{**GOOD_ACTOR, "id": "b", "kind": "planet"}]},
        "kind: 'planet' is not one of",
    ),
    (
        "bad url",
        {"sources": [{**GOOD_SOURCE, "id": "s2", "url": "ftp://x"}]},
        "url: Not a valid URL.",
    ),
    (
        "bad published",
        {"sources": [{**GOOD_SOURCE, "id": "s2", "published": "2023-13"}]},
        "published: '2023-13' is not a date",
    ),
    ("not a list", {"events": {"id": "x"}}, "events: must be a list of records"),
    ("unknown top-level key", {"places": []}, "must be a mapping whose keys are among"),
]


@pytest.mark.parametrize(
    ("name", "document", "message"), BAD_FIXTURES, ids=[case[0] for case in BAD_FIXTURES]
)
def test_a_bad_record_fails_naming_file_and_record_and_writes_nothing(
    app, tmp_path, name, document, message
):
    base = {"actors": [GOOD_ACTOR], "sources": [GOOD_SOURCE], "events": []}
    good = tmp_path / "a-good.yaml"
    good.write_text(yaml.safe_dump(base))
    bad = tmp_path / "b-bad.yaml"
    bad.write_text(yaml.safe_dump(dict(document.items()), allow_unicode=True))
    if "actors" in document and isinstance(document["actors"], list):
        # Keep the good actor first so the record indices in messages are stable.
        bad.write_text(yaml.safe_dump({"actors": [GOOD_ACTOR, *document["actors"]]}))
        good.write_text(yaml.safe_dump({"sources": [GOOD_SOURCE]}))
    with pytest.raises(InvalidRecords) as raised:
        _seed(tmp_path)
    problems = "\n".join(str(problem) for problem in raised.value.problems)
    assert str(bad) in problems
    assert message in problems
    assert set(_row_counts().values()) == {0}


def test_yaml_syntax_errors_name_the_file(app, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("events: [\n  - id: x\n")
    with pytest.raises(InvalidRecords, match=r"broken\.yaml: not valid YAML"):
        _seed(broken)


def test_a_missing_path_is_named(app, tmp_path):
    with pytest.raises(InvalidRecords, match="no such file or folder"):
        _seed(tmp_path / "nope.yaml")


def test_unquoted_dates_and_numbers_stay_strings(app, tmp_path):
    fixture = tmp_path / "plain.yaml"
    fixture.write_text(
        "actors: [{id: alpha, name: Alpha, kind: state}]\n"
        "sources: [{id: src, publisher: P, title: 2023, published: 2023-10}]\n"
        "events:\n"
        "  - {id: 2023-x, title: yes, summary: 1.5, type: statement, date: 2023,\n"
        "     status: confirmed, actors: [{id: alpha, role: speaker}], sources: [{id: src}]}\n"
    )
    _seed(fixture)
    with database.connection_context():
        event = Event.get_by_id("2023-x")
    assert (event.title, event.summary, event.date, event.precision) == (
        "yes",
        "1.5",
        "2023",
        "year",
    )


def test_a_database_failure_mid_write_rolls_everything_back(app, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    # The last step of a write: every row is written by then, and none may remain.
    monkeypatch.setattr(derived, "refresh", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        _seed(FIXTURES)
    assert set(_row_counts().values()) == {0}
