"""Source changed: needs review. Content whose source page changed since it was last reviewed.

A page the checker watches (a resource's own address) "changed" when its main text did
(CheckedLink.content_changed_at). Every item that uses it, as its own address or in its
Markdown (inline parts count for the item they belong to), has an unread source change
while that change is later than the item's `last_reviewed` date. Reviewing the item clears
it; nothing else needs to be recorded.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils import timezone

from core.models import ReviewedContent

from .models import CheckedLink, PageText
from .usage import admin_owner

ItemKey = tuple[str, int]


@dataclass(frozen=True, kw_only=True)
class SourceChange:
    link: CheckedLink
    changed_on: datetime.date


def changed_on(link: CheckedLink) -> datetime.date:
    return timezone.localdate(link.content_changed_at)


def _item_keys(uses: list[dict], owners: dict[ItemKey, ItemKey | None]) -> set[ItemKey]:
    """The reviewed items these usages belong to: themselves, or the item an inline is part of."""
    found = set()
    for use in uses:
        key = (use.get("model", ""), use.get("pk"))
        if key not in owners:
            owners[key] = _owner(*key)
        if owners[key] is not None:
            found.add(owners[key])
    return found


def _owner(label: str, pk) -> ItemKey | None:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    if issubclass(model, ReviewedContent):
        return (label, pk)
    obj = model._default_manager.filter(pk=pk).first()
    owner = admin_owner(obj) if obj is not None else None
    if isinstance(owner, ReviewedContent):
        return (owner._meta.label_lower, owner.pk)
    return None


def changed_links_by_item() -> dict[ItemKey, list[CheckedLink]]:
    """Every item that uses a page whose text has ever changed, with those pages."""
    owners: dict[ItemKey, ItemKey | None] = {}
    by_item: dict[ItemKey, list[CheckedLink]] = defaultdict(list)
    for link in CheckedLink.objects.filter(content_changed_at__isnull=False).only(
        "url", "used_in", "content_changed_at"
    ):
        for key in _item_keys(link.used_in, owners):
            by_item[key].append(link)
    return by_item


def unread_changes(item: models.Model) -> list[SourceChange]:
    """The pages this item uses whose text changed after it was last reviewed, newest first."""
    last_reviewed = getattr(item, "last_reviewed", None)
    if item.pk is None or last_reviewed is None:
        return []
    links = changed_links_by_item().get((item._meta.label_lower, item.pk), [])
    changes = [
        SourceChange(link=link, changed_on=changed_on(link))
        for link in links
        if changed_on(link) > last_reviewed
    ]
    return sorted(changes, key=lambda change: change.link.content_changed_at, reverse=True)


def with_unread_changes(queryset: models.QuerySet) -> models.QuerySet:
    """The items of `queryset` with an unread source change (see the module's docstring)."""
    label = queryset.model._meta.label_lower
    latest: dict[int, datetime.date] = {}
    for (item_label, pk), links in changed_links_by_item().items():
        if item_label == label:
            latest[pk] = max(changed_on(link) for link in links)
    if not latest:
        return queryset.none()
    reviewed = queryset.filter(pk__in=list(latest)).values_list("pk", "last_reviewed")
    return queryset.filter(pk__in=[pk for pk, day in reviewed if latest[pk] > day])


def text_on(link: CheckedLink, day: datetime.date) -> PageText | None:
    """The page's text as it was on `day` (the newest read by the end of it), or failing that
    the oldest text kept."""
    texts = list(link.texts.defer("packed"))
    for text in texts:  # newest first
        if timezone.localdate(text.read_at) <= day:
            return text
    return texts[-1] if texts else None
