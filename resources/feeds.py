from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Guide, Resource, Script

FEED_ITEMS = 30


class LatestContentFeed(Feed):
    """New and updated pages. Addresses use the hub's public address (HUB_SITE_URL), as the
    canonical links do, whatever host name the request came in on."""

    feed_type = Atom1Feed
    title = settings.HUB_SITE_NAME
    subtitle = "New and updated guides, conversation scripts and resources."

    def link(self):
        return f"{settings.SITE_URL}/"

    def feed_url(self):
        return f"{settings.SITE_URL}{reverse('feed')}"

    def item_link(self, item):
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    def items(self):
        fields = ("title", "slug", "summary", "updated", "first_published")
        items = [
            *Guide.objects.published()
            .recently_updated()
            .only(*fields, "urgent_route")[:FEED_ITEMS],
            *Script.objects.published().recently_updated().only(*fields)[:FEED_ITEMS],
            *Resource.objects.published().recently_updated().only(*fields)[:FEED_ITEMS],
        ]
        return sorted(items, key=lambda item: item.updated, reverse=True)[:FEED_ITEMS]

    def item_title(self, item):
        return f"{item.kind_label}: {item.title}"

    def item_description(self, item):
        return item.summary

    def item_updateddate(self, item):
        return item.updated

    def item_pubdate(self, item):
        return item.first_published or item.updated
