"""Clear the public page cache whenever anything readers can see is saved or deleted."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .cache import bump_content_generation

PUBLIC_APPS = {"resources", "decisions", "taggit"}


def _is_public(sender) -> bool:
    return getattr(sender, "_meta", None) is not None and sender._meta.app_label in PUBLIC_APPS


@receiver(post_save)
@receiver(post_delete)
def clear_pages_on_change(sender, **kwargs):
    if _is_public(sender):
        bump_content_generation()


@receiver(m2m_changed)
def clear_pages_on_relation_change(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and _is_public(kwargs["model"]):
        bump_content_generation()
