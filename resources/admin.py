from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from reversion_compare.admin import CompareVersionAdmin

from hub.admin_mixins import ReviewDueFilter, ReviewedContentAdmin
from plain_english.admin_report import HardToReadFilter, reading_ease_column

from .models import (
    GlossaryTerm,
    Guide,
    GuideGloss,
    LinkState,
    Resource,
    ResourceGloss,
    ResourceRelevance,
    Script,
    ScriptGloss,
    ScriptPart,
    Stage,
    SynonymGroup,
    Topic,
    Workplace,
)


class GlossInline(admin.StackedInline):
    extra = 0
    fields = ["workplace", "body"]
    autocomplete_fields = []


class GuideGlossInline(GlossInline):
    model = GuideGloss


class ScriptGlossInline(GlossInline):
    model = ScriptGloss


class ResourceGlossInline(GlossInline):
    model = ResourceGloss


class ScriptPartInline(admin.StackedInline):
    model = ScriptPart
    extra = 0
    fields = ["kind", "position", "body"]


class ResourceRelevanceInline(admin.TabularInline):
    model = ResourceRelevance
    extra = 0


@admin.register(Guide)
class GuideAdmin(ReviewedContentAdmin):
    public_template = "resources/guide_detail.html"
    inlines = [GuideGlossInline]
    filter_horizontal = [
        "topics",
        "stages",
        "related_guides",
        "related_scripts",
        "related_resources",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "summary", "body", "preview_link"]}),
        ("Policy reminder", {"fields": ["check_policy_first", "policy_note"]}),
        ("Where it belongs", {"fields": ["topics", "stages", "tags", "urgent_route"]}),
        ("Related", {"fields": ["related_guides", "related_scripts", "related_resources"]}),
        ReviewedContentAdmin.plain_english_fieldset,
        ReviewedContentAdmin.review_fieldset,
    ]


@admin.register(Script)
class ScriptAdmin(ReviewedContentAdmin):
    public_template = "resources/script_detail.html"
    inlines = [ScriptPartInline, ScriptGlossInline]
    filter_horizontal = ["topics", "stages", "related_guides", "related_resources"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "summary", "body", "preview_link"]}),
        ("Where it belongs", {"fields": ["topics", "stages", "tags"]}),
        ("Related", {"fields": ["related_guides", "related_resources"]}),
        ("Policy reminder", {"fields": ["check_policy_first", "policy_note"]}),
        ReviewedContentAdmin.plain_english_fieldset,
        ReviewedContentAdmin.review_fieldset,
    ]


class LinkStateFilter(admin.SimpleListFilter):
    title = "link"
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return LinkState.choices

    def queryset(self, request, queryset):
        return queryset.filter(link_state=self.value()) if self.value() else queryset


@admin.register(Resource)
class ResourceAdmin(ReviewedContentAdmin):
    public_template = "resources/resource_detail.html"
    inlines = [ResourceRelevanceInline, ResourceGlossInline]
    list_display = [
        "title", "publisher", "kind", "status", "review_due", "link", reading_ease_column, "updated"
    ]  # fmt: skip
    list_filter = ["status", ReviewDueFilter, HardToReadFilter, LinkStateFilter, "kind", "topics"]
    search_fields = ["title", "summary", "body", "url", "publisher"]
    filter_horizontal = ["topics", "stages"]
    # An address typed without a scheme is taken as https, as Django 6 will do.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [
        *ReviewedContentAdmin.readonly_fields,
        "link_state",
        "link_checked_at",
        "page_changed_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "url", "publisher", "kind", "preview_link"]}),
        ("What it is and why it matters", {"fields": ["summary", "body", "licence_note"]}),
        ("Where it belongs", {"fields": ["topics", "stages", "tags"]}),
        ("Link", {"fields": ["link_state", "link_checked_at", "page_changed_at"]}),
        ReviewedContentAdmin.plain_english_fieldset,
        ReviewedContentAdmin.review_fieldset,
    ]

    @admin.display(description="Link", ordering="link_state")
    def link(self, obj):
        label = obj.get_link_state_display()
        if obj.needs_rereview:
            label = f"{label}; the page we point to has changed: re-review"
        return format_html('<span class="hub-link-{}">{}</span>', obj.link_state, label)


@admin.register(Workplace)
class WorkplaceAdmin(CompareVersionAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(CompareVersionAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Stage)
class StageAdmin(CompareVersionAdmin):
    list_display = ["name", "situation", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(CompareVersionAdmin):
    list_display = ["term", "slug", "updated"]
    search_fields = ["term", "definition"]
    prepopulated_fields = {"slug": ["term"]}


@admin.register(SynonymGroup)
class SynonymGroupAdmin(CompareVersionAdmin):
    list_display = ["words"]
    search_fields = ["words"]
