"""Admin behaviour shared by every kind of reviewed content."""

import datetime

from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.http import HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from reversion_compare.admin import CompareVersionAdmin

from . import drafts, publishing, usage
from .admin_roles import PublishersOnlyAdmin
from .drafting_admin import DraftingAdmin
from .restoring import SafeRestoreAdmin
from .review_admin import ReviewFormAdmin, record_review
from .roles import can_publish


class ChangesShowAtOnceAdmin:
    """For the admin of anything readers see: after a save or a delete, the side work is done
    once through core.publishing (reading ease, the search index, the page cache). Saves that
    core.drafting_admin handles (drafts of live items, publishing) do it there instead."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not getattr(request, "hub_drafting", False):
            publishing.changed(form.instance)

    def delete_model(self, request, obj):
        publishing.removed(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        publishing.removed(*queryset)
        super().delete_queryset(request, queryset)


class OwnerFilter(admin.SimpleListFilter):
    title = "owner"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("mine", "Mine"), ("none", "No owner")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(owner=request.user)
        if self.value() == "none":
            return queryset.filter(owner__isnull=True)
        return queryset


CONFIRM_FIELD = "_delete_although_used"
CONFIRM_ERROR = "Tick the box to say you know these pages use it, then delete it."


class UsedInAdmin:
    """ "Used in" on each item's change page: the pages that link to it or list it (core.usage).
    Deleting an item in use lists those pages and needs an extra tick to confirm; with
    `refuse_delete_when_used` (a glossary word), an item in use cannot be deleted at all."""

    refuse_delete_when_used = False
    delete_confirmation_template = "admin/core/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/core/delete_selected_confirmation.html"

    @admin.display(description="Used in")
    def used_in(self, obj):
        if obj is None or not obj.pk:
            return "Save first."
        uses = usage.where_used(obj)
        if not uses:
            return "Nothing links to it or lists it. You can rename, unpublish or delete it safely."
        return format_html(
            "<p>These pages link to it or list it. If you take it off the site or delete it, "
            "change them first. If you change its address (slug), readers of the old address "
            "are sent to the new one.</p>{}",
            usage.as_html(uses),
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and "used_in" not in fields:
            fields.append("used_in")
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and "used_in" not in flatten_fieldsets(fieldsets):
            fieldsets.append(("Used in", {"fields": ["used_in"]}))
        return fieldsets

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        uses = usage.where_used(obj) if obj is not None else []
        if uses and self.refuse_delete_when_used:
            self.message_user(request, refusal(obj, uses), messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
            )
        context = {**(extra_context or {}), "used_in": uses, "confirm_field": CONFIRM_FIELD}
        if uses and request.method == "POST" and not request.POST.get(CONFIRM_FIELD):
            # Shown again, with the places, deleting nothing.
            context["confirm_error"] = CONFIRM_ERROR
            request.POST = QueryDict()
        return super().delete_view(request, object_id, context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_safely, name, description)
        return actions


def refusal(obj, uses) -> str:
    return (
        f"You cannot delete “{obj}”, because these pages use it: {usage.describe(uses)} "
        "Take the links out of those pages first."
    )


def delete_selected_safely(modeladmin, request, queryset):
    """Django's "Delete selected", which also lists the pages that use what is deleted."""
    used = [(obj, uses) for obj in queryset if (uses := usage.where_used(obj))]
    if used and getattr(modeladmin, "refuse_delete_when_used", False):
        for obj, uses in used:
            modeladmin.message_user(request, refusal(obj, uses), messages.ERROR)
        return None
    error = ""
    if used and request.POST.get("post") and not request.POST.get(CONFIRM_FIELD):
        error = CONFIRM_ERROR
        posted = request.POST.copy()
        posted.pop("post")
        request.POST = posted
    response = admin_actions.delete_selected(modeladmin, request, queryset)
    if response is not None and getattr(response, "context_data", None) is not None:
        response.context_data.update(
            used_by_each=used, confirm_field=CONFIRM_FIELD, confirm_error=error
        )
    return response


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("30", "Due in the next 30 days")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today)
        if self.value() == "30":
            return queryset.filter(
                next_review_due__gte=today,
                next_review_due__lte=today + datetime.timedelta(days=30),
            )
        return queryset


class ContentAdminExtras:
    """What apps above core add to every content admin, without core knowing them: list
    filters, and read-only fields shown on the change page in a fieldset of their own, just
    before "Review". Each field is a function of the item, with `short_description`.
    (links adds "Source changed".)"""

    def __init__(self):
        self.list_filters: list = []
        self.fieldsets: list[tuple[str, list]] = []

    def add(self, *, list_filter=None, fieldset: tuple[str, list] | None = None) -> None:
        if list_filter is not None and list_filter not in self.list_filters:
            self.list_filters.append(list_filter)
        if fieldset is not None and fieldset[0] not in {name for name, _ in self.fieldsets}:
            self.fieldsets.append(fieldset)

    @property
    def fields(self) -> list:
        return [field for _, fields in self.fieldsets for field in fields]


content_admin_extras = ContentAdminExtras()


class ReviewedContentAdmin(
    ReviewFormAdmin,
    UsedInAdmin,
    DraftingAdmin,
    ChangesShowAtOnceAdmin,
    PublishersOnlyAdmin,
    SafeRestoreAdmin,
    CompareVersionAdmin,
):
    """History, compare and restore (django-reversion), review dates, drafts of live items and
    their preview (core.drafting_admin). Only publishers change the status, publish, delete or
    restore (core.admin_roles).

    Content admins use plain_english.admin_report.PlainEnglishContentAdmin, which adds the
    plain-English report, live check and publishing gate to this. Each names the template of
    its public page and the context the page needs (`preview_context`)."""

    public_template: str = ""
    list_display = ["title", "status", "owner", "review_due", "updated"]
    list_filter = ["status", ReviewDueFilter, OwnerFilter, "topics"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    actions = [record_review]
    readonly_fields = [
        "first_published",
        "created",
        "updated",
        "preview_link",
        "record_review_link",
    ]
    date_hierarchy = None
    list_per_page = 50
    show_full_result_count = False
    compare_exclude = ["tags"]  # taggit managers cannot be compared field by field

    class Media:
        css = {"all": ["css/admin.css"]}

    review_fieldset = (
        "Review",
        {
            "fields": [
                "owner",
                "record_review_link",
                "last_reviewed",
                "next_review_due",
                "reviewed_by",
                "review_notes",
                "first_published",
                "updated",
            ]
        },
    )

    @admin.display(description="Next review due", ordering="next_review_due")
    def review_due(self, obj):
        if obj.is_overdue:
            return format_html(
                '<strong class="hub-overdue">Overdue: {}</strong>', obj.next_review_due
            )
        return obj.next_review_due

    @admin.display(description="Preview")
    def preview_link(self, obj):
        if not obj.pk:
            return "Save first to preview."
        info = (self.opts.app_label, self.opts.model_name)
        return format_html(
            '<a href="{}">Preview the public page</a>',
            reverse("admin:{}_{}_preview".format(*info), args=[obj.pk]),
        )

    def get_urls(self):
        info = (self.opts.app_label, self.opts.model_name)
        return [
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="{}_{}_preview".format(*info),
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id):
        obj = self.get_object(request, str(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        draft = drafts.draft_for(obj)
        with drafts.showing(obj, draft) as shown:
            preview = {**preview_choices(request), "draft": draft}
            context = self.preview_context(request, shown)
            context["preview"] = {**preview, "problems": publishing.problems(shown)}
            response = TemplateResponse(request, self.public_template, context)
            response.render()
        return response

    def preview_context(self, request, obj) -> dict:
        """The context of the public page, as a reader with the editor's choices would see it."""
        raise NotImplementedError(f"{type(self).__name__} must say how to preview its pages.")

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), *content_admin_extras.list_filters]

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), *content_admin_extras.fields]
        # Publishers choose who owns a page; an author's new page is theirs.
        if not can_publish(request.user) and "owner" not in fields:
            fields.append("owner")
        return fields

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or not content_admin_extras.fieldsets or not self.fieldsets:
            return fieldsets
        extras = [(name, {"fields": fields}) for name, fields in content_admin_extras.fieldsets]
        names = [name for name, _ in fieldsets]
        at = names.index(self.review_fieldset[0]) if self.review_fieldset[0] in names else None
        return [*fieldsets[:at], *extras, *fieldsets[at:]] if at is not None else fieldsets + extras

    def save_model(self, request, obj, form, change):
        if "last_reviewed" in form.changed_data and not form.cleaned_data.get("reviewed_by"):
            obj.reviewed_by = request.user
        if not change and "owner" not in form.fields and obj.owner_id is None:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


class NationNoteInline(admin.StackedInline):
    """What is different in each nation, under any kind of content."""

    extra = 0
    fields = ["nation", "body"]


def preview_choices(request) -> dict:
    """A preview can be seen as a reader in any workplace and nation would see it: the choices
    come from the query string, in place of the editor's own cookies."""
    from django.apps import apps

    from .nations import NATION_COOKIE, NATION_NAMES
    from .workplace import WORKPLACE_COOKIE

    workplace_model = apps.get_model("resources", "Workplace")
    workplaces = list(workplace_model.objects.values_list("slug", "name"))
    cookies = dict(request.COOKIES)
    workplace = request.GET.get("workplace")
    if workplace in {slug for slug, _ in workplaces}:
        cookies[WORKPLACE_COOKIE] = workplace
    nation = request.GET.get("nation")
    if nation in NATION_NAMES:
        cookies[NATION_COOKIE] = nation
    request.COOKIES = cookies
    return {
        "workplaces": workplaces,
        "nations": list(NATION_NAMES.items()),
        "workplace": cookies.get(WORKPLACE_COOKIE, ""),
        "nation": cookies.get(NATION_COOKIE, ""),
    }
