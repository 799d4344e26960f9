from django.db import migrations

from core.permissions import grant_to_editors


def grant(apps, schema_editor):
    grant_to_editors(apps, "feedback", {"feedback": ("view", "delete")})


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial"), ("resources", "0003_editors_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
