from django.db import migrations

from core.permissions import grant_to_editors

CONTENT = ("add", "change", "delete", "view")


def create_editors_group(apps, schema_editor):
    grant_to_editors(
        apps,
        "resources",
        {
            "guide": CONTENT,
            "guidegloss": CONTENT,
            "script": CONTENT,
            "scriptpart": CONTENT,
            "scriptgloss": CONTENT,
            "resource": CONTENT,
            "resourcegloss": CONTENT,
            "resourcerelevance": CONTENT,
            "glossaryterm": CONTENT,
            "synonymgroup": CONTENT,
            "workplace": ("add", "change", "view"),
            "topic": ("add", "change", "view"),
            "stage": ("add", "change", "view"),
        },
    )
    grant_to_editors(apps, "taggit", {"tag": CONTENT, "taggeditem": CONTENT})


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0002_search_index"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, migrations.RunPython.noop)]
