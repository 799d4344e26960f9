from django.apps import AppConfig


class PlainEnglishConfig(AppConfig):
    name = "plain_english"
    verbose_name = "Plain English"

    def ready(self):
        from core.models import ReviewedContent
        from core.publishing import register_rule

        from . import (
            content_io,  # noqa: F401  (registers jargon.yaml with load_content)
            signals,  # noqa: F401  (keeps each page's stored reading ease current)
        )
        from .services import publication_blockers

        register_rule(publication_blockers, model=ReviewedContent, may_override=True)
