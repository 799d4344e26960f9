"""Forms and letters in the hub's search, found by their title, purpose and field labels.

resources/search.py is being reworked in parallel into a registry of searchable kinds
(`register_search_kind`). Forms use that registry when it is there; until then they use the
small hook added to today's search module (`register_kind`) and index themselves on save.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from hub.rendering import markdown_to_text
from resources import search

from .models import Form

KIND = "form"
LABEL = "Form or letter"


def entry_fields(form: Form) -> dict:
    labels = [f"{field.label}. {field.help_text}" for field in form.fields.all()]
    return {
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


def _index_on_save(sender, instance, raw=False, **kwargs):
    # After the commit, so the form's fields (saved after the form, in admin and by
    # load_content, inside the same transaction) are indexed too.
    if not raw:
        transaction.on_commit(lambda: search.index_item(instance))


def _forget_on_delete(sender, instance, **kwargs):
    search.forget_item(instance)


if hasattr(search, "register_search_kind"):
    search.register_search_kind(
        search.SearchKind(
            name=KIND,
            label=LABEL,
            items=published_forms,
            document=lambda form: search.SearchDocument(**entry_fields(form), object_id=form.pk),
            model=Form,
        )
    )
else:
    search.register_kind(
        model=Form,
        kind=KIND,
        label=LABEL,
        fields=lambda form: {"kind": KIND, **entry_fields(form)},
        published=published_forms,
    )
    post_save.connect(_index_on_save, sender=Form, dispatch_uid="paperwork-search-save")
    post_delete.connect(_forget_on_delete, sender=Form, dispatch_uid="paperwork-search-delete")
