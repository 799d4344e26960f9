"""Renamed pages keep their old addresses: each old address redirects (301) to the page.

When a saved item's slug differs from the one it was loaded with (`_loaded_slug`, kept by
RenderedMarkdownModel.from_db, and carried over by the admin and by publishing a draft), its
old address is recorded here, through core.publishing's side work. The redirect points at the
item, not at an address, so the item's address is asked for when a reader arrives: a page
renamed twice still answers at its first address.
"""

from __future__ import annotations

import copy

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Redirect, Status


def address_with_slug(item: models.Model, slug: str) -> str | None:
    """The item's address if its slug were `slug`; None when the page has no address of its
    own (a glossary word is part of the glossary page)."""
    if not hasattr(item, "get_absolute_url"):
        return None
    other = copy.copy(item)
    other.slug = slug
    try:
        address = other.get_absolute_url()
    except Exception:
        return None
    return None if "#" in address else address


def remember_loaded_slug(saved: models.Model, before: models.Model | None) -> None:
    """`saved` was read back after a save: give it the slug `before` was loaded with."""
    if before is not None and hasattr(before, "slug"):
        saved._loaded_slug = getattr(before, "_loaded_slug", before.slug)


def record_renames(items: list[models.Model]) -> None:
    """For each item whose slug changed since it was loaded, its old address redirects to it."""
    for item in items:
        old_slug = getattr(item, "_loaded_slug", None)
        new_slug = getattr(item, "slug", None)
        if not old_slug or not new_slug or item.pk is None:
            continue
        item._loaded_slug = new_slug
        if old_slug == new_slug:
            continue
        old, new = address_with_slug(item, old_slug), address_with_slug(item, new_slug)
        if not old or not new or old == new:
            continue
        Redirect.objects.update_or_create(
            old_path=old,
            defaults={
                "content_type": ContentType.objects.get_for_model(type(item)),
                "object_id": str(item.pk),
            },
        )
        # The page answers at its new address itself: an old redirect from there is done with.
        Redirect.objects.filter(old_path=new).delete()


def forget_removed(items: list[models.Model]) -> None:
    """A deleted item's old addresses lead nowhere now."""
    for item in items:
        if item.pk is None:
            continue
        Redirect.objects.filter(
            content_type=ContentType.objects.get_for_model(type(item)), object_id=str(item.pk)
        ).delete()


def new_address(path: str, *, live_only: bool = True) -> str | None:
    """Where a renamed page's old address `path` leads now, or None. With `live_only`, only a
    page readers can see counts."""
    redirect = Redirect.objects.filter(old_path=path).select_related("content_type").first()
    if redirect is None:
        return None
    item = redirect.item
    if item is None or not hasattr(item, "get_absolute_url"):
        return None
    if live_only and getattr(item, "status", Status.PUBLISHED) != Status.PUBLISHED:
        return None
    address = item.get_absolute_url()
    return None if address == path else address


def old_addresses() -> dict[str, models.Model]:
    """Every recorded old address and the item it leads to now (missing items left out)."""
    by_type: dict[int, list[Redirect]] = {}
    for redirect in Redirect.objects.all():
        by_type.setdefault(redirect.content_type_id, []).append(redirect)
    found = {}
    for type_id, redirects in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        items = model._default_manager.in_bulk([r.object_id for r in redirects])
        for redirect in redirects:
            item = items.get(model._meta.pk.to_python(redirect.object_id))
            if item is not None:
                found[redirect.old_path] = item
    return found
