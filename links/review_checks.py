"""What a review looks at in an item's links (registered with core.reviews in LinksConfig).

An item's links are every web address in its Markdown and link fields, and in those of what it
owns (glosses, nation notes, script parts, a decision tool's questions...), as the link checker
finds them (links.usage). Two things stand in the way of a review:

- a link whose last check found it broken or probably gone;
- a page it links to whose text changed after the item's last review: a change to a source
  nobody has read yet.
"""

from __future__ import annotations

from django.db.models import Model
from django.utils import timezone

from core import drafts
from core.models import RenderedMarkdownModel

from .models import FAILURES, CheckedLink
from .usage import link_fields, link_key, urls_in_text


def _when(moment) -> str:
    day = timezone.localdate(moment)
    return f"{day.day} {day:%B %Y}"


def link_keys_of(item: Model) -> set[str]:
    """Every external address the item and what it owns link to, as the checker knows them."""
    keys = set()
    for obj in drafts.graph_of(item):
        if not isinstance(obj, RenderedMarkdownModel):
            continue
        for name in link_fields(type(obj)):
            value = (getattr(obj, name) or "").strip()
            if value.lower().startswith(("http://", "https://")):
                keys.add(link_key(value))
        for name in obj.markdown_fields:
            keys.update(link_key(url) for url in urls_in_text(getattr(obj, name) or ""))
    return keys


def checked_links_of(item: Model):
    keys = link_keys_of(item)
    if not keys:
        return CheckedLink.objects.none()
    return CheckedLink.objects.filter(url__in=keys).order_by("url")


def broken_links(item: Model) -> list[str]:
    found = []
    for link in checked_links_of(item).filter(outcome__in=FAILURES):
        runs = link.consecutive_failures
        in_a_row = f", {runs} checks in a row" if runs > 1 else ""
        found.append(
            f"Broken link: {link.url} ({link.get_outcome_display().lower()} when last "
            f"checked{in_a_row}). Mend or remove it."
        )
    return found


def unread_source_changes(item: Model) -> list[str]:
    last_reviewed = getattr(item, "last_reviewed", None)
    if last_reviewed is None:
        return []
    return [
        f"The page at {link.url} changed on {_when(link.content_changed_at)}, after this "
        f"page's last review. Read it, and change this page if it needs to."
        for link in checked_links_of(item).filter(content_changed_at__isnull=False)
        if timezone.localdate(link.content_changed_at) > last_reviewed
    ]
