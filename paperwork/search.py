"""Forms and letters in the hub's search, found by their title, purpose and field labels."""

from core.rendering import markdown_to_text
from resources.search import PAPERWORK, SearchDocument, SearchKind, register_search_kind

from .models import Form, FormField


def document(form: Form) -> SearchDocument:
    labels = [f"{field.label}. {field.help_text}" for field in form.fields.all()]
    return SearchDocument(
        slug=form.slug,
        title=form.title,
        summary=form.summary,
        body="\n".join([markdown_to_text(form.body), markdown_to_text(form.when_to_use), *labels]),
        url=form.get_absolute_url(),
        object_id=form.pk,
    )


register_search_kind(
    SearchKind(
        name="form",
        label="Form or letter",
        group=PAPERWORK,
        items=lambda: Form.objects.published().prefetch_related("fields"),
        document=document,
        model=Form,
        related={FormField: lambda field: [field.form]},
    )
)
