"""Editor roles: authors write and change content; publishers also put it live and take it down.

Both are staff users in a group that data migrations keep (core/migrations/0002_*):

- Authors add and change content, and can see everything else editors see. They cannot
  publish, unpublish, delete or restore, and they cannot change workplaces, topics, stages,
  facts, plain-English words or search synonyms and best bets.
- Publishers can do all that editors could do before roles, plus publish (`core.publish_content`),
  handle drafts and scheduled take-downs, and lift a login lockout.

Before roles there was one group, "Editors". Migration core 0002 renamed it to "Publishers", so
everyone who was an editor kept what they could do.
"""

from __future__ import annotations

AUTHORS_GROUP = "Authors"
PUBLISHERS_GROUP = "Publishers"
EDITOR_GROUPS = (AUTHORS_GROUP, PUBLISHERS_GROUP)
# The one group before roles. Only migrations written before core 0002 use this name.
LEGACY_EDITORS_GROUP = "Editors"

PUBLISH_PERMISSION = "core.publish_content"

AUTHOR, PUBLISHER = "author", "publisher"
ROLE_GROUPS = {AUTHOR: AUTHORS_GROUP, PUBLISHER: PUBLISHERS_GROUP}
ROLE_HELP = {
    AUTHOR: (
        "writes and changes content and saves it as a draft. Cannot publish, unpublish, "
        "delete or restore, and cannot change workplaces, topics, stages, facts, "
        "plain-English words or search synonyms"
    ),
    PUBLISHER: (
        "does all an author does, and also publishes, unpublishes, schedules, deletes and "
        "restores content, keeps workplaces, topics, stages and facts, and lifts login lockouts"
    ),
}


def can_publish(user) -> bool:
    """Whether this user may put content live, take it down, delete it or restore it."""
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def grant_to_group(
    apps, app_label: str, group_name: str, actions_by_model: dict[str, tuple[str, ...]]
) -> None:
    """For data migrations: give a group permissions on an app's models (made if missing)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; make them now so they can be granted.
    create_permissions(global_apps.get_app_config(app_label), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    codenames = [
        f"{action}_{model}" for model, actions in actions_by_model.items() for action in actions
    ]
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    group.permissions.add(*permissions)
