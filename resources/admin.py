from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.template.response import TemplateResponse
from django.utils.html import format_html
from reversion_compare.admin import CompareVersionAdmin

from core.admin_mixins import (
    ChangesShowAtOnceAdmin,
    NationNoteInline,
    OwnerFilter,
    ReviewDueFilter,
    UsedInAdmin,
)
from core.admin_roles import PublishersOnlyAdmin
from core.nations import NATION_NAMES, Nation
from core.restoring import SafeRestoreAdmin
from plain_english.admin_report import (
    HardToReadFilter,
    PlainEnglishContentAdmin,
    reading_ease_column,
)

from . import search
from .models import (
    BestBet,
    Fact,
    GlossaryTerm,
    Guide,
    GuideGloss,
    GuideNationNote,
    LinkState,
    OrganisationPolicy,
    Resource,
    ResourceGloss,
    ResourceNationNote,
    ResourceRelevance,
    Script,
    ScriptGloss,
    ScriptNationNote,
    ScriptPart,
    SearchEntry,
    SearchQueryDay,
    Stage,
    SynonymGroup,
    Topic,
    Workplace,
)
from .views import detail_context


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


class GuideNationNoteInline(NationNoteInline):
    model = GuideNationNote


class ScriptNationNoteInline(NationNoteInline):
    model = ScriptNationNote


class ResourceNationNoteInline(NationNoteInline):
    model = ResourceNationNote


class ResourceForm(forms.ModelForm):
    """The nations a resource applies to, as tick boxes; none ticked means all four."""

    nations = forms.MultipleChoiceField(
        choices=Nation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick the nations it applies to. Tick none when it applies to all four.",
    )

    class Meta:
        model = Resource
        fields = ["nations"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["nations"] = self.instance.nation_list

    def clean_nations(self):
        chosen = [slug for slug in NATION_NAMES if slug in self.cleaned_data["nations"]]
        return "" if len(chosen) == len(NATION_NAMES) else " ".join(chosen)


class ScriptPartInline(admin.StackedInline):
    model = ScriptPart
    extra = 0
    fields = ["kind", "position", "body"]


class ResourceRelevanceInline(admin.TabularInline):
    model = ResourceRelevance
    extra = 0


@admin.register(Guide)
class GuideAdmin(PlainEnglishContentAdmin):
    public_template = "resources/guide_detail.html"
    inlines = [GuideGlossInline, GuideNationNoteInline]
    filter_horizontal = [
        "topics",
        "stages",
        "related_guides",
        "related_scripts",
        "related_resources",
        "related_forms",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "summary", "body", "preview_link"]}),
        ("Policy reminder", {"fields": ["check_policy_first", "policy_note"]}),
        ("Where it belongs", {"fields": ["topics", "stages", "tags", "urgent_route"]}),
        (
            "Related",
            {
                "fields": [
                    "related_guides",
                    "related_scripts",
                    "related_resources",
                    "related_forms",
                ]
            },
        ),
        PlainEnglishContentAdmin.review_fieldset,
    ]

    def preview_context(self, request, obj):
        return detail_context(request, obj)


@admin.register(Script)
class ScriptAdmin(PlainEnglishContentAdmin):
    public_template = "resources/script_detail.html"
    inlines = [ScriptPartInline, ScriptGlossInline, ScriptNationNoteInline]
    filter_horizontal = [
        "topics",
        "stages",
        "related_guides",
        "related_resources",
        "related_forms",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "summary", "body", "preview_link"]}),
        ("Where it belongs", {"fields": ["topics", "stages", "tags"]}),
        ("Related", {"fields": ["related_guides", "related_resources", "related_forms"]}),
        ("Policy reminder", {"fields": ["check_policy_first", "policy_note"]}),
        PlainEnglishContentAdmin.review_fieldset,
    ]

    def preview_context(self, request, obj):
        return detail_context(request, obj)


class LinkStateFilter(admin.SimpleListFilter):
    title = "link"
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return LinkState.choices

    def queryset(self, request, queryset):
        return queryset.filter(link_state=self.value()) if self.value() else queryset


@admin.register(Resource)
class ResourceAdmin(PlainEnglishContentAdmin):
    public_template = "resources/resource_detail.html"
    form = ResourceForm
    inlines = [ResourceRelevanceInline, ResourceGlossInline, ResourceNationNoteInline]
    list_display = [
        "title", "publisher", "kind", "status", "owner", "review_due", "link", reading_ease_column,
        "updated",
    ]  # fmt: skip
    list_filter = [
        "status", ReviewDueFilter, OwnerFilter, HardToReadFilter, LinkStateFilter, "kind", "topics"
    ]  # fmt: skip
    search_fields = ["title", "summary", "body", "url", "publisher"]
    filter_horizontal = ["topics", "stages"]
    # An address typed without a scheme is taken as https, as Django 6 will do.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [
        *PlainEnglishContentAdmin.readonly_fields,
        "link_state",
        "link_checked_at",
        "page_changed_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "url", "publisher", "kind", "preview_link"]}),
        ("What it is and why it matters", {"fields": ["summary", "body", "licence_note"]}),
        ("Where it belongs", {"fields": ["nations", "topics", "stages", "tags"]}),
        ("Link", {"fields": ["link_state", "link_checked_at", "page_changed_at"]}),
        PlainEnglishContentAdmin.review_fieldset,
    ]

    def preview_context(self, request, obj):
        return detail_context(request, obj)

    @admin.display(description="Link", ordering="link_state")
    def link(self, obj):
        label = obj.get_link_state_display()
        if obj.needs_rereview:
            label = f"{label}; the page we point to has changed: re-review"
        return format_html('<span class="hub-link-{}">{}</span>', obj.link_state, label)


@admin.register(Workplace)
class WorkplaceAdmin(ChangesShowAtOnceAdmin, SafeRestoreAdmin, CompareVersionAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(ChangesShowAtOnceAdmin, SafeRestoreAdmin, CompareVersionAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Stage)
class StageAdmin(ChangesShowAtOnceAdmin, SafeRestoreAdmin, CompareVersionAdmin):
    list_display = ["name", "situation", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(
    UsedInAdmin, ChangesShowAtOnceAdmin, PublishersOnlyAdmin, SafeRestoreAdmin, CompareVersionAdmin
):
    # Pages write [[word]]: without the word, their links would lead nowhere.
    refuse_delete_when_used = True
    list_display = ["term", "slug", "updated"]
    search_fields = ["term", "definition"]
    prepopulated_fields = {"slug": ["term"]}


@admin.register(SynonymGroup)
class SynonymGroupAdmin(ChangesShowAtOnceAdmin, SafeRestoreAdmin, CompareVersionAdmin):
    list_display = ["words"]
    search_fields = ["words"]


@admin.register(Fact)
class FactAdmin(ChangesShowAtOnceAdmin, SafeRestoreAdmin, CompareVersionAdmin):
    """Facts that differ between the nations. Saving one changes every page that uses it."""

    list_display = ["name", "value", "description"]
    search_fields = ["name", "value", "description"]
    fieldsets = [
        (None, {"fields": ["name", "description", "value"]}),
        (
            "Where a nation differs",
            {
                "fields": ["england", "scotland", "wales", "northern_ireland"],
                "description": "Leave a nation empty to use the value above.",
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Pages name a fact in their text: renaming it would leave them pointing at nothing.
        return ["name"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # Pages name facts in their text and templates; an unused fact can simply stay.
        return False


@admin.register(OrganisationPolicy)
class OrganisationPolicyAdmin(
    ChangesShowAtOnceAdmin, PublishersOnlyAdmin, SafeRestoreAdmin, CompareVersionAdmin
):
    """The organisation's own policies, listed first in the policy box on matching pages."""

    list_display = ["title", "url"]
    search_fields = ["title", "note"]
    filter_horizontal = ["topics", "stages"]
    fields = ["title", "url", "note", "topics", "stages"]


# --- Search: best bets and what readers looked for ----------------------------------------------


def _page_choices() -> list[tuple[str, str]]:
    entries = SearchEntry.objects.exclude(kind="glossary").order_by("kind", "title")
    return [
        (f"{entry.kind}:{entry.slug}", f"{search.kind_label(entry.kind)}: {entry.title}")
        for entry in entries.only("kind", "slug", "title")
    ]


class BestBetForm(forms.ModelForm):
    page = forms.ChoiceField(
        label="page to recommend", help_text="Only published pages can be chosen."
    )

    class Meta:
        model = BestBet
        fields = ["query", "page", "position", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _page_choices()
        current = f"{self.instance.kind}:{self.instance.slug}" if self.instance.pk else ""
        if current and current not in dict(choices):
            choices.insert(0, (current, f"{current} (not published now)"))
        self.fields["page"].choices = [("", "---------"), *choices]
        self.initial.setdefault("page", current)

    def clean(self):
        cleaned = super().clean()
        kind, _, slug = cleaned.get("page", "").partition(":")
        self.instance.kind, self.instance.slug = kind, slug
        return cleaned


@admin.register(BestBet)
class BestBetAdmin(ChangesShowAtOnceAdmin, SafeRestoreAdmin, CompareVersionAdmin):
    form = BestBetForm
    list_display = ["query", "page_title", "position", "is_found"]
    search_fields = ["query", "slug"]

    @admin.display(description="page")
    def page_title(self, bet):
        entry = SearchEntry.objects.filter(kind=bet.kind, slug=bet.slug).first()
        return f"{search.kind_label(bet.kind)}: {entry.title}" if entry else bet.slug

    @admin.display(boolean=True, description="published")
    def is_found(self, bet):
        return SearchEntry.objects.filter(kind=bet.kind, slug=bet.slug).exists()


@admin.register(SearchQueryDay)
class SearchQueryDayAdmin(admin.ModelAdmin):
    """A report, not a list to edit: the top searches, and the searches that found nothing."""

    PERIODS = (7, 30, 180)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = int(request.GET.get("days", 30))
        except ValueError:
            days = 30
        days = days if days in self.PERIODS else 30
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "What readers searched for",
            "days": days,
            "periods": self.PERIODS,
            "kept_days": search.SEARCH_LOG_DAYS,
            "top": search.top_searches(days=days),
            "unfound": search.top_searches(days=days, only_unfound=True),
        }
        return TemplateResponse(request, "admin/resources/search_report.html", context)
