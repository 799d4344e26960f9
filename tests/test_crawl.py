"""Following links from the home page reaches everything published, and no link is broken."""

import re
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from decisions.models import DecisionTree
from resources.models import Guide, Resource, Script

pytestmark = pytest.mark.django_db

# "/feedback/vote/" is the action of a POST form (Yes or No), not a page to visit.
SKIP_PREFIXES = ("/static/", "/admin/", "/where-you-work/", "/feedback/vote/")
LINK = re.compile(r'(?:href|action)="([^"#][^"]*)"')


def crawl(client, start="/", limit=3000):
    seen: dict[str, int] = {}
    broken: list[tuple[str, str, int]] = []
    glossary_anchors: set[tuple[str, str]] = set()  # (slug, page it was linked from)
    queue = [(start, "(start)")]
    while queue and len(seen) < limit:
        url, found_on = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code != 200:
            broken.append((url, found_on, response.status_code))
            continue
        if not response["Content-Type"].startswith("text/html"):
            continue
        for href in LINK.findall(response.content.decode()):
            href, fragment = urldefrag(urljoin(url, href.replace("&amp;", "&")))
            if urlsplit(href).path == "/glossary/" and fragment:
                glossary_anchors.add((fragment, url))
            parts = urlsplit(href)
            if parts.netloc and parts.netloc != "testserver":
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith(SKIP_PREFIXES) or path.startswith("/search/"):
                continue
            if path not in seen:
                queue.append((path, url))
    glossary = client.get("/glossary/").content.decode()
    for slug, found_on in sorted(glossary_anchors):
        if f'id="{slug}"' not in glossary:
            broken.append((f"/glossary/#{slug}", found_on, 404))
    return seen, broken


def test_a_crawl_from_home_reaches_every_published_item_without_broken_links(
    client, starter_content
):
    seen, broken = crawl(client)
    assert broken == [], broken
    expected = {
        item.get_absolute_url()
        for model in (Guide, Script, Resource, DecisionTree)
        for item in model.objects.published()
    } | {tree.get_overview_url() for tree in DecisionTree.objects.published()}
    assert expected, "the starter content should have published items"
    missing = expected - set(seen)
    assert not missing, f"not reachable from /: {sorted(missing)}"
