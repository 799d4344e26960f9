from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Decision tools"

    def ready(self):
        from core.publishing import register_rule

        from . import (
            content_io,  # noqa: F401  (registers content/decisions/*.yaml)
            search,  # noqa: F401  (makes decision tools searchable)
        )
        from .models import DecisionTree

        register_rule(_faults, model=DecisionTree)


def _faults(tree) -> list[str]:
    """A decision tool that could leave a reader stuck never goes live."""
    return [f"Readers could get stuck: {problem}" for problem in tree.problems()]
