from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Guides, scripts and resources"

    def ready(self):
        from . import (
            content_io,  # noqa: F401  (registers the content file sections)
            search,  # noqa: F401  (connects the search index signals)
        )
