from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Decision tools"

    def ready(self):
        from core.publishing import register_rule
        from plain_english.reader_fields import (
            add_reader_children,
            nation_note,
            register_reader_fields,
        )

        from . import (
            content_io,  # noqa: F401  (registers content/decisions/*.yaml)
            search,  # noqa: F401  (makes decision tools searchable)
        )
        from .models import Answer, DecisionTree, Outcome, Question, QuestionGloss, TreeNationNote

        register_reader_fields(
            DecisionTree, "title", "summary", "introduction", children=["questions", "outcomes"]
        )
        register_reader_fields(
            Question,
            "prompt",
            "help_text",
            children=["answers", "glosses"],
            describe=lambda question, i: f"Question {i + 1} ({question.slug})",
        )
        register_reader_fields(Answer, "label", describe=lambda answer, i: f"Answer {i + 1}")
        register_reader_fields(
            Outcome,
            "title",
            "body",
            describe=lambda outcome, i: f"Outcome {i + 1} ({outcome.slug})",
        )
        register_reader_fields(
            QuestionGloss, "body", describe=lambda g, i: f"What it means in {g.workplace.label}"
        )
        register_reader_fields(TreeNationNote, "body", describe=nation_note)
        add_reader_children(DecisionTree, "nation_notes")
        register_rule(_faults, model=DecisionTree)


def _faults(tree) -> list[str]:
    """A decision tool that could leave a reader stuck never goes live."""
    return [f"Readers could get stuck: {problem}" for problem in tree.problems()]
