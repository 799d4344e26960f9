"""Whole copies of an in-memory SQLite test database, made and put back with sqlite3's backup
API in milliseconds. The starter content is then loaded once per test process, not once per
test module; each module still starts from, and leaves behind, the migrated empty database.
On PostgreSQL (which only runs the tests marked both_databases) nothing is copied."""

import sqlite3

_copies: dict[str, sqlite3.Connection] = {}


def usable(connection) -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def save(connection, name: str) -> None:
    connection.ensure_connection()
    copy = sqlite3.connect(":memory:")
    connection.connection.backup(copy)
    _copies[name] = copy


def restore(connection, name: str) -> bool:
    """Put the copy back; False when there is none yet."""
    copy = _copies.get(name)
    if copy is None:
        return False
    connection.ensure_connection()
    copy.backup(connection.connection)
    return True


def has(name: str) -> bool:
    return name in _copies
