"""The Editors group: what HR editors may do in admin, and nothing more."""

EDITORS_GROUP = "Editors"


def grant_to_editors(apps, app_label: str, actions_by_model: dict[str, tuple[str, ...]]) -> None:
    """For data migrations: give the Editors group permissions on an app's models."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; make them now so they can be granted.
    create_permissions(global_apps.get_app_config(app_label), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    codenames = [
        f"{action}_{model}" for model, actions in actions_by_model.items() for action in actions
    ]
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    group.permissions.add(*permissions)
