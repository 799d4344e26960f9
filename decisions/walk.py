"""Walking a decision tree from the answers in a URL: nothing is stored, every step is a link."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Prefetch

from resources.models import Guide, Resource, Script

from .models import Answer, DecisionTree, Outcome, OutcomeGloss, Question, QuestionGloss

MAX_STEPS = 50
# The query parameter that marks which answer a "Change" link should show as already chosen.
CHOSEN = "was"


class BadAnswers(Exception):
    """The answers in the URL do not follow the tree (edited by hand, or the tree changed)."""


@dataclass
class Step:
    question: Question
    answer: Answer
    change_url: str = ""


@dataclass
class Walk:
    tree: DecisionTree
    steps: list[Step] = field(default_factory=list)
    question: Question | None = None
    outcome_id: int | None = None
    outcome: Outcome | None = None

    def query(self, extra: list[str] | None = None) -> str:
        codes = [answer_code(step.question, step.answer) for step in self.steps] + (extra or [])
        return urlencode([("a", code) for code in codes])


def answer_code(question: Question, answer: Answer) -> str:
    """Answers are named by question and position, so shared links survive a reload of content."""
    return f"{question.slug}:{list(question.answers.all()).index(answer) + 1}"


def load_tree(queryset, slug: str) -> DecisionTree:
    """The tree's questions and answers, enough to follow any path (three queries)."""
    questions = Question.objects.prefetch_related("answers")
    return queryset.prefetch_related(Prefetch("questions", queryset=questions)).get(slug=slug)


def question_glosses(question: Question) -> list[QuestionGloss]:
    return list(question.glosses.select_related("workplace"))


def outcome_with_reading(tree: DecisionTree, outcome_id: int) -> Outcome:
    """Where a path ended, with what to read next and what it means in each workplace (five
    queries, only on an outcome page)."""
    fields = ("title", "slug", "summary")
    return Outcome.objects.prefetch_related(
        Prefetch("glosses", queryset=OutcomeGloss.objects.select_related("workplace")),
        Prefetch("guides", queryset=Guide.objects.published().only(*fields, "urgent_route")),
        Prefetch("scripts", queryset=Script.objects.published().only(*fields)),
        Prefetch(
            "resources",
            queryset=Resource.objects.published().only(*fields, "publisher", "nations"),
        ),
    ).get(tree=tree, pk=outcome_id)


def walk(tree: DecisionTree, codes: list[str], base_url: str) -> Walk:
    questions = {q.pk: q for q in tree.questions.all()}
    result = Walk(tree=tree, question=questions.get(tree.start_question_id))
    if result.question is None:
        raise BadAnswers("This tool has no first question yet.")
    if len(codes) > MAX_STEPS:
        raise BadAnswers("Too many answers.")
    for code in codes:
        question = result.question
        slug, _, number = code.partition(":")
        if question is None or slug != question.slug or not number.isdigit():
            raise BadAnswers(f"The answer {code!r} does not fit this tool.")
        answers = list(question.answers.all())
        if not 1 <= int(number) <= len(answers):
            raise BadAnswers(f"The answer {code!r} does not fit this tool.")
        answer = answers[int(number) - 1]
        # "Change" goes back to this question with the answer given then already chosen.
        earlier = result.query()
        chosen = urlencode([(CHOSEN, code)])
        result.steps.append(
            Step(question, answer, f"{base_url}?{earlier + '&' if earlier else ''}{chosen}#step")
        )
        result.question = questions.get(answer.next_question_id)
        result.outcome_id = answer.outcome_id
        if result.question is None and result.outcome_id is None:
            raise BadAnswers("This answer leads nowhere yet.")
    if result.outcome_id is not None:
        result.outcome = outcome_with_reading(tree, result.outcome_id)
    return result
