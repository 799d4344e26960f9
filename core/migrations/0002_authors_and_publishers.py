"""Two editor roles. The Editors group becomes Publishers, so everyone keeps what they could do,
and gains publishing, drafts, take-downs and lifting a login lockout. A new Authors group may add
and change content but not publish, delete or restore it.

Migrations before this one grant to the literal name "Editors" (hub.permissions)."""

from django.db import migrations

from core.roles import AUTHORS_GROUP, LEGACY_EDITORS_GROUP, PUBLISHERS_GROUP, grant_to_group

WRITE = ("add", "change", "view")
ALL = ("add", "change", "delete", "view")
VIEW = ("view",)

# What an author may do, app by app. Anything an editor could see, an author can see.
AUTHORS = {
    "resources": {
        **dict.fromkeys(
            [
                "guide",
                "guidegloss",
                "guidenationnote",
                "script",
                "scriptpart",
                "scriptgloss",
                "scriptnationnote",
                "resource",
                "resourcegloss",
                "resourcenationnote",
                "resourcerelevance",
                "glossaryterm",
                "organisationpolicy",
            ],
            WRITE,
        ),
        # Shared by every page, so only a publisher changes them.
        **dict.fromkeys(
            ["workplace", "topic", "stage", "fact", "synonymgroup", "bestbet", "searchqueryday"],
            VIEW,
        ),
    },
    "decisions": dict.fromkeys(
        [
            "decisiontree",
            "question",
            "questiongloss",
            "answer",
            "outcome",
            "outcomegloss",
            "treenationnote",
        ],
        WRITE,
    ),
    "paperwork": dict.fromkeys(["form", "formfield", "formgloss", "formnationnote"], WRITE),
    "taggit": dict.fromkeys(["tag", "taggeditem"], WRITE),
    "plain_english": {"jargonterm": VIEW},
    "feedback": {"feedback": VIEW},
    # "change" on a checked link replaces a URL in live pages at once: publishers only.
    "links": {"checkedlink": VIEW, "linkcheckresult": VIEW},
}

# Added to what Editors had.
PUBLISHERS = {
    "core": {"draft": ALL, "takedown": ALL},
    "axes": {"accessattempt": ("view", "delete")},
    # Editors never got these, though the form admin shows nation notes inline.
    "paperwork": {"formnationnote": ALL},
}
PUBLISH = ("core", "publish_content")


def make_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name=LEGACY_EDITORS_GROUP).first()
    publishers = Group.objects.filter(name=PUBLISHERS_GROUP).first()
    if editors and publishers:  # both already there: fold Editors into Publishers
        publishers.permissions.add(*editors.permissions.all())
        publishers.user_set.add(*editors.user_set.all())
        editors.delete()
    elif editors:
        editors.name = PUBLISHERS_GROUP
        editors.save(update_fields=["name"])
    for app_label, actions_by_model in PUBLISHERS.items():
        grant_to_group(apps, app_label, PUBLISHERS_GROUP, actions_by_model)
    for app_label, actions_by_model in AUTHORS.items():
        grant_to_group(apps, app_label, AUTHORS_GROUP, actions_by_model)
    app_label, codename = PUBLISH
    Group.objects.get(name=PUBLISHERS_GROUP).permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )


def back_to_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name=AUTHORS_GROUP).delete()
    publishers = Group.objects.filter(name=PUBLISHERS_GROUP).first()
    if publishers is None:
        return
    added = Permission.objects.filter(content_type__app_label__in=["core", "axes"])
    publishers.permissions.remove(*added)
    publishers.name = LEGACY_EDITORS_GROUP
    publishers.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_drafts_and_take_downs"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0010_accessattemptexpiration"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("resources", "0012_merge_20261127_0804"),
        ("decisions", "0004_merge_0003_outcome_glosses_0003_tree_nation_notes"),
        ("paperwork", "0003_form_nation_notes"),
        ("plain_english", "0003_publish_despite_plain_english_permission"),
        ("feedback", "0002_editors_can_read_feedback"),
        ("links", "0003_outcomes_probably_gone_and_part_not_found"),
    ]

    operations = [migrations.RunPython(make_roles, back_to_editors)]
