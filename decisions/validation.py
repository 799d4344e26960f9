"""Checks that a decision tree can be walked: the same rules for admin and for content files."""

from dataclasses import dataclass, field


@dataclass
class AnswerShape:
    label: str
    next_question: str | None = None
    outcome: str | None = None


@dataclass
class TreeShape:
    start: str | None
    questions: dict[str, list[AnswerShape]] = field(default_factory=dict)
    outcomes: dict[str, bool] = field(default_factory=dict)  # slug -> links to a guide or script


@dataclass(frozen=True)
class Fault:
    """One reason a reader could get stuck, and where it is: a question, an answer on a
    question (its index), an outcome, or the tree's start."""

    message: str
    question: str | None = None
    answer: int | None = None
    outcome: str | None = None

    def __str__(self) -> str:
        return self.message


def problems_in(tree: TreeShape) -> list[Fault]:
    """Every fault in the tree, each naming the question, answer or outcome at fault."""
    problems: list[Fault] = []
    if not tree.start:
        problems.append(Fault("The tree has no start question."))
    elif tree.start not in tree.questions:
        problems.append(Fault(f"The start question '{tree.start}' does not exist."))
    for slug, answers in tree.questions.items():
        if not answers:
            problems.append(Fault(f"Question '{slug}' has no answers.", question=slug))
        for index, answer in enumerate(answers):
            where = f"Answer '{answer.label}' on question '{slug}'"
            if answer.next_question and answer.outcome:
                message = f"{where} leads to both a question and an outcome."
            elif not answer.next_question and not answer.outcome:
                message = f"{where} leads nowhere."
            elif answer.next_question and answer.next_question not in tree.questions:
                message = (
                    f"{where} leads to question '{answer.next_question}', which does not exist."
                )
            elif answer.outcome and answer.outcome not in tree.outcomes:
                message = f"{where} leads to outcome '{answer.outcome}', which does not exist."
            else:
                continue
            problems.append(Fault(message, question=slug, answer=index))
    for slug, has_reading in tree.outcomes.items():
        if not has_reading:
            problems.append(Fault(f"Outcome '{slug}' links to no guide or script.", outcome=slug))
    if tree.start in tree.questions:
        problems += _loops_and_unreachable(tree)
    return problems


def _loops_and_unreachable(tree: TreeShape) -> list[Fault]:
    problems: list[Fault] = []
    reached: set[str] = set()
    on_path: list[str] = []

    def visit(slug: str) -> None:
        on_path.append(slug)
        reached.add(slug)
        for index, answer in enumerate(tree.questions.get(slug, [])):
            target = answer.next_question
            if target not in tree.questions:
                continue
            if target in on_path:
                problems.append(
                    Fault(
                        f"Answer '{answer.label}' on question '{slug}' leads back to question "
                        f"'{target}', making a loop.",
                        question=slug,
                        answer=index,
                    )
                )
            elif target not in reached:
                visit(target)
        on_path.pop()

    visit(tree.start)
    for slug in tree.questions:
        if slug not in reached:
            problems.append(
                Fault(
                    f"Question '{slug}' cannot be reached from the start question.", question=slug
                )
            )
    return problems
