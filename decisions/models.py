"""Decision tools: trees of plain questions that lead a manager to what to do next.

A tree has questions; each question has answers; each answer leads either to another
question or to an outcome. Whether a whole tree hangs together (no loops, nothing
unreachable) is checked in validation.py, because it is a fact about many rows at once.
"""

import reversion
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.models import Gloss, NationNote, PlainLineEndings, RenderedMarkdownModel, ReviewedContent

from .validation import AnswerShape, TreeShape, problems_in


class DecisionTree(ReviewedContent):
    """A step-by-step decision tool, such as "Is it time for formal action?"."""

    markdown_fields = ("introduction",)
    # A decision tool is advice like a guide, so it is reviewed on the guides' schedule.
    review_interval_key = "guide"
    kind_label = "Decision tool"

    introduction = models.TextField(
        blank=True,
        help_text=(
            "Markdown shown above the first question. Write [[term]] to link to the glossary."
        ),
    )
    introduction_html = models.TextField(editable=False, blank=True)
    start_question = models.ForeignKey(
        "Question",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        help_text="The first question readers see. Save the tree with its questions first.",
    )

    class Meta(ReviewedContent.Meta):
        verbose_name = "decision tool"

    def get_absolute_url(self) -> str:
        return reverse("decide_tree", args=[self.slug])

    def get_overview_url(self) -> str:
        return reverse("decide_overview", args=[self.slug])

    def readable_text(self) -> str:
        """Everything readers may read on the tool's pages, for reading-ease checks."""
        if not self.pk:
            return super().readable_text()
        parts = [super().readable_text()]
        for question in self.questions.prefetch_related("answers"):
            parts += [question.prompt, question.help_text]
            parts += [answer.label for answer in question.answers.all()]
        for outcome in self.outcomes.all():
            parts += [outcome.title, outcome.body]
        return "\n\n".join(part for part in parts if part)

    def problems(self) -> list:
        """What stops this tree from being published, as saved now (see validation.py)."""
        return problems_in(shape_of(self))


class TreeNationNote(NationNote):
    tree = models.ForeignKey(DecisionTree, on_delete=models.CASCADE, related_name="nation_notes")

    class Meta(NationNote.Meta):
        verbose_name = "what is different in a nation"
        verbose_name_plural = "what is different in each nation"
        constraints = [
            models.UniqueConstraint(fields=["tree", "nation"], name="one_note_per_tree_nation")
        ]


class Question(RenderedMarkdownModel):
    """One question, asked on a page of its own."""

    markdown_fields = ("help_text",)

    tree = models.ForeignKey(DecisionTree, on_delete=models.CASCADE, related_name="questions")
    slug = models.SlugField(
        max_length=80, help_text="Short name used in the page address, e.g. 'told-clearly'."
    )
    prompt = models.CharField(max_length=300, help_text="The question, in plain words.")
    help_text = models.TextField(
        blank=True, help_text="Markdown shown under the question: what it means, examples."
    )
    help_text_html = models.TextField(editable=False, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tree", "slug"], name="one_question_slug_per_tree")
        ]

    def __str__(self) -> str:
        return self.prompt

    def get_absolute_url(self) -> str:
        return f"{self.tree.get_overview_url()}#question-{self.slug}"


class QuestionGloss(Gloss):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="glosses")

    class Meta(Gloss.Meta):
        verbose_name = "what it means in a workplace"
        verbose_name_plural = "what it means in each workplace"
        constraints = [
            models.UniqueConstraint(
                fields=["question", "workplace"], name="one_gloss_per_question_workplace"
            )
        ]


class Outcome(RenderedMarkdownModel):
    """Where a path through the tree ends: what to do now and why, and what to read."""

    markdown_fields = ("body",)

    tree = models.ForeignKey(DecisionTree, on_delete=models.CASCADE, related_name="outcomes")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200, help_text="What to do, e.g. 'Have a quiet word'.")
    body = models.TextField(
        "what to do now and why", help_text="Markdown. Write [[term]] to link to the glossary."
    )
    body_html = models.TextField(editable=False, blank=True)
    talk_to_hr = models.BooleanField("advise talking to HR", default=False)
    call_acas_helpline = models.BooleanField(
        "advise calling the advice helpline",
        default=False,
        help_text="Acas, or the Labour Relations Agency in Northern Ireland (the facts table).",
    )
    guides = models.ManyToManyField("resources.Guide", blank=True, related_name="+")
    scripts = models.ManyToManyField("resources.Script", blank=True, related_name="+")
    resources = models.ManyToManyField("resources.Resource", blank=True, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tree", "slug"], name="one_outcome_slug_per_tree")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.tree.get_overview_url()}#outcome-{self.slug}"


class OutcomeGloss(Gloss):
    """What an outcome means in one kind of workplace, e.g. who to call first in home care."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="glosses")

    class Meta(Gloss.Meta):
        verbose_name = "what it means in a workplace"
        verbose_name_plural = "what it means in each workplace"
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "workplace"], name="one_gloss_per_outcome_workplace"
            )
        ]


class Answer(PlainLineEndings, models.Model):
    """One answer to a question. It leads to the next question or to an outcome, never both."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    label = models.CharField(max_length=200, help_text="What the reader chooses, e.g. 'Yes'.")
    position = models.PositiveSmallIntegerField(default=0)
    # RESTRICT, not PROTECT: deleting a whole tree deletes its answers along with what they
    # lead to, but a question or outcome that some other answer still leads to stays.
    next_question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(next_question__isnull=False, outcome__isnull=True)
                    | Q(next_question__isnull=True, outcome__isnull=False)
                ),
                name="answer_leads_to_a_question_or_an_outcome",
                violation_error_message=(
                    "Choose where this answer leads: the next question or an outcome, not both."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        super().clean()
        tree_id = self.question.tree_id if self.question_id else None
        if self.next_question_id and self.next_question_id == self.question_id:
            raise ValidationError({"next_question": "An answer cannot lead to its own question."})
        if tree_id and self.next_question and self.next_question.tree_id != tree_id:
            raise ValidationError({"next_question": "Choose a question from the same tool."})
        if tree_id and self.outcome and self.outcome.tree_id != tree_id:
            raise ValidationError({"outcome": "Choose an outcome from the same tool."})


def shape_of(tree) -> TreeShape:
    """The shape of a saved tree (three queries)."""
    questions = Question.objects.filter(tree=tree).prefetch_related(
        "answers__next_question", "answers__outcome"
    )
    shape = TreeShape(start=tree.start_question.slug if tree.start_question_id else None)
    for question in questions:
        shape.questions[question.slug] = [
            AnswerShape(
                label=answer.label,
                next_question=answer.next_question.slug if answer.next_question_id else None,
                outcome=answer.outcome.slug if answer.outcome_id else None,
            )
            for answer in question.answers.all()
        ]
    for outcome in Outcome.objects.filter(tree=tree).prefetch_related("guides", "scripts"):
        shape.outcomes[outcome.slug] = bool(outcome.guides.all() or outcome.scripts.all())
    return shape


# Every edit, in admin or by load_content, is kept as a revision editors can compare and restore.
reversion.register(Answer)
reversion.register(QuestionGloss)
reversion.register(Question, follow=["answers", "glosses"])
reversion.register(OutcomeGloss)
reversion.register(Outcome, follow=["glosses"])
reversion.register(TreeNationNote)
reversion.register(DecisionTree, follow=["questions", "outcomes", "nation_notes"])
