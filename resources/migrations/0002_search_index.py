"""The full-text index behind search: PostgreSQL tsvector + GIN, or SQLite FTS5."""

from django.db import migrations

POSTGRES_FORWARD = [
    """
    ALTER TABLE resources_searchentry ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(body, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX resources_searchentry_vector ON resources_searchentry USING GIN (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS resources_searchentry_vector",
    "ALTER TABLE resources_searchentry DROP COLUMN IF EXISTS search_vector",
]
SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE resources_searchentry_fts USING fts5(
        title, summary, body,
        content='resources_searchentry', content_rowid='id',
        tokenize='porter unicode61'
    )
    """,
    """
    CREATE TRIGGER resources_searchentry_ai AFTER INSERT ON resources_searchentry BEGIN
        INSERT INTO resources_searchentry_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END
    """,
    """
    CREATE TRIGGER resources_searchentry_ad AFTER DELETE ON resources_searchentry BEGIN
        INSERT INTO resources_searchentry_fts(resources_searchentry_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
    END
    """,
    """
    CREATE TRIGGER resources_searchentry_au AFTER UPDATE ON resources_searchentry BEGIN
        INSERT INTO resources_searchentry_fts(resources_searchentry_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
        INSERT INTO resources_searchentry_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS resources_searchentry_ai",
    "DROP TRIGGER IF EXISTS resources_searchentry_ad",
    "DROP TRIGGER IF EXISTS resources_searchentry_au",
    "DROP TABLE IF EXISTS resources_searchentry_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
