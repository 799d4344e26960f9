from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from decisions.models import DecisionTree

from .models import Guide, Resource, Script, Stage, Topic


class ContentSitemap(Sitemap):
    """Items come as a list, so the paginator counts them without another query."""

    def __init__(self, model):
        self.model = model

    def items(self):
        return list(self.model.objects.published().only("slug", "updated").order_by("slug"))

    def lastmod(self, item):
        return item.updated


class TaxonomySitemap(Sitemap):
    def __init__(self, model):
        self.model = model

    def items(self):
        return list(self.model.objects.only("slug"))


class StaticSitemap(Sitemap):
    def items(self):
        return [
            "home",
            "guide_list",
            "script_list",
            "resource_list",
            "glossary",
            "decide_index",
            "about",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": StaticSitemap(),
    "guides": ContentSitemap(Guide),
    "scripts": ContentSitemap(Script),
    "resources": ContentSitemap(Resource),
    "decisions": ContentSitemap(DecisionTree),
    "topics": TaxonomySitemap(Topic),
    "stages": TaxonomySitemap(Stage),
}
