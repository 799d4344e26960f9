from django.db import migrations

from core.permissions import grant_to_editors


def let_editors_use_the_link_report(apps, schema_editor):
    # "change" lets them run "Replace this URL everywhere"; the report itself is read-only.
    grant_to_editors(
        apps,
        "links",
        {"checkedlink": ("change", "view"), "linkcheckresult": ("view",)},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("links", "0001_initial"),
        ("resources", "0003_editors_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(let_editors_use_the_link_report, migrations.RunPython.noop)]
