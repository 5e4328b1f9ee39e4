"""The database schema: tables, indexes, added columns and the search index."""

from playhouse.migrate import SchemaMigrator, migrate

from api.database import database, is_sqlite
from api.models import ALL_MODELS, Event
from api.search_index import create_search_table, indexed_count, reindex_all


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

    Returns the columns it had to add to existing tables. The search index is created too,
    and rebuilt when it does not hold exactly the live events.
    """
    with database.connection_context():
        if is_sqlite():
            # WAL persists in the file, so it is set once here and not on every connection.
            database.execute_sql("PRAGMA journal_mode=wal")
            # SQLite adds a NOT NULL column by rebuilding the table, which foreign keys
            # pointing at it would refuse; the check below proves nothing was broken.
            database.execute_sql("PRAGMA foreign_keys=OFF")
        with database.atomic():
            database.create_tables(ALL_MODELS, safe=True)
            added = _add_missing_columns()
            create_search_table()
            if indexed_count() != Event.select().where(Event.deleted_at.is_null()).count():
                reindex_all()
            if is_sqlite() and database.execute_sql("PRAGMA foreign_key_check").fetchall():
                raise RuntimeError("adding columns broke a foreign key; nothing was changed")
        if is_sqlite():
            database.execute_sql("PRAGMA foreign_keys=ON")
    return added
