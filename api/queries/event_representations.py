"""Events as clients read them: rows joined with their actors, sources, tags and relations."""

from collections import defaultdict

import orjson

from api.domain.origins import origin_of
from api.domain.places import place_of
from api.storage.documents import strong_etag
from api.storage.sql import iso_date, marks, run, utc_timestamp

_EVENT_SQL = (
    "SELECT id, title, summary, type, date, date_start, date_end, precision, status, note, "
    "created_at, updated_at, place_name, place_country, place_admin1, place_latitude, "
    "place_longitude, place_precision, origin_dataset, origin_id, origin_fields "
    "FROM event WHERE id IN ({})"
)
_LIVE = " AND deleted_at IS NULL"
# Every linked row of the events in one statement: (event, part, position, values...).
_LINKS_SQL = """
SELECT ea.event_id, 0, ea.position, a.id, a.name, ea.role, NULL, NULL, NULL, NULL
FROM event_actor ea JOIN actor a ON a.id = ea.actor_id WHERE ea.event_id IN ({0})
UNION ALL
SELECT es.event_id, 1, es.position, s.id, s.publisher, s.title, s.url, s.published, es.quote,
       es.via_id
FROM event_source es JOIN source s ON s.id = es.source_id WHERE es.event_id IN ({0})
UNION ALL
SELECT event_id, 2, position, tag, NULL, NULL, NULL, NULL, NULL, NULL
FROM event_tag WHERE event_id IN ({0})
UNION ALL
SELECT event_id, 3, position, related_id, relation, NULL, NULL, NULL, NULL, NULL
FROM event_relation WHERE event_id IN ({0})
ORDER BY 1, 2, 3
"""
_PARTS = ("actors", "sources", "tags", "related")
_DOCUMENT_SQL = "SELECT id, document FROM event WHERE id IN ({})"
_STORED_SQL = "SELECT revision, deleted_at, document, document_digest FROM event WHERE id = ?"


def _link(part: int, values: tuple):
    if part == 0:
        actor_id, name, role = values[:3]
        return {"id": actor_id, "name": name, "role": role}
    if part == 1:
        source_id, publisher, title, url, published, quote, via = values
        return {
            "id": source_id,
            "publisher": publisher,
            "title": title,
            "url": url,
            "published": iso_date(published),
            "quote": quote,
            "via": via,
        }
    if part == 2:
        return values[0]
    return {"id": values[0], "relation": values[1]}


def describe_events(ids: list[str], *, live_only: bool = False) -> list[dict]:
    """Return the events with these ids as GET shows them, JSON-ready, in the order given.

    Ids of no event are left out; deleted events are described like live ones, unless
    `live_only` leaves them out too.
    """
    unique = list(dict.fromkeys(ids))
    if not unique:
        return []
    sql = _EVENT_SQL.format(marks(len(unique))) + (_LIVE if live_only else "")
    rows = {row[0]: row for row in run(sql, unique)}
    links: dict[str, dict[str, list]] = defaultdict(lambda: {part: [] for part in _PARTS})
    for event_id, part, _, *values in run(_LINKS_SQL.format(marks(len(unique))), unique * 4):
        links[event_id][_PARTS[part]].append(_link(part, tuple(values)))
    return [
        {
            "id": row[0],
            "title": row[1],
            "summary": row[2],
            "type": row[3],
            "date": row[4],
            "date_start": iso_date(row[5]),
            "date_end": iso_date(row[6]),
            "precision": row[7],
            "status": row[8],
            "note": row[9],
            **links[row[0]],
            "place": place_of(row[12:18]),
            "origin": origin_of(row[18], row[19], orjson.loads(row[20]) if row[20] else None),
            "created_at": utc_timestamp(row[10]),
            "updated_at": utc_timestamp(row[11]),
        }
        for row in (rows[event_id] for event_id in unique if event_id in rows)
    ]


def event_documents(ids: list[str]) -> list[str]:
    """Return the stored JSON of the events with these ids, in the order given.

    An event written before documents were stored is described from its tables instead.
    """
    unique = list(dict.fromkeys(ids))
    if not unique:
        return []
    found = dict(run(_DOCUMENT_SQL.format(marks(len(unique))), unique))
    undocumented = [event_id for event_id, document in found.items() if document is None]
    for event in describe_events(undocumented):
        found[event["id"]] = orjson.dumps(event).decode()
    return [found[event_id] for event_id in unique if event_id in found]


def stored_document(event_id: str) -> tuple[str, str] | None:
    """Return the strong ETag and stored JSON of a live event, or None if there is none."""
    row = run(_STORED_SQL, [event_id]).fetchone()
    if row is None or row[1] is not None or row[2] is None:
        return None
    revision, _, document, digest = row
    return strong_etag(revision, digest), document
