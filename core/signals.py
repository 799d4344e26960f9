"""Clear the public page cache whenever anything readers can see is saved or deleted.

The bump waits for the transaction to commit: bumped any sooner, another request could render
the old content and cache it under the new generation, where it would stay until the next edit.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .cache import bump_content_generation

PUBLIC_APPS = {"resources", "decisions", "paperwork", "taggit"}


def _is_public(sender) -> bool:
    return getattr(sender, "_meta", None) is not None and sender._meta.app_label in PUBLIC_APPS


@receiver(post_save)
@receiver(post_delete)
def clear_pages_on_change(sender, **kwargs):
    if _is_public(sender):
        transaction.on_commit(bump_content_generation)


@receiver(m2m_changed)
def clear_pages_on_relation_change(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and _is_public(kwargs["model"]):
        transaction.on_commit(bump_content_generation)
