from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from .models import Guide, Resource, Script

FEED_ITEMS = 30


class LatestContentFeed(Feed):
    feed_type = Atom1Feed
    title = settings.HUB_SITE_NAME
    subtitle = "New and updated guides, conversation scripts and resources."
    link = "/"

    def items(self):
        fields = ("title", "slug", "summary", "updated", "first_published")
        items = [
            *Guide.objects.published().recently_updated().only(*fields)[:FEED_ITEMS],
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
