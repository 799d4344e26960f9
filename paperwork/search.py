"""Forms and letters in the hub's search: indexed like guides (see resources/search.py)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hub.rendering import markdown_to_text
from resources import search

from .models import Form


def entry_fields(form: Form) -> dict:
    labels = [f"{field.label}. {field.help_text}" for field in form.fields.all()]
    return {
        "kind": "form",
        "slug": form.slug,
        "title": form.title,
        "summary": form.summary,
        "body": "\n".join(
            [markdown_to_text(form.body), markdown_to_text(form.when_to_use), *labels]
        ),
        "url": form.get_absolute_url(),
    }


def published_forms():
    return Form.objects.published().prefetch_related("fields")


search.register_kind(
    model=Form, kind="form", label="Form or letter", fields=entry_fields, published=published_forms
)


@receiver(post_save, sender=Form)
def _index_on_save(sender, instance, raw=False, **kwargs):
    # After the commit, so the form's fields (saved after the form, in admin and by
    # load_content, inside the same transaction) are indexed too.
    if not raw:
        transaction.on_commit(lambda: search.index_item(instance))


@receiver(post_delete, sender=Form)
def _forget_on_delete(sender, instance, **kwargs):
    search.forget_item(instance)
