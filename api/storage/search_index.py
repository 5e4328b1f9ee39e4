"""The search index of events: FTS5 on SQLite, a weighted tsvector on PostgreSQL.

Every write that changes what an event shows (its own fields, its actors' names and aliases,
its tags) rewrites the event's row here, in the same transaction.
"""

import functools
from collections import defaultdict
from collections.abc import Iterable

from peewee import SQL, Column, Expression, NodeList, Table, chunked, fn

from api.domain.search_syntax import SearchQuery, fts5_match, tsquery, words_of
from api.storage.connection import database, is_postgresql
from api.storage.models import Actor, ActorAlias, Event, EventActor, EventTag

TABLE = "event_search_index"
# On SQLite an index row's rowid is its event's rowid: matches are joined by rowid, read
# from FTS5's doclists alone, instead of by event_id, which FTS5 reads from its content
# (ten times slower for a common word at a million events, measured in bench/).
_CHUNK = 500
_WEIGHTS = {"title": "A", "actors": "B", "tags": "B", "summary": "C"}
# bm25 weights of the FTS5 columns (event_id, title, summary, actors, tags).
_BM25 = f"bm25({TABLE}, 0.0, 10.0, 1.0, 4.0, 4.0)"


_COLUMNS = ("title", "summary", "actors", "tags")
_WEIGHTED_DOCUMENT = " || ".join(
    f"setweight(to_tsvector('simple', %s), '{_WEIGHTS[c]}')" for c in _COLUMNS
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


def _documents(event_ids: list[str]) -> dict[str, dict[str, str]]:
    """Return the folded words of each live event's searchable text, by column."""
    texts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for event_id, title, summary in (
        Event.select(Event.id, Event.title, Event.summary)
        .where(Event.id.in_(event_ids), Event.deleted_at.is_null())
        .tuples()
    ):
        texts[event_id]["title"].append(title)
        texts[event_id]["summary"].append(summary)
    names = (
        EventActor.select(EventActor.event, Actor.name, Actor.id)
        .join(Actor)
        .where(EventActor.event.in_(event_ids))
        .tuples()
    )
    actor_events: dict[str, set[str]] = defaultdict(set)
    for event_id, name, actor_id in names:
        texts[event_id]["actors"].append(name)
        actor_events[actor_id].add(event_id)
    aliases = ActorAlias.select(ActorAlias.actor, ActorAlias.alias).where(
        ActorAlias.actor.in_(list(actor_events))
    )
    for actor_id, alias in aliases.tuples():
        for event_id in actor_events[actor_id]:
            texts[event_id]["actors"].append(alias)
    tags = EventTag.select(EventTag.event, EventTag.tag).where(EventTag.event.in_(event_ids))
    for event_id, tag in tags.tuples():
        texts[event_id]["tags"].append(tag)
    return {
        event_id: {
            column: " ".join(words_of(" ".join(parts))) for column, parts in columns.items()
        }
        for event_id, columns in texts.items()
        if columns.get("title")
    }


def index_events(event_ids: Iterable[str]) -> None:
    """Rewrite the index rows of these events (removing those of deleted ones)."""
    for chunk in chunked(sorted(set(event_ids)), _CHUNK):
        placeholders = ", ".join([database.param] * len(chunk))
        if is_postgresql():
            where = f"event_id IN ({placeholders})"
        else:
            where = f"rowid IN (SELECT rowid FROM event WHERE id IN ({placeholders}))"
        database.execute_sql(f"DELETE FROM {TABLE} WHERE {where}", chunk)
        insert_documents(_documents(chunk).items())


def insert_documents(documents: Iterable[tuple[str, dict[str, str]]]) -> None:
    """Add `(event_id, {column: folded words})` rows to the index in one batch."""
    insert_rows(
        [(event_id, *(words.get(c, "") for c in _COLUMNS)) for event_id, words in documents]
    )


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
            f"INSERT INTO {TABLE} (rowid, event_id, {', '.join(_COLUMNS)}) "
            "VALUES ((SELECT rowid FROM event WHERE id = ?), ?, ?, ?, ?, ?)",
            [(row[0], *row) for row in rows],
        )


def reindex_all() -> int:
    """Rebuild the whole index from the live events; return how many it holds."""
    database.execute_sql(f"DELETE FROM {TABLE}")
    query = Event.select(Event.id).where(Event.deleted_at.is_null()).order_by(Event.id)
    ids = [row[0] for row in query.tuples()]
    index_events(ids)
    return len(ids)


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
