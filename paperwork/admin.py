from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from core.admin_mixins import NationNoteInline
from plain_english.admin_report import PlainEnglishContentAdmin
from resources.views import detail_context

from .models import Form, FormField, FormGloss, FormNationNote, placeholders


class FormFieldFormSet(BaseInlineFormSet):
    """Every ((placeholder)) in the letter must name one of the fields being saved with it."""

    def clean(self):
        super().clean()
        names = {
            form.cleaned_data.get("name")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        }
        missing = [name for name in placeholders(self.instance.letter or "") if name not in names]
        if missing:
            raise ValidationError(
                f"The letter's text uses (({missing[0]})), but no field has that name. "
                "Add the field, or change the placeholder."
            )


class FormFieldInline(admin.StackedInline):
    model = FormField
    formset = FormFieldFormSet
    extra = 0
    fields = [
        ("position", "name", "kind", "required"),
        "label",
        "help_text",
        "choices",
        ("columns", "rows"),
    ]


class FormGlossInline(admin.StackedInline):
    model = FormGloss
    extra = 0
    fields = ["workplace", "body"]


class FormNationNoteInline(NationNoteInline):
    model = FormNationNote


@admin.register(Form)
class FormAdmin(PlainEnglishContentAdmin):
    public_template = "paperwork/form_detail.html"
    inlines = [FormFieldInline, FormGlossInline, FormNationNoteInline]
    list_display = ["title", "kind", *PlainEnglishContentAdmin.list_display[1:]]
    list_filter = ["kind", *PlainEnglishContentAdmin.list_filter]
    search_fields = ["title", "summary", "body", "letter"]
    filter_horizontal = ["topics", "stages"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "summary", "preview_link"]}),
        ("About the form", {"fields": ["body", "when_to_use", "check_note"]}),
        ("Letter or policy text", {"fields": ["letter"]}),
        ("Where it belongs", {"fields": ["topics", "stages"]}),
        PlainEnglishContentAdmin.review_fieldset,
    ]

    def preview_context(self, request, obj):
        return detail_context(request, obj)

    def preview_view(self, request, object_id):
        response = super().preview_view(request, object_id)
        if hasattr(response, "context_data") and "object" in response.context_data:
            from .documents import blank_answers

            response.context_data["answers"] = blank_answers(response.context_data["object"])
        return response
