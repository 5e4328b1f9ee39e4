"""`timeline import` of upstream datasets: ACLED, UCDP GED and FtM, from samples in tests/samples/.

The samples were written from each format's public documentation (ACLED's export codebook,
UCDP GED's codebook, FollowTheMoney's Sanction schema as OpenSanctions publishes it).
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from api.cli.main import cli
from api.domain.errors import InvalidRecords
from api.storage.connection import database, utc_now
from api.storage.models import Actor, Change, Event, Revision, Source
from api.writes.imports import ImportOptions, run_import
from api.writes.transfer import IMPORT_AUTHOR
from api.writes.verify import differences

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "samples"
SAMPLE_FILES = {"acled": "acled.csv", "ucdp-ged": "ucdp-ged.csv", "ftm": "ftm.ndjson"}


def _import(runner, file_format: str, path: Path, *options: str):
    return runner.invoke(cli, ["import", "--format", file_format, *options, str(path)])


def _counts() -> tuple[int, ...]:
    with database.connection_context():
        return tuple(m.select().count() for m in (Actor, Source, Event, Revision, Change))


def _sample(file_format: str) -> Path:
    return SAMPLES / SAMPLE_FILES[file_format]


# What each sample's events become: the row's id, then what the API must show of it.
EXPECTED = [
    (
        "acled",
        "acled-ukr10002",
        {
            "type": "attack",
            "date": "2022-02-20/2022-02-26",  # time_precision 2: the week around 23 February
            "status": "reported",
            "place.country": "UKR",
            "place.precision": "near",
            "origin.id": "UKR10002",
            "origin.fields.fatalities": "3",
            "roles": ["participant", "participant"],
            "sources": [("acled-reuters", "acled")],
        },
    ),
    (
        "acled",
        "acled-irn10003",
        {"type": "protest", "date": "2022-11", "place.country": "IRN", "roles": ["participant"]},
    ),
    ("acled", "acled-ukr10001", {"date": "2023-05-20", "type": "armed_clash"}),
    ("acled", "acled-syr10004", {"type": "agreement", "sources": [("acled", None)]}),
    (
        "ucdp-ged",
        "ucdp-ged-400002",
        {
            "type": "attack",
            "date": "2022-03-01/2022-03-10",
            "status": "reported",
            "roles": ["initiator", "target"],
            "place.country": "UKR",
            "place.admin1": "Donetsk oblast",
            "origin.fields.best": "20",
        },
    ),
    (
        "ucdp-ged",
        "ucdp-ged-400001",
        {
            "type": "armed_clash",
            "date": "2022-02-24",
            "status": "confirmed",
            "roles": ["participant", "participant"],
            "sources": [
                ("ucdp-ged-reuters", "ucdp-ged"),
                ("ucdp-ged-associated-press", "ucdp-ged"),
            ],
        },
    ),
    ("ucdp-ged", "ucdp-ged-400003", {"place.precision": "country", "place.country": "SYR"}),
    (
        "ftm",
        "ftm-ofac-sanction-1",
        {
            "type": "sanctions_announcement",
            "date": "2022-11-15",
            "roles": ["target", "initiator"],
            "origin.fields.program": "IRAN-EO13382",
        },
    ),
    ("ftm", "ftm-uk-sanction-1", {"date": "2022-12", "roles": ["target", "initiator"]}),
    (
        "ftm",
        "ftm-uk-sanction-1-end",
        {
            "type": "curb_expiry",
            "date": "2023-10-18",
            "roles": ["target", "mentioned"],
            "related": [("ftm-uk-sanction-1", "follows")],
        },
    ),
    ("ftm", "ftm-eu-sanction-1", {"date": "2023", "sources": [("opensanctions", None)]}),
]


def _shown(event: dict, key: str):
    if key == "roles":
        return [actor["role"] for actor in event["actors"]]
    if key == "sources":
        return [(source["id"], source["via"]) for source in event["sources"]]
    if key == "related":
        return [(related["id"], related["relation"]) for related in event["related"]]
    value = event
    for part in key.split("."):
        value = value[part]
    return value


@pytest.mark.parametrize(("file_format", "event_id", "expected"), EXPECTED)
def test_a_sample_row_becomes_the_event_its_format_describes(
    runner, client, file_format, event_id, expected
):
    result = _import(runner, file_format, _sample(file_format))
    assert result.exit_code == 0, result.output
    event = client.get(f"/v1/events/{event_id}").get_json()
    for key, value in expected.items():
        assert _shown(event, key) == value, key
    assert event["origin"]["dataset"] == file_format


@pytest.mark.parametrize("file_format", SAMPLE_FILES)
def test_importing_the_same_file_again_changes_nothing(runner, seeded_app, file_format):
    first = _import(runner, file_format, _sample(file_format))
    assert first.exit_code == 0, first.output
    before = _counts()
    second = _import(runner, file_format, _sample(file_format))
    assert second.exit_code == 0, second.output
    assert "events: 0 created, 0 updated" in second.output
    assert "actors: 0 created, 0 updated" in second.output
    assert _counts() == before


def test_a_changed_row_updates_its_event_in_one_revision(runner, client, tmp_path):
    assert _import(runner, "acled", _sample("acled")).exit_code == 0
    changed = tmp_path / "changed.csv"
    text = _sample("acled").read_text()
    changed.write_text(text.replace("during the month.", "during the whole month."))
    before = _counts()
    result = _import(runner, "acled", changed)
    assert "events: 0 created, 1 updated, 3 unchanged" in result.output, result.output
    actors, sources, events, revisions, changes = before
    assert _counts() == (actors, sources, events, revisions + 1, changes + 1)
    event = client.get("/v1/events/acled-irn10003").get_json()
    assert event["summary"] == "Protesters gathered in Tehran during the whole month."
    history = client.get("/v1/events/acled-irn10003/revisions").get_json()["data"]
    assert [entry["op"] for entry in history] == ["created", "updated"]


# A bad value in each format, the line it is on, and the column the problem must name.
BAD_ROWS = [
    ("acled", "acled.csv", ("48.5956", "95.5"), 2, "latitude"),
    ("acled", "acled.csv", ("23 February 2022", "31 February 2022"), 3, "event_date"),
    ("acled", "acled.csv", ("Protests,Peaceful", "Parades,Peaceful"), 4, "event_type"),
    ("acled", "acled.csv", (",2022-11-15,2022,3,", ",2022-11-15,2022,4,"), 4, "time_precision"),
    ("ucdp-ged", "ucdp-ged.csv", ("2022-03-10 00:00:00.000,0", "2022-02-10 00:00:00.000,0"), 3,
     "date_end"),
    ("ucdp-ged", "ucdp-ged.csv", (",Europe,2,4,", ",Europe,3,4,"), 3, "event_clarity"),
    ("ftm", "ftm.ndjson", ('"date": ["2023"]', '"date": ["2023-13"]'), 6, "listingDate"),
    ("ftm", "ftm.ndjson", ('"schema": "Company"', '"schema": "Address"'), 4, "entity"),
]  # fmt: skip


@pytest.mark.parametrize(("file_format", "name", "edit", "line", "column"), BAD_ROWS)
def test_a_bad_row_fails_the_import_naming_its_line_and_column(
    runner, seeded_app, tmp_path, file_format, name, edit, line, column
):
    text = (SAMPLES / name).read_text()
    assert edit[0] in text
    path = tmp_path / name
    path.write_text(text.replace(edit[0], edit[1], 1))
    before = _counts()
    result = _import(runner, file_format, path)
    assert result.exit_code == 1
    assert f"{path}:{line}: {column}" in result.output, result.output
    assert "nothing was written" in result.output
    assert _counts() == before


def test_skip_invalid_imports_the_good_rows_and_writes_the_bad_ones_with_reasons(
    runner, client, tmp_path
):
    path = tmp_path / "acled.csv"
    path.write_text(_sample("acled").read_text().replace("48.5956", "95.5"))
    rejects = tmp_path / "rejected.ndjson"
    result = _import(runner, "acled", path, "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 0, result.output
    assert "events: 3 created" in result.output
    assert "rows: 4 read, 1 rejected" in result.output
    [rejected] = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert rejected["where"] == f"{path}:2"
    assert rejected["row"]["event_id_cnty"] == "UKR10001"
    assert rejected["problems"][0]["field"] == "latitude (place.latitude)"
    assert client.get("/v1/events/acled-ukr10001").status_code == 404
    assert client.get("/v1/events/acled-ukr10002").status_code == 200


@pytest.mark.parametrize("file_format", SAMPLE_FILES)
def test_a_dry_run_counts_what_it_would_write_and_writes_nothing(runner, seeded_app, file_format):
    before = _counts()
    result = _import(runner, file_format, _sample(file_format), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was written" in result.output
    assert "events: 0 created" not in result.output
    assert _counts() == before


def test_a_mapping_file_sends_names_to_stored_actors_and_types_to_ours(runner, client, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "event_types:\n  Strategic developments / Agreement: arms_deal\n"
        "actors:\n  Military Forces of Russia (2000-): russia\n"
    )
    result = _import(runner, "acled", _sample("acled"), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    event = client.get("/v1/events/acled-ukr10001").get_json()
    assert {"id": "russia", "name": "Russia", "role": "participant"} in event["actors"]
    assert client.get("/v1/events/acled-syr10004").get_json()["type"] == "arms_deal"
    assert client.get("/v1/actors/military-forces-of-russia-2000").status_code == 404


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("actors:\n  Someone: no-such-actor\n", "actors.Someone: no actor 'no-such-actor'"),
        ("event_types:\n  Battles: skirmish\n", "event_types"),
        ("- a list\n", "mapping of tables"),
    ],
)
def test_a_wrong_mapping_file_is_refused(runner, seeded_app, tmp_path, text, message):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text)
    before = _counts()
    result = _import(runner, "acled", _sample("acled"), "--mapping", str(mapping))
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert _counts() == before


def test_imported_actors_are_made_once_per_name_and_found_again_by_alias(runner, client):
    assert _import(runner, "acled", _sample("acled")).exit_code == 0
    actor = client.get("/v1/actors/military-forces-of-russia-2000").get_json()
    assert actor["aliases"] == ["Military Forces of Russia (2000-)"]
    events = client.get("/v1/events?actor=military-forces-of-russia-2000").get_json()["data"]
    assert sorted(event["id"] for event in events) == ["acled-ukr10001", "acled-ukr10002"]


def test_imported_events_are_found_by_date_country_box_and_dataset(runner, client):
    for file_format in SAMPLE_FILES:
        assert _import(runner, file_format, _sample(file_format)).exit_code == 0

    def ids(query: str) -> list[str]:
        return sorted(e["id"] for e in client.get(f"/v1/events?{query}").get_json()["data"])

    assert ids("origin=acled&from=2022-02-01&to=2022-02-28") == ["acled-ukr10002"]
    assert ids("origin=ucdp-ged&country=UA") == ["ucdp-ged-400001", "ucdp-ged-400002"]
    assert ids("origin=acled,ucdp-ged&bbox=37,47,39,49") == ["acled-ukr10001", "ucdp-ged-400002"]
    assert len(ids("origin=ftm")) == 4
    collection = client.get("/v1/events?format=geojson&origin=ucdp-ged").get_json()
    points = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in collection["features"]}
    assert points["ucdp-ged-400002"] == [37.5434, 47.0971]


def test_a_sanction_whose_entity_is_missing_is_a_problem_at_its_line(runner, seeded_app, tmp_path):
    path = tmp_path / "ftm.ndjson"
    path.write_text(
        "\n".join(
            line
            for line in _sample("ftm").read_text().splitlines()
            if '"id": "ofac-person-1"' not in line
        )
        + "\n"
    )
    result = _import(runner, "ftm", path)
    assert result.exit_code == 1
    assert f"{path}:1: entity: the entity 'ofac-person-1' is not in the file" in result.output
    assert f"{path}:5: entity" in result.output
    assert result.output.index(f"{path}:1:") < result.output.index(f"{path}:5:")


def test_a_row_repeated_in_a_later_chunk_is_a_problem_naming_the_first(seeded_app, tmp_path):
    lines = _sample("acled").read_text().splitlines(keepends=True)
    with database.connection_context():
        with pytest.raises(InvalidRecords, match=r"is also repeated\.csv:2"):
            run_import(
                "acled",
                [*lines, lines[1]],
                "repeated.csv",
                utc_now(),
                IMPORT_AUTHOR,
                options=ImportOptions(chunk_rows=2),
            )
        assert Event.select().where(Event.id.startswith("acled-")).count() == 0


def test_standard_input_is_read_with_dash(runner, seeded_app):
    result = runner.invoke(
        cli, ["import", "--format", "ucdp-ged", "-"], input=_sample("ucdp-ged").read_text()
    )
    assert result.exit_code == 0, result.output
    assert "events: 3 created" in result.output


# Odd values in one ACLED row (the sample's line 2): each is a problem at that line, or a
# record made all the same, never a traceback.
ODD_VALUES = [
    ("Military Forces of Russia (2000-),Wagner", "X" * 400 + ",Wagner", "actor1 (actors)"),
    (",Wagner Group,", ",Wagner\x01Group,", None),
    (",Wagner Group,", ",Wagner\x00Group,", "actor1 (actors)"),
]


@pytest.mark.parametrize(("old", "new", "column"), ODD_VALUES)
def test_an_odd_actor_name_is_a_problem_at_its_line_or_an_actor(
    runner, seeded_app, tmp_path, old, new, column
):
    path = tmp_path / "acled.csv"
    path.write_text(_sample("acled").read_text().replace(old, new, 1))
    result = _import(runner, "acled", path)
    if column is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert f"{path}:2: {column}:" in result.output, result.output


def test_publishers_and_ids_that_do_not_slugify_get_ids_of_their_own(runner, client, tmp_path):
    long_id = "UKR" + "9" * 150
    path = tmp_path / "acled.csv"
    text = _sample("acled").read_text()
    text = text.replace("UKR10001", long_id).replace("UKR10002", long_id + "1")
    path.write_text(text.replace(",Reuters,", ",Українська правда,"))
    result = _import(runner, "acled", path)
    assert result.exit_code == 0, result.output
    ids = [e["id"] for e in client.get("/v1/events?origin=acled&limit=10").get_json()["data"]]
    assert len(set(ids)) == 4
    assert all(len(event_id) <= 120 for event_id in ids)
    shelling = next(
        e
        for e in client.get("/v1/events?origin=acled").get_json()["data"]
        if e["type"] == "attack"
    )
    assert shelling["origin"]["id"] == long_id + "1"
    [citation] = shelling["sources"]
    assert citation["publisher"] == "Українська правда"
    assert citation["id"].startswith("acled-source-")
    assert citation["via"] == "acled"


def test_a_name_that_is_another_new_actors_id_stays_its_own_actor(runner, client, tmp_path):
    path = tmp_path / "acled.csv"
    text = _sample("acled").read_text()
    text = text.replace("Protesters (Iran)", "Foo Bar").replace("Rebel Group", "foo-bar")
    path.write_text(text)
    result = _import(runner, "acled", path)
    assert result.exit_code == 0, result.output
    first = client.get("/v1/actors/foo-bar").get_json()
    second = client.get("/v1/actors/foo-bar-2").get_json()
    assert (first["name"], second["name"]) == ("Foo Bar", "foo-bar")
    assert "foo-bar" not in [alias.casefold() for alias in second["aliases"]]


def test_a_row_on_several_lines_is_named_by_its_first_and_broken_csv_is_refused(
    runner, seeded_app, tmp_path
):
    text = _sample("acled").read_text()
    multiline = tmp_path / "multiline.csv"
    notes = "Protesters gathered in Tehran during the month."
    multiline.write_text(
        text.replace(notes, '"Protesters\ngathered\nin Tehran."').replace("35.6944", "135.6")
    )
    result = _import(runner, "acled", multiline)
    assert result.exit_code == 1
    assert f"{multiline}:4: latitude" in result.output, result.output
    broken = tmp_path / "broken.csv"
    broken.write_text(text.replace(",Bakhmut,", ',"Bakhmut,') + "x" * 140_000 + "\n")
    result = _import(runner, "acled", broken)
    assert result.exit_code == 1
    assert "not CSV" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("file_format", sorted(SAMPLE_FILES))
def test_an_import_of_many_chunks_writes_what_one_chunk_does(seeded_app, file_format):
    # A chunk a row: a second process loads each next chunk while this one writes, and the
    # rollup changes are gathered across chunks. A second import, in one chunk, must then
    # find every record unchanged, and every derived table must equal a rebuild.
    lines = _sample(file_format).read_text().splitlines(keepends=True)
    with database.connection_context():
        chunked = run_import(
            file_format, lines, "sample", utc_now(), IMPORT_AUTHOR,
            options=ImportOptions(chunk_rows=1),
        )  # fmt: skip
        assert chunked.counts["events"]["created"] > 1
        assert list(differences()) == []
        whole = run_import(file_format, lines, "sample", utc_now(), IMPORT_AUTHOR)
    assert whole.counts["events"] == Counter(unchanged=chunked.counts["events"]["created"])
