"""Links from one hub page to another: a page may not go live pointing at a page readers cannot
see (a draft, or one deleted or renamed)."""

from __future__ import annotations

import contextlib
import re
from contextvars import ContextVar
from dataclasses import dataclass

from django.apps import apps
from django.urls import Resolver404, resolve

from . import drafts

# [words](/path/) and <a href="/path/">, the two ways Markdown here links to a hub page.
HUB_LINK = re.compile(r"\]\(\s*<?(/[^)\s>]*)|href=\"(/[^\"]*)\"")


@dataclass(frozen=True)
class Pages:
    live: frozenset[str]
    off_site: dict[str, str]  # address -> title, for pages that exist but are not live
    page_views: frozenset[str]  # the URL names of item pages, to spot a missing item


def _content_models():
    from .models import ReviewedContent

    return [model for model in apps.get_models() if issubclass(model, ReviewedContent)]


_remembered: ContextVar[Pages | None] = ContextVar("hub_pages", default=None)


@contextlib.contextmanager
def same_pages():
    """Check many items against one reading of which pages exist (as a load does)."""
    token = _remembered.set(pages())
    try:
        yield
    finally:
        _remembered.reset(token)


def pages() -> Pages:
    remembered = _remembered.get()
    if remembered is not None:
        return remembered
    from .redirects import old_addresses

    live, off_site, views = set(), {}, set()
    for model in _content_models():
        for item in model.objects.only("slug", "title", "status"):
            url = item.get_absolute_url()
            if item.is_published:
                live.add(url)
            else:
                off_site[url] = item.title
            with contextlib.suppress(Resolver404):
                views.add(resolve(url).view_name)
    # A renamed page's old address still leads to it (core.redirects).
    for old, item in old_addresses().items():
        if old in live or old in off_site:
            continue
        if getattr(item, "is_published", True):
            live.add(old)
        else:
            off_site[old] = str(item)
    return Pages(frozenset(live), off_site, frozenset(views))


OK, MISSING, NOT_LIVE = "ok", "missing", "not_live"


def outcome(address: str, known: Pages | None = None) -> str:
    """Whether a hub address leads readers to a page: "ok", "not_live" (a page that exists but
    readers cannot see) or "missing" (no such page)."""
    known = known or pages()
    if address in known.live:
        return OK
    if address in known.off_site:
        return NOT_LIVE
    try:
        match = resolve(address)
    except Resolver404:
        return MISSING
    return MISSING if match.view_name in known.page_views else OK


def missing_in(text: str, known: Pages | None = None) -> list[str]:
    """The hub addresses `text` links to that lead to no page at all."""
    addresses = links_in(text)
    if not addresses:
        return []
    known = known or pages()
    return [address for address in addresses if outcome(address, known) == MISSING]


def links_in(text: str) -> list[str]:
    found = []
    for match in HUB_LINK.finditer(text or ""):
        address = (match.group(1) or match.group(2)).split("#")[0].split("?")[0]
        if address and address not in found:
            found.append(address)
    return found


def markdown_of(item) -> list[str]:
    """Every Markdown text readers see on the item's page, its parts included."""
    texts = []
    for obj in drafts.graph_of(item):
        for name in getattr(obj, "markdown_fields", ()):
            texts.append(getattr(obj, name) or "")
    return texts


def broken_links(item, known: Pages | None = None) -> list[str]:
    """What is wrong with the item's links to other hub pages, one line per link."""
    known = known or pages()
    problems = []
    own = item.get_absolute_url() if hasattr(item, "get_absolute_url") else None
    for address in {a for text in markdown_of(item) for a in links_in(text)}:
        if address == own:
            continue
        found = outcome(address, known)
        if found == NOT_LIVE:
            problems.append(
                f"It links to “{known.off_site[address]}” ({address}), which is not live."
            )
        elif found == MISSING:
            problems.append(f"It links to {address}, and there is no such page.")
    return sorted(problems)
