from django.apps import AppConfig


class PlainEnglishConfig(AppConfig):
    name = "plain_english"
    verbose_name = "Plain English"

    def ready(self):
        from core import reviews
        from core.models import ReviewedContent
        from core.publishing import register_after_change, register_rule

        from . import content_io  # noqa: F401  (registers jargon.yaml with load_content)
        from .services import publication_blockers, score_pages

        register_rule(publication_blockers, model=ReviewedContent, may_override=True)
        register_after_change(score_pages)

        from . import dashboard

        dashboard.register()
        reviews.register_check(_plain_english_for_review, model=ReviewedContent)


def _plain_english_for_review(item) -> list[str]:
    from .services import publication_blockers

    return [f"Plain English: {blocker}" for blocker in publication_blockers(item)]
