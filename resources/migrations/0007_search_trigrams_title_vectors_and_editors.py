"""Typo-tolerant search on PostgreSQL, a title-and-summary index, and editors' access.

On PostgreSQL: the pg_trgm extension and a trigram index on the vocabulary, so a misspelt word
finds its nearest indexed word; and tsvectors of the title alone and of the title and summary,
so that matches there can be found (and ranked first) without reading every body. SQLite needs
none of these: its FTS5 table can search single columns, and Python compares words there.
"""

from django.db import migrations

from core.permissions import grant_to_editors

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX resources_searchword_trigram ON resources_searchword "
    "USING GIN (word gin_trgm_ops)",
    """
    ALTER TABLE resources_searchentry ADD COLUMN head_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(summary, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX resources_searchentry_head ON resources_searchentry USING GIN (head_vector)",
    """
    ALTER TABLE resources_searchentry ADD COLUMN title_vector tsvector
    GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(title, '')), 'A')) STORED
    """,
    "CREATE INDEX resources_searchentry_title ON resources_searchentry USING GIN (title_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS resources_searchentry_title",
    "ALTER TABLE resources_searchentry DROP COLUMN IF EXISTS title_vector",
    "DROP INDEX IF EXISTS resources_searchentry_head",
    "ALTER TABLE resources_searchentry DROP COLUMN IF EXISTS head_vector",
    "DROP INDEX IF EXISTS resources_searchword_trigram",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def let_editors_pin_and_read_searches(apps, schema_editor):
    grant_to_editors(
        apps,
        "resources",
        {"bestbet": ("add", "change", "delete", "view"), "searchqueryday": ("view",)},
    )


class Migration(migrations.Migration):
    dependencies = [("resources", "0006_search_vocabulary_best_bets_and_query_log")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD}), _run({"postgresql": POSTGRES_BACKWARD})
        ),
        migrations.RunPython(let_editors_pin_and_read_searches, migrations.RunPython.noop),
    ]
