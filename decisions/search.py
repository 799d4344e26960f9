"""Decision tools in search: found by their title, introduction and outcomes."""

from core.rendering import markdown_to_text
from resources.search import SearchDocument, SearchKind, register_search_kind

from .models import DecisionTree, Outcome


def _document(tree: DecisionTree) -> SearchDocument:
    outcomes = [f"{o.title}\n{markdown_to_text(o.body)}" for o in tree.outcomes.all()]
    return SearchDocument(
        slug=tree.slug,
        title=tree.title,
        summary=tree.summary,
        body="\n".join([markdown_to_text(tree.introduction), *outcomes]),
        url=tree.get_absolute_url(),
        object_id=tree.pk,
    )


register_search_kind(
    SearchKind(
        name="decision",
        label="Decision tool",
        items=lambda: DecisionTree.objects.published().prefetch_related("outcomes"),
        document=_document,
        model=DecisionTree,
        related={Outcome: lambda outcome: DecisionTree.objects.filter(pk=outcome.tree_id)},
    )
)
