from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from reversion.admin import VersionAdmin

from core import drafts, publishing
from core.admin_mixins import ChangesShowAtOnceAdmin, NationNoteInline
from core.admin_roles import PublishersOnlyAdmin
from core.drafting_admin import DraftingAdmin
from core.restoring import SafeRestoreAdmin
from plain_english.admin_report import PlainEnglishAdmin, PlainEnglishContentAdmin

from .models import (
    Answer,
    DecisionTree,
    Outcome,
    OutcomeGloss,
    Question,
    QuestionGloss,
    TreeNationNote,
)
from .views import overview_context
from .walk import load_tree


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "slug", "prompt", "edit_answers"]
    readonly_fields = ["edit_answers"]
    show_change_link = True

    @admin.display(description="Answers")
    def edit_answers(self, obj):
        if not obj.pk:
            return "Save first"
        url = reverse("admin:decisions_question_change", args=[obj.pk])
        return format_html('<a href="{}">Answers and help</a>', url)


class OutcomeInline(admin.StackedInline):
    model = Outcome
    extra = 0
    fields = [
        "slug",
        "title",
        "body",
        "talk_to_hr",
        "call_acas_helpline",
        "guides",
        "scripts",
        "resources",
    ]
    filter_horizontal = ["guides", "scripts", "resources"]
    show_change_link = True  # its workplace glosses are edited on its own page


class TreeNationNoteInline(NationNoteInline):
    model = TreeNationNote


@admin.register(DecisionTree)
class DecisionTreeAdmin(PlainEnglishContentAdmin):
    inlines = [QuestionInline, OutcomeInline, TreeNationNoteInline]
    list_filter = ["status"]
    search_fields = ["title", "summary"]
    readonly_fields = [*PlainEnglishContentAdmin.readonly_fields, "tree_problems", "overview_link"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "status",
                    "summary",
                    "introduction",
                    "start_question",
                    "overview_link",
                ]
            },
        ),
        ("Checks", {"fields": ["tree_problems"]}),
        PlainEnglishContentAdmin.review_fieldset,
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "start_question":
            tree_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Question.objects.filter(tree_id=tree_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Problems")
    def tree_problems(self, obj):
        if not obj.pk:
            return "Save first."
        problems = obj.problems()
        if not problems:
            return "None: every answer leads somewhere and every path ends."
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in problems))
        )

    @admin.display(description="Flow chart")
    def overview_link(self, obj):
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}">See the whole tree</a>', reverse("decide_overview", args=[obj.slug])
        )

    def preview_view(self, request, object_id):
        """Drafts are not on the public site, so the preview shows the flow chart here."""
        tree = self.get_object(request, str(object_id))
        if tree is None or not self.has_view_permission(request, tree):
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        draft = drafts.draft_for(tree)
        with drafts.showing(tree, draft) as shown:
            context = overview_context(load_tree(DecisionTree.objects, shown.slug))
            preview = {"draft": draft, "problems": publishing.problems(shown)}
            response = TemplateResponse(
                request, "decisions/overview.html", {**context, "preview": preview}
            )
            response.render()
        return response


class AnswerInline(admin.TabularInline):
    model = Answer
    fk_name = "question"
    extra = 1
    fields = ["position", "label", "next_question", "outcome"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        question = Question.objects.filter(
            pk=request.resolver_match.kwargs.get("object_id")
        ).first()
        tree_id = question.tree_id if question else None
        if db_field.name == "next_question":
            kwargs["queryset"] = Question.objects.filter(tree_id=tree_id)
        if db_field.name == "outcome":
            kwargs["queryset"] = Outcome.objects.filter(tree_id=tree_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class QuestionGlossInline(admin.StackedInline):
    model = QuestionGloss
    extra = 0
    fields = ["workplace", "body"]


@admin.register(Question)
class QuestionAdmin(
    DraftingAdmin,
    ChangesShowAtOnceAdmin,
    PublishersOnlyAdmin,
    PlainEnglishAdmin,
    SafeRestoreAdmin,
    VersionAdmin,
):
    list_display = ["prompt", "slug", "tree", "position"]
    list_filter = ["tree"]
    search_fields = ["prompt", "slug"]
    inlines = [AnswerInline, QuestionGlossInline]
    fields = ["tree", "slug", "prompt", "help_text", "position"]

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/plain_english.js"]

    def has_module_permission(self, request):
        return False  # reached from its tree, not from the admin index

    def draft_root(self, obj):
        return obj.tree


class OutcomeGlossInline(admin.StackedInline):
    model = OutcomeGloss
    extra = 0
    fields = ["workplace", "body"]


@admin.register(Outcome)
class OutcomeAdmin(
    DraftingAdmin, ChangesShowAtOnceAdmin, PublishersOnlyAdmin, SafeRestoreAdmin, VersionAdmin
):
    list_display = ["title", "slug", "tree"]
    list_filter = ["tree"]
    search_fields = ["title", "slug"]
    inlines = [OutcomeGlossInline]
    fields = [
        "tree",
        "slug",
        "title",
        "body",
        "talk_to_hr",
        "call_acas_helpline",
        "guides",
        "scripts",
        "resources",
    ]
    filter_horizontal = ["guides", "scripts", "resources"]

    def has_module_permission(self, request):
        return False  # reached from its tree, not from the admin index

    def draft_root(self, obj):
        return obj.tree
