"""The dashboard panels core itself knows: approval, my drafts, my reviews, recent changes."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.core.cache import cache
from django.utils import timezone
from reversion.models import Revision

from .cache import content_generation
from .dashboard import Row, admin_url, register_panel
from .drafting_admin import waiting_for_approval
from .internal_links import links_in
from .models import Draft, RenderedMarkdownModel, ReviewedContent
from .roles import can_publish


def _waiting(request):
    for draft, url in waiting_for_approval():
        who = draft.submitted_by or "an editor"
        yield Row(f"{draft.object_repr}, from {who}", url or "")


def _my_drafts(request):
    for draft in Draft.objects.filter(edited_by=request.user).select_related("content_type"):
        model = draft.content_type.model_class()
        item = model._default_manager.filter(pk=draft.object_id).first() if model else None
        yield Row(f"{draft.object_repr}: {draft.get_state_display().lower()}", admin_url(item))


def _my_reviews_due(request):
    soon = timezone.localdate() + datetime.timedelta(days=30)
    for model in apps.get_models():
        if not issubclass(model, ReviewedContent):
            continue
        names = {f.name for f in model._meta.fields}
        who = "owner" if "owner" in names else "reviewed_by"
        for item in model.objects.filter(**{who: request.user}, next_review_due__lte=soon):
            yield Row(f"{item} (due {item.next_review_due:%d %B %Y})", admin_url(item))


def _recent_changes(request):
    revisions = (
        Revision.objects.select_related("user")
        .prefetch_related("version_set")
        .order_by("-date_created")[:8]
    )
    for revision in revisions:
        version = revision.version_set.first()
        what = version.object_repr if version else "an item"
        who = revision.user or "the content files"
        when = timezone.localtime(revision.date_created)
        words = revision.comment or "Changed."
        obj = None
        if version is not None:
            model = version.content_type.model_class()
            obj = model._default_manager.filter(pk=version.object_id).first() if model else None
        yield Row(f"{when:%d %b %H:%M} · {who} · {what}: {words}", admin_url(obj) if obj else "")


def pages_no_one_links_to() -> list[tuple[str, str]]:
    """Live pages that no Markdown link and no related list points at, once per generation:
    readers can reach them only by search or browsing, so check they are still wanted."""
    key = f"hub:dashboard:unlinked:{content_generation()}"
    found = cache.get(key)
    if found is not None:
        return found
    linked: set[str] = set()
    listed: set[tuple[str, object]] = set()
    for model in apps.get_models():
        if issubclass(model, RenderedMarkdownModel) and model.markdown_fields:
            for texts in model._default_manager.values_list(*model.markdown_fields):
                for text in texts:
                    linked.update(links_in(text or ""))
        for m2m in model._meta.local_many_to_many:
            target = m2m.related_model
            if isinstance(target, type) and issubclass(target, ReviewedContent):
                through = m2m.remote_field.through
                column = m2m.m2m_reverse_field_name()
                for pk in through._default_manager.values_list(column, flat=True).distinct():
                    listed.add((target._meta.label_lower, pk))
    found = []
    for model in apps.get_models():
        if not issubclass(model, ReviewedContent):
            continue
        for item in model.objects.published().order_by("title"):
            if item.get_absolute_url() in linked or (model._meta.label_lower, item.pk) in listed:
                continue
            found.append((f"{item} ({model._meta.verbose_name})", admin_url(item)))
    cache.set(key, found, timeout=60 * 60)
    return found


def _unlinked(request):
    for text, url in pages_no_one_links_to():
        yield Row(text, url)


def register() -> None:
    register_panel("Waiting for your approval", _waiting, order=10, who=can_publish)
    register_panel("Your drafts", _my_drafts, order=15, empty="You have no drafts.")
    register_panel(
        "Your reviews due in the next 30 days",
        _my_reviews_due,
        order=20,
        empty="None: nothing of yours is due for review.",
    )
    register_panel(
        "Live pages no other page links to",
        _unlinked,
        order=70,
        empty="None: every live page is linked from another page.",
    )
    register_panel("Recent changes by everyone", _recent_changes, order=90)
