"""FollowTheMoney entities as OpenSanctions publishes them: one JSON entity a line.

Each `Sanction` entity becomes a sanctions announcement (and, when it has an `endDate`, the
curb's expiry); the entity it designates becomes its target, with its names and aliases. See
https://followthemoney.tech/explorer/schemata/Sanction/.
"""

import json
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from api.storage.bulk import bulk_insert
from api.storage.connection import database, is_postgresql
from api.writes.upstream.rows import (
    Dataset,
    UpstreamRecords,
    UpstreamRow,
    title_of,
    upstream_id,
)

FTM = Dataset(
    name="opensanctions",
    publisher="OpenSanctions",
    title="OpenSanctions data in FollowTheMoney form",
    url="https://www.opensanctions.org/",
)

# The entities a sanction can designate, and the kind of actor each becomes.
TARGET_KINDS = {
    "Person": "person",
    "Organization": "organization",
    "Company": "organization",
    "LegalEntity": "organization",
    "Vessel": "organization",
    "Airplane": "organization",
}
_DATE_PROPERTIES = ("listingDate", "startDate", "date")
_USED = {"entity", "authority", "sourceUrl"}
COLUMNS = {
    "id": "id",
    "origin.id": "id",
    "title": "authority",
    "summary": "reason",
    "date": "listingDate",
    "actors": "entity",
    "sources": "sourceUrl",
    "origin.fields": "properties",
}
_EXPIRY_COLUMNS = {**COLUMNS, "date": "endDate"}


class _Spool:
    """The file's sanctions and entity names, in temporary tables: memory stays flat.

    A sanction may come before the entity it designates, so sanctions are read after the
    whole file, in line order, a batch at a time, each with its entity's names.
    """

    BATCH = 2000

    def __init__(self) -> None:
        for table, columns in (
            ("import_ftm_entity", "id TEXT PRIMARY KEY, body TEXT NOT NULL"),
            ("import_ftm_sanction", "line INTEGER PRIMARY KEY, body TEXT NOT NULL"),
        ):
            database.execute_sql(f"DROP TABLE IF EXISTS {table}")
            database.execute_sql(f"CREATE TEMPORARY TABLE {table} ({columns})")
        self._entities: dict[str, str] = {}
        self._sanctions: list[tuple[int, str]] = []

    def entity(self, entity_id: str, names: tuple) -> None:
        """Keep an entity's names (the first entity of an id wins)."""
        self._entities.setdefault(entity_id, json.dumps(names))
        if len(self._entities) >= self.BATCH:
            self.flush()

    def sanction(self, line: int, entity: dict) -> None:
        """Keep a sanction, to be read once the file has been."""
        self._sanctions.append((line, json.dumps(entity)))
        if len(self._sanctions) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Write what is kept in memory to the tables."""
        mark = "%s" if is_postgresql() else "?"
        cursor = database.cursor()
        cursor.executemany(
            f"INSERT INTO import_ftm_entity (id, body) VALUES ({mark}, {mark}) "  # noqa: S608
            "ON CONFLICT (id) DO NOTHING",
            list(self._entities.items()),
        )
        bulk_insert("import_ftm_sanction", ("line", "body"), self._sanctions)
        self._entities.clear()
        self._sanctions.clear()

    def sanctions(self) -> Iterator[tuple[int, dict, tuple | None]]:
        """Yield each sanction's line, entity and its target's names (None: not in the file)."""
        self.flush()
        mark, after = ("%s" if is_postgresql() else "?"), 0
        while True:
            batch = database.execute_sql(
                "SELECT line, body FROM import_ftm_sanction WHERE line > "  # noqa: S608
                f"{mark} ORDER BY line LIMIT {self.BATCH}",
                (after,),
            ).fetchall()
            if not batch:
                return
            sanctions = [(line, json.loads(body)) for line, body in batch]
            targets = {_first(entity["properties"], "entity") for _, entity in sanctions}
            marks = ", ".join([mark] * len(targets))
            names = dict(
                database.execute_sql(
                    f"SELECT id, body FROM import_ftm_entity WHERE id IN ({marks})",  # noqa: S608
                    sorted(targets),
                ).fetchall()
            )
            for line, entity in sanctions:
                found = names.get(_first(entity["properties"], "entity"))
                yield line, entity, None if found is None else tuple(json.loads(found))
            after = batch[-1][0]


def read_ftm(
    lines: Iterable[str], name: str, records: UpstreamRecords, _mapping: dict
) -> Iterator[UpstreamRow]:
    """Read FtM JSON lines: each Sanction into events, the other entities for their names.

    Lines that are not entities are problems as they come; sanctions are read at the end of
    the file (see `_Spool`), and one whose entity is not in the file is a problem at its line.
    """
    spool = _Spool()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            entity = json.loads(line)
            entity_id, schema = str(entity["id"]), str(entity["schema"])
            properties = entity.get("properties") or {}
            if not isinstance(properties, dict):
                raise TypeError("properties must be an object")
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            row = UpstreamRow(where, number, {"line": line.rstrip("\n")[:2000]}, columns=COLUMNS)
            row.problem("", f"not an FtM entity ({type(error).__name__}: {error})")
            yield row
            continue
        if schema == "Sanction":
            spool.sanction(number, {**entity, "properties": properties})
            continue
        names = _values(properties, "name")
        if names:
            aliases = [n for n in _values(properties, "alias") if n not in names[1:]]
            spool.entity(entity_id, (names[0], names[1:] + aliases, schema))
    for number, entity, target in spool.sanctions():
        row = UpstreamRow(f"{name}:{number}", number, entity, columns=COLUMNS)
        wanted = _first(entity["properties"], "entity")
        if wanted is None:
            row.problem("entity", "a Sanction names the entity it designates")
        elif target is None:
            row.problem("entity", f"the entity {wanted!r} is not in the file")
        else:
            _sanction(row, records, target)
        yield row


def _values(properties: dict, name: str) -> list[str]:
    values = properties.get(name) or []
    if isinstance(values, str):
        values = [values]
    return [" ".join(str(v).split()) for v in values if str(v).strip()]


def _first(properties: dict, name: str) -> str | None:
    values = _values(properties, name)
    return values[0] if values else None


def _sanction(row: UpstreamRow, records: UpstreamRecords, target: tuple) -> UpstreamRow:
    sanction_id, properties = str(row.raw["id"]), row.raw.get("properties") or {}
    name, aliases, schema = target
    kind = TARGET_KINDS.get(schema)
    if kind is None:
        row.problem("entity", f"designates a {schema}, not one of {', '.join(TARGET_KINDS)}")
        return row
    entity_id = _first(properties, "entity")
    target_id = records.keyed_actor(upstream_id("ftm", entity_id), name, kind, aliases)
    authority = _first(properties, "authority")
    authority_id = records.actor(authority, "agency") if authority else None
    program, reason = _first(properties, "program"), _first(properties, "reason")
    title = title_of(authority or "Sanctions", "sanctions" if authority else "on", name)
    summary = title_of(
        f"{authority or 'An authority'} lists {name}",
        f"under {program}." if program else ".",
        f"Reason: {reason}" if reason else "",
    ).replace(" .", ".")
    sources = _sources(records, properties, program, authority)
    fields = {
        key: "; ".join(_values(properties, key))
        for key in sorted(properties)
        if key not in _USED and _values(properties, key)
    }
    origin = {"dataset": "ftm", "id": sanction_id, "fields": fields}
    announced = {
        "id": upstream_id("ftm", sanction_id),
        "title": title,
        "summary": summary,
        "type": "sanctions_announcement",
        "date": _date(properties, _DATE_PROPERTIES),
        "status": "reported",
        "actors": [{"id": target_id, "role": "target"}]
        + ([{"id": authority_id, "role": "initiator"}] if authority_id else []),
        "sources": sources,
        "origin": origin,
    }
    if announced["date"] is None:
        row.problem("listingDate", "a Sanction needs a listingDate, startDate or date")
        return row
    row.events.append(announced)
    ended = _date(properties, ("endDate",))
    if ended:
        row.events.append(
            {
                **announced,
                "id": f"{announced['id']}-end",
                "title": title_of(authority or "A", "sanction on", name, "ends"),
                "summary": title_of(
                    f"The listing of {name}", f"under {program}" if program else "", "ends."
                ),
                "type": "curb_expiry",
                "date": ended,
                "actors": [{"id": target_id, "role": "target"}]
                + ([{"id": authority_id, "role": "mentioned"}] if authority_id else []),
                "related": [{"id": announced["id"], "relation": "follows"}],
            }
        )
    return row


def _date(properties: dict, names: Iterable[str]) -> str | None:
    """Return the earliest value of the first of these date properties, as precise as it is."""
    for name in names:
        values = _values(properties, name)
        if values:
            return min(value[:10] for value in values)
    return None


def _sources(records: UpstreamRecords, properties: dict, program, authority) -> list[dict]:
    urls = [
        url for url in _values(properties, "sourceUrl") if url.startswith(("http://", "https://"))
    ]
    if not urls:
        return [{"id": records.dataset_source, "quote": None, "via": None}]
    title = title_of(program or "Sanctions list", f"({authority})" if authority else "")
    cited = []
    for url in urls[:20]:
        source_id = records.page(url[:2000], urlsplit(url).hostname or url, title)
        if all(c["id"] != source_id for c in cited):
            cited.append({"id": source_id, "quote": None, "via": records.dataset_source})
    return cited
