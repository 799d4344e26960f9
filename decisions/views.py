from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.nations import chosen_nation_slug, nation_notes_first
from core.workplace import chosen_workplace_slug

from .models import DecisionTree
from .walk import CHOSEN, BadAnswers, answer_code, load_tree, question_glosses, walk


@require_safe
def index(request):
    trees = DecisionTree.objects.published().only("title", "slug", "summary")
    return render(request, "decisions/index.html", {"trees": trees})


def _tree(slug):
    try:
        return load_tree(DecisionTree.objects.published(), slug)
    except DecisionTree.DoesNotExist:
        raise Http404("No such decision tool.") from None


@require_safe
def tree_step(request, slug):
    codes = request.GET.getlist("a")
    tree = _tree(slug)
    base_url = reverse("decide_tree", args=[slug])
    try:
        result = walk(tree, codes, base_url)
    except BadAnswers as problem:
        context = {"tree": tree, "problem": str(problem)}
        return render(request, "decisions/bad_answers.html", context, status=400)
    nation = chosen_nation_slug(request)
    my_nation_note, other_nation_notes = nation_notes_first(tree.nation_notes.all(), nation)
    nation_context = {
        "chosen_nation": nation,
        "my_nation_note": my_nation_note,
        "other_nation_notes": other_nation_notes,
    }
    chosen = chosen_workplace_slug(request)
    if result.outcome is not None:
        glosses = list(result.outcome.glosses.all())
        resources = list(result.outcome.resources.all())
        context = {
            "tree": tree,
            "walk": result,
            "my_gloss": next((g for g in glosses if g.workplace.slug == chosen), None),
            "other_glosses": [g for g in glosses if g.workplace.slug != chosen],
            "chosen_workplace": chosen,
            **nation_context,
            "resources_here": [r for r in resources if r.applies_in(nation)],
            "resources_elsewhere": [r for r in resources if not r.applies_in(nation)],
        }
        return render(request, "decisions/outcome.html", context)
    question = result.question
    glosses = question_glosses(question)
    context = {
        "tree": tree,
        "walk": result,
        "question": question,
        "hidden_answers": [answer_code(step.question, step.answer) for step in result.steps],
        "choices": [
            (answer_code(question, answer), answer.label) for answer in question.answers.all()
        ],
        "was_chosen": request.GET.get(CHOSEN, ""),
        "not_answered": request.GET.get("q") == question.slug,
        "my_gloss": next((g for g in glosses if g.workplace.slug == chosen), None),
        "other_glosses": [g for g in glosses if g.workplace.slug != chosen],
        "chosen_workplace": chosen,
        "step_number": len(result.steps) + 1,
        # The nations' differences are said once, at the start and at the end.
        **(nation_context if not result.steps else {"chosen_nation": nation}),
    }
    status = 400 if context["not_answered"] else 200
    return render(request, "decisions/question.html", context, status=status)


def _branch(question, questions, outcomes, drawn):
    """One question and everything below it, for the flow chart. A question that several
    answers lead to is drawn once; later answers point back to it."""
    drawn.add(question.pk)
    answers = []
    for answer in question.answers.all():
        target = questions.get(answer.next_question_id)
        node = {"label": answer.label}
        if target is not None and target.pk not in drawn:
            node["question"] = _branch(target, questions, outcomes, drawn)
        elif target is not None:
            node["see"] = target
        elif answer.outcome_id in outcomes:
            node["outcome"] = outcomes[answer.outcome_id]
        answers.append(node)
    return {"question": question, "answers": answers}


def overview_context(tree) -> dict:
    questions = {q.pk: q for q in tree.questions.all()}
    outcomes = {o.pk: o for o in tree.outcomes.all()}
    start = questions.get(tree.start_question_id)
    chart = _branch(start, questions, outcomes, set()) if start else None
    return {"tree": tree, "chart": chart, "outcomes": outcomes.values()}


@require_safe
def overview(request, slug):
    tree = _tree(slug)
    return render(request, "decisions/overview.html", overview_context(tree))
