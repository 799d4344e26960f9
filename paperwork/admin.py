from django.contrib import admin

from hub.admin_mixins import ReviewedContentAdmin

from .models import Form, FormField, FormGloss


class FormFieldInline(admin.StackedInline):
    model = FormField
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


@admin.register(Form)
class FormAdmin(ReviewedContentAdmin):
    public_template = "paperwork/form_detail.html"
    inlines = [FormFieldInline, FormGlossInline]
    list_display = ["title", "kind", *ReviewedContentAdmin.list_display[1:]]
    list_filter = ["kind", *ReviewedContentAdmin.list_filter]
    search_fields = ["title", "summary", "body", "letter"]
    filter_horizontal = ["topics", "stages"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "summary", "preview_link"]}),
        ("About the form", {"fields": ["body", "when_to_use", "check_note"]}),
        ("Letter or policy text", {"fields": ["letter"]}),
        ("Where it belongs", {"fields": ["topics", "stages"]}),
        ReviewedContentAdmin.plain_english_fieldset,
        ReviewedContentAdmin.review_fieldset,
    ]

    def preview_view(self, request, object_id):
        response = super().preview_view(request, object_id)
        if hasattr(response, "context_data") and "object" in response.context_data:
            from .documents import blank_answers

            response.context_data["answers"] = blank_answers(response.context_data["object"])
        return response
