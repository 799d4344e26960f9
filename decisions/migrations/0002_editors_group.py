from django.db import migrations

from core.permissions import grant_to_editors

CONTENT = ("add", "change", "delete", "view")


def grant(apps, schema_editor):
    grant_to_editors(
        apps,
        "decisions",
        {
            "decisiontree": CONTENT,
            "question": CONTENT,
            "questiongloss": CONTENT,
            "answer": CONTENT,
            "outcome": CONTENT,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial"), ("resources", "0003_editors_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
