from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Decision tools"

    def ready(self):
        from . import (
            content_io,  # noqa: F401  (registers content/decisions/*.yaml)
            search,  # noqa: F401  (makes decision tools searchable)
        )
