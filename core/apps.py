from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every kind of hub content shares, and the one path by which content goes live."""

    name = "core"
    verbose_name = "Publishing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import dashboard_panels, internal_links, publishing, redirects
        from .models import ReviewedContent

        dashboard_panels.register()
        publishing.register_rule(internal_links.broken_links, model=ReviewedContent)
        # A renamed page's old address redirects to it. A load of content files finds items by
        # their slugs, so it renames nothing: nothing to do then.
        publishing.register_after_change(
            redirects.record_renames,
            on_removal=redirects.forget_removed,
            on_everything=lambda: None,
        )
