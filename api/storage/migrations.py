"""The database schema: tables, indexes, columns added to older tables, the search table."""

from playhouse.migrate import SchemaMigrator, migrate

from api.storage.connection import database, is_sqlite
from api.storage.models import ALL_MODELS
from api.storage.rollups import ROLLUPS
from api.storage.search_index import create_search_table

# Tables an older version made and nothing reads any more.
RETIRED_TABLES = ("event_month_rollup", "event_search")
# Single-column indexes an older version made, each the prefix of a composite index now.
RETIRED_INDEXES = (
    "event_actor_event_id",
    "event_actor_actor_id",
    "event_source_event_id",
    "event_tag_event_id",
    "event_relation_event_id",
)


def _add_missing_columns() -> list[str]:
    """Add the columns a newer version declares to tables an older one created."""
    migrator = SchemaMigrator.from_database(database.obj)
    added, operations = [], []
    for model in ALL_MODELS:
        table = model._meta.table_name
        present = {column.name for column in database.get_columns(table)}
        for field in model._meta.sorted_fields:
            if field.column_name not in present:
                operations.append(migrator.add_column(table, field.column_name, field))
                added.append(f"{table}.{field.column_name}")
    if operations:
        migrate(*operations)
    return added


def create_schema() -> list[str]:
    """Create every table, index and column that does not exist yet; switch SQLite to WAL.

    Returns the columns it had to add to existing tables. The search index table is created
    too; filling what is derived is `api.writes.derived.complete`'s work.
    """
    with database.connection_context():
        if is_sqlite():
            # WAL persists in the file, so it is set once here and not on every connection.
            database.execute_sql("PRAGMA journal_mode=wal")
            # SQLite adds a NOT NULL column by rebuilding the table, which foreign keys
            # pointing at it would refuse; the check below proves nothing was broken.
            database.execute_sql("PRAGMA foreign_keys=OFF")
        # On SQLite a rollup's cells live in key order, so a range of months reads in one
        # pass without a lookup per cell; peewee would write the clause for PostgreSQL too.
        for rollup in ROLLUPS:
            rollup._meta.without_rowid = is_sqlite()
        with database.atomic():
            database.create_tables(ALL_MODELS, safe=True)
            for index in RETIRED_INDEXES:
                database.execute_sql(f"DROP INDEX IF EXISTS {index}")
            for table in RETIRED_TABLES:
                database.execute_sql(f"DROP TABLE IF EXISTS {table}")
            added = _add_missing_columns()
            # Partial, so it holds only the few citations read second-hand; made here because
            # an older table gains the column only in the line above.
            database.execute_sql(
                "CREATE INDEX IF NOT EXISTS event_source_via_id ON event_source (via_id) "
                "WHERE via_id IS NOT NULL"
            )
            # Partial too: most events have no place and no origin.
            for column in ("place_country", "place_longitude", "origin_dataset"):
                database.execute_sql(
                    f"CREATE INDEX IF NOT EXISTS event_{column} ON event ({column}) "
                    f"WHERE {column} IS NOT NULL"
                )
            create_search_table()
            if (
                added
                and is_sqlite()
                and database.execute_sql("PRAGMA foreign_key_check").fetchall()
            ):
                raise RuntimeError("adding columns broke a foreign key; nothing was changed")
        if is_sqlite():
            database.execute_sql("PRAGMA foreign_keys=ON")
    return added
