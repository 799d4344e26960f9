"""Permissions for the one "Editors" group that came before roles (see core.roles).

Only data migrations written before core 0002 use this; new code uses core.roles."""

from core.roles import LEGACY_EDITORS_GROUP, PUBLISHERS_GROUP, grant_to_group


def grant_to_editors(apps, app_label: str, actions_by_model: dict[str, tuple[str, ...]]) -> None:
    """For data migrations: give the old Editors group permissions on an app's models.

    Core 0002 renames Editors to Publishers. A migration that runs after it still grants to the
    same people, instead of making a new, empty Editors group."""
    Group = apps.get_model("auth", "Group")
    name = LEGACY_EDITORS_GROUP
    if (
        not Group.objects.filter(name=name).exists()
        and Group.objects.filter(name=PUBLISHERS_GROUP).exists()
    ):
        name = PUBLISHERS_GROUP
    grant_to_group(apps, app_label, name, actions_by_model)
