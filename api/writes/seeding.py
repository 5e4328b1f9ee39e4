"""Seeding: read fixture files through the API's schemas, check them, write them at once."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import yaml
from marshmallow import Schema, ValidationError

from api.domain.errors import InvalidRecords, Problem, validation_problems
from api.writes.batches import check_and_write
from api.writes.checks import Located, RecordBatch
from api.writes.journal import Author
from api.writes.kinds import KINDS

FIXTURE_SUFFIXES = (".yaml", ".yml", ".json")
# A fixture file maps each kind's plural (`actors`, `sources`, `events`) to its records.
RECORD_SCHEMAS: dict[str, Schema] = {kind.plural: kind.record_schema() for kind in KINDS}
SEED_AUTHOR = Author(token=None, via="seed")
_STRING_TAGS = {"tag:yaml.org,2002:" + name for name in ("int", "float", "bool", "timestamp")}


class FixtureLoader(yaml.SafeLoader):
    """YAML without implicit numbers, booleans or dates: `date: 2023-10` stays a string."""


FixtureLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _STRING_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def fixture_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their fixture files, in name order."""
    files = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in FIXTURE_SUFFIXES))
        elif path.is_file():
            files.append(path)
        else:
            raise InvalidRecords([Problem(str(path), "", "no such file or folder")])
    return files


def _records_in(path: Path) -> tuple[list[tuple[str, int, object]], list[Problem]]:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=FixtureLoader)  # noqa: S506
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        return [], [Problem(str(path), "", f"not valid YAML: {error}")]
    if not isinstance(document, dict) or not set(document) <= set(RECORD_SCHEMAS):
        kinds = ", ".join(RECORD_SCHEMAS)
        return [], [Problem(str(path), "", f"must be a mapping whose keys are among: {kinds}")]
    records, problems = [], []
    for kind, items in document.items():
        if not isinstance(items, list):
            problems.append(Problem(str(path), kind, "must be a list of records"))
            continue
        records.extend((kind, index, item) for index, item in enumerate(items))
    return records, problems


def read_batch(paths: Iterable[Path]) -> RecordBatch:
    """Load every record through its schema; raise InvalidRecords naming each bad record."""
    batch, problems = RecordBatch(), []
    for path in fixture_files(paths):
        records, file_problems = _records_in(path)
        problems.extend(file_problems)
        for kind, index, raw in records:
            record_id = raw.get("id") if isinstance(raw, dict) else None
            where = f"{path}: {kind}[{index}]" + (f" (id {record_id!r})" if record_id else "")
            try:
                record = RECORD_SCHEMAS[kind].load(raw)
            except ValidationError as error:
                problems.extend(validation_problems(where, error.messages))
                continue
            if not record.get("id"):
                problems.append(Problem(where, "id", "Fixture records must have an id."))
                continue
            getattr(batch, kind).append(Located(where, record))
    if problems:
        raise InvalidRecords(problems)
    return batch


def seed(paths: Iterable[Path], now: dt.datetime) -> dict[str, Counter]:
    """Check and upsert fixture files in one transaction; nothing is written on any problem."""
    return check_and_write(read_batch(paths), now, SEED_AUTHOR)
