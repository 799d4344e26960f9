from django.apps import AppConfig


class PlainEnglishConfig(AppConfig):
    name = "plain_english"
    verbose_name = "Plain English"

    def ready(self):
        from . import (
            content_io,  # noqa: F401  (registers jargon.yaml with load_content)
            signals,  # noqa: F401  (keeps each page's stored reading ease current)
        )
