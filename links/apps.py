from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "links"
    verbose_name = "Link checks"

    def ready(self):
        from core import reviews
        from core.models import ReviewedContent

        from .review_checks import broken_links, unread_source_changes

        reviews.register_check(broken_links, model=ReviewedContent)
        reviews.register_check(unread_source_changes, model=ReviewedContent)
        from . import dashboard

        dashboard.register()
