"""The DuckDB database file: schema migrations, connections and the single-writer lock."""
