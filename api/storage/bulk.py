"""Bulk inserts of ready rows: executemany on SQLite, execute_values on PostgreSQL."""

from api.storage.connection import database, is_postgresql


def bulk_insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows (tuples in `columns` order, values as stored) into a table."""
    if not rows:
        return
    names = ", ".join(columns)
    cursor = database.cursor()
    if is_postgresql():
        from psycopg2.extras import execute_values  # noqa: PLC0415 - only with PostgreSQL

        execute_values(cursor, f"INSERT INTO {table} ({names}) VALUES %s", rows, page_size=2000)
    else:
        marks = ", ".join("?" * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def bulk_add(table: str, key: tuple[str, ...], counter: str, rows: list[tuple]) -> None:
    """Add to `counter` of the rows with these keys, inserting the keys not there yet.

    `rows` are tuples of the key's values, as stored, then the amount to add.
    """
    if not rows:
        return
    names = ", ".join((*key, counter))
    added = f"{counter} = {table}.{counter} + excluded.{counter}"
    conflict = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {added}"
    cursor = database.cursor()
    if is_postgresql():
        from psycopg2.extras import execute_values  # noqa: PLC0415 - only with PostgreSQL

        sql = f"INSERT INTO {table} ({names}) VALUES %s {conflict}"
        execute_values(cursor, sql, rows, page_size=2000)
    else:
        marks = ", ".join("?" * (len(key) + 1))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) {conflict}", rows)


def bulk_update(table: str, columns: tuple[str, ...], key: str, rows: list[tuple]) -> None:
    """Set `columns` of the rows whose `key` is given: tuples of the values, then the key."""
    if not rows:
        return
    assignments = ", ".join(f"{column} = %s" for column in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"
    cursor = database.cursor()
    cursor.executemany(sql if is_postgresql() else sql.replace("%s", "?"), rows)


def insert_records(model, rows: list[dict]) -> None:
    """Insert rows of a model given as `{field name: value}` (each with the same names).

    Values are converted as peewee converts them (`db_value`), then inserted in bulk, without
    building one statement a row.
    """
    if not rows:
        return
    names = tuple(rows[0])
    fields = [model._meta.fields[name] for name in names]
    values = [
        tuple(f.db_value(row[n]) for f, n in zip(fields, names, strict=True)) for row in rows
    ]
    bulk_insert(model._meta.table_name, tuple(f.column_name for f in fields), values)
