"""The search index of events: FTS5 on SQLite, a weighted tsvector on PostgreSQL.

A row holds an event's searchable words, folded, by column: title, summary, actors (names
and aliases) and tags. `api.writes.derived` derives them and keeps the rows current.
"""

import functools
from collections.abc import Iterable

from peewee import SQL, Column, DatabaseError, Expression, NodeList, Table, chunked, fn

from api.domain.search_syntax import SearchQuery, fts5_match, tsquery
from api.storage.connection import database, is_postgresql
from api.storage.models import Event

TABLE = "event_search_index"
# On SQLite an index row's rowid is its event's rowid: matches are joined by rowid, read
# from FTS5's doclists alone, instead of by event_id, which FTS5 reads from its content
# (ten times slower for a common word at a million events, measured in bench/).
_CHUNK = 500
_WEIGHTS = {"title": "A", "actors": "B", "tags": "B", "summary": "C"}
# bm25 weights of the FTS5 columns (event_id, title, summary, actors, tags).
_BM25 = f"bm25({TABLE}, 0.0, 10.0, 1.0, 4.0, 4.0)"


COLUMNS = ("title", "summary", "actors", "tags")
_WEIGHTED_DOCUMENT = " || ".join(
    f"setweight(to_tsvector('simple', %s), '{_WEIGHTS[c]}')" for c in COLUMNS
)


def create_search_table() -> None:
    """Create the index table (and its GIN index on PostgreSQL) if missing."""
    if is_postgresql():
        database.execute_sql(
            f"CREATE TABLE IF NOT EXISTS {TABLE} "
            "(event_id VARCHAR(200) PRIMARY KEY, document TSVECTOR NOT NULL)"
        )
        database.execute_sql(
            f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} USING GIN (document)"
        )
    else:
        database.execute_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
            "event_id UNINDEXED, title, summary, actors, tags)"
        )


def drop_search_table() -> None:
    """Drop the index table."""
    database.execute_sql(f"DROP TABLE IF EXISTS {TABLE}")


def delete_rows(event_ids: Iterable[str]) -> None:
    """Remove the index rows of these events."""
    for chunk in chunked(sorted(set(event_ids)), _CHUNK):
        placeholders = ", ".join([database.param] * len(chunk))
        if is_postgresql():
            where = f"event_id IN ({placeholders})"
        else:
            where = f"rowid IN (SELECT rowid FROM event WHERE id IN ({placeholders}))"
        database.execute_sql(f"DELETE FROM {TABLE} WHERE {where}", chunk)


def delete_all() -> None:
    """Empty the index."""
    database.execute_sql(f"DELETE FROM {TABLE}")


def insert_rows(rows: list[tuple[str, ...]]) -> None:
    """Add `(event_id, title, summary, actors, tags)` rows of folded words to the index."""
    if not rows:
        return
    cursor = database.cursor()
    if is_postgresql():
        from psycopg2.extras import execute_values  # noqa: PLC0415 - only with PostgreSQL

        execute_values(
            cursor,
            f"INSERT INTO {TABLE} (event_id, document) VALUES %s",
            rows,
            template=f"(%s, {_WEIGHTED_DOCUMENT})",
            page_size=2000,
        )
    else:
        cursor.executemany(
            f"INSERT INTO {TABLE} (rowid, event_id, {', '.join(COLUMNS)}) "
            "VALUES ((SELECT rowid FROM event WHERE id = ?), ?, ?, ?, ?, ?)",
            [(row[0], *row) for row in rows],
        )


def stored_rows(event_ids: list[str]) -> dict[str, object]:
    """Return the index rows of these events as stored, by event id, to compare."""
    placeholders = ", ".join([database.param] * len(event_ids))
    if is_postgresql():
        sql = f"SELECT event_id, document::text FROM {TABLE} WHERE event_id IN ({placeholders})"
        return dict(database.execute_sql(sql, event_ids).fetchall())
    sql = (
        f"SELECT event_id, {', '.join(COLUMNS)} FROM {TABLE} "
        f"WHERE rowid IN (SELECT rowid FROM event WHERE id IN ({placeholders}))"
    )
    return {row[0]: tuple(row[1:]) for row in database.execute_sql(sql, event_ids)}


def as_stored(rows: list[tuple[str, ...]]) -> dict[str, object]:
    """Return `(event_id, title, summary, actors, tags)` rows as the index would store them."""
    if not rows:
        return {}
    if not is_postgresql():
        return {row[0]: tuple(row[1:]) for row in rows}
    from psycopg2.extras import execute_values  # noqa: PLC0415 - only with PostgreSQL

    weighted = _WEIGHTED_DOCUMENT.replace("%s", "{}").format(*(f"v.{c}" for c in COLUMNS))
    found = execute_values(
        database.cursor(),
        f"SELECT v.event_id, ({weighted})::text FROM (VALUES %s) "
        f"AS v(event_id, {', '.join(COLUMNS)})",
        rows,
        fetch=True,
    )
    return dict(found)


def orphan_rows() -> list[tuple[object, str]]:
    """Return the `(row key, event id)` of index rows that belong to no live event."""
    if is_postgresql():
        key, same_row = "i.event_id", "e.id = i.event_id"
    else:
        key, same_row = "i.rowid", "e.rowid = i.rowid AND e.id = i.event_id"
    sql = (
        f"SELECT {key}, i.event_id FROM {TABLE} i WHERE NOT EXISTS "
        f"(SELECT 1 FROM event e WHERE {same_row} AND e.deleted_at IS NULL)"
    )
    return [tuple(row) for row in database.execute_sql(sql)]


def delete_row_keys(keys: list[object]) -> None:
    """Remove index rows by the keys `orphan_rows` gives."""
    column = "event_id" if is_postgresql() else "rowid"
    for chunk in chunked(keys, _CHUNK):
        placeholders = ", ".join([database.param] * len(chunk))
        database.execute_sql(f"DELETE FROM {TABLE} WHERE {column} IN ({placeholders})", chunk)


def integrity_problems() -> list[str]:
    """Run FTS5's own integrity check on SQLite; return what it finds wrong."""
    if is_postgresql():
        return []
    try:
        database.execute_sql(f"INSERT INTO {TABLE}({TABLE}) VALUES ('integrity-check')")
    except DatabaseError as error:
        return [f"{TABLE}: {error}"]
    return []


def indexed_count() -> int:
    """Return how many events the index holds."""
    return database.execute_sql(f"SELECT COUNT(*) FROM {TABLE}").fetchone()[0]


def _index_condition_score(query: SearchQuery):
    """Return the index table, its match condition, its score, its event key and the event's."""
    if is_postgresql():
        index = Table(TABLE, ("event_id", "document"))
        wanted = fn.to_tsquery("simple", tsquery(query))
        condition = Expression(index.document, "@@", wanted)
        # float8: a float4 rank read back into a cursor would not compare equal to itself.
        score = fn.ts_rank_cd(index.document, wanted).cast("float8")
        return index, condition, score, index.event_id, Event.id
    index = Table(TABLE, ("rowid",))
    # bm25 is lower for better matches: negated, higher is better on both databases.
    condition = SQL(f"{TABLE} MATCH ?", [fts5_match(query)])
    return index, condition, SQL(f"-{_BM25}"), index.rowid, Column(Event, "rowid")


# Above this many matches, reading events in date order and keeping the matching ones is
# cheaper than looking each match up and sorting them all (SQLite's planner cannot tell).
COMMON_MATCHES = 2000


@functools.lru_cache(maxsize=256)
def _is_common(match: str) -> bool:
    # Cached: the answer only picks a plan, never changes a result.
    found = database.execute_sql(
        f"SELECT COUNT(*) FROM (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? LIMIT ?)",
        (match, COMMON_MATCHES + 1),
    ).fetchone()[0]
    return found > COMMON_MATCHES


def matching_condition(query: SearchQuery) -> Expression:
    """Return the condition on `event` that it matches a search."""
    index, condition, _, key, event_key = _index_condition_score(query)
    if not is_postgresql() and _is_common(fts5_match(query)):
        # Unary + keeps SQLite from driving the read by rowid: the date index drives it.
        event_key = NodeList((SQL("+"), event_key), glue="")
    return event_key.in_(index.select(key).where(condition))


def scored_matches(query: SearchQuery):
    """Return the matches with their `score` (higher is better) and how they join `event`."""
    index, condition, score, key, event_key = _index_condition_score(query)
    found = index.select(key.alias("event_key"), score.alias("score")).where(condition)
    found = found.alias("scored")
    return found, event_key == found.c.event_key
