from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every kind of hub content shares, and the one path by which content goes live."""

    name = "core"
    verbose_name = "Publishing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import dashboard_panels, internal_links, publishing
        from .models import ReviewedContent

        dashboard_panels.register()
        publishing.register_rule(internal_links.broken_links, model=ReviewedContent)
