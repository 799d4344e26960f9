from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from decisions.models import DecisionTree
from paperwork.models import Form
from resources.models import Guide, Resource, Script, Stage, Topic


class HubSitemap(Sitemap):
    """Addresses use the hub's public address (HUB_SITE_URL), as the canonical links do."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ContentSitemap(HubSitemap):
    """Items come as a list, so the paginator counts them without another query."""

    def __init__(self, model, *address_fields: str):
        self.model = model
        self.fields = ("slug", "updated", *address_fields)

    def items(self):
        return list(self.model.objects.published().only(*self.fields).order_by("slug"))

    def lastmod(self, item):
        return item.updated


class TaxonomySitemap(HubSitemap):
    def __init__(self, model):
        self.model = model

    def items(self):
        return list(self.model.objects.only("slug"))


class StaticSitemap(HubSitemap):
    def items(self):
        return [
            "home",
            "guide_list",
            "script_list",
            "resource_list",
            "glossary",
            "decide_index",
            "form_list",
            "about",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": StaticSitemap(),
    "guides": ContentSitemap(Guide, "urgent_route"),  # the urgent route lives at /urgent/
    "scripts": ContentSitemap(Script),
    "resources": ContentSitemap(Resource),
    "decisions": ContentSitemap(DecisionTree),
    "forms": ContentSitemap(Form),
    "topics": TaxonomySitemap(Topic),
    "stages": TaxonomySitemap(Stage),
}
