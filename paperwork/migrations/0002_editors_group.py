from django.db import migrations

from core.permissions import grant_to_editors

CONTENT = ("add", "change", "delete", "view")


def grant(apps, schema_editor):
    grant_to_editors(
        apps, "paperwork", {"form": CONTENT, "formfield": CONTENT, "formgloss": CONTENT}
    )


class Migration(migrations.Migration):
    dependencies = [("paperwork", "0001_forms_and_letters"), ("resources", "0003_editors_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
