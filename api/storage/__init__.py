"""Storage: the connection, tables, migrations and derived tables. No web framework here."""
