"""The link report: what the link checker found, and a one-click fix for links that moved."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .linkcheck import replace_url_everywhere
from .models import BROKEN_AFTER_RUNS, FAILURES, CheckedLink, LinkCheckResult


class ReportedBrokenFilter(admin.SimpleListFilter):
    title = "reported broken"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [
            ("yes", f"Broken or probably gone {BROKEN_AFTER_RUNS} runs in a row"),
            ("once", "Broken or probably gone on the last run only"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.reported_broken()
        if self.value() == "once":
            return queryset.filter(outcome__in=FAILURES, consecutive_failures__lt=BROKEN_AFTER_RUNS)
        return queryset


class ContentChangedFilter(admin.SimpleListFilter):
    title = "page text changed"
    parameter_name = "changed"

    def lookups(self, request, model_admin):
        return [("30", "In the last 30 days"), ("ever", "Ever"), ("never", "Never")]

    def queryset(self, request, queryset):
        if self.value() == "30":
            since = timezone.now() - datetime.timedelta(days=30)
            return queryset.filter(content_changed_at__gte=since)
        if self.value() == "ever":
            return queryset.filter(content_changed_at__isnull=False)
        if self.value() == "never":
            return queryset.filter(content_changed_at__isnull=True)
        return queryset


def _replace(modeladmin, request, link: CheckedLink) -> None:
    if not link.is_moved_permanently or not link.suggested_url:
        modeladmin.message_user(
            request, f"{link.url} has not moved permanently; nothing replaced.", messages.WARNING
        )
        return
    result = replace_url_everywhere(old_url=link.url, new_url=link.suggested_url, user=request.user)
    if result.changed:
        modeladmin.message_user(
            request,
            f"Replaced {link.url} with {link.suggested_url} in {len(result.changed)} "
            f"{'place' if len(result.changed) == 1 else 'places'}: {'; '.join(result.changed)}. "
            "Each change is in its history.",
            messages.SUCCESS,
        )
    for problem in result.not_changed:
        modeladmin.message_user(request, f"Not replaced in {problem}.", messages.ERROR)
    if not result.changed and not result.not_changed:
        modeladmin.message_user(request, f"{link.url} is no longer used anywhere.", messages.INFO)


@admin.action(
    description="Replace this URL everywhere with its new address", permissions=["change"]
)
def replace_everywhere(modeladmin, request, queryset):
    for link in queryset:
        _replace(modeladmin, request, link)


class HistoryInline(admin.TabularInline):
    model = LinkCheckResult
    fields = ["checked_at", "outcome", "status_code", "final_url", "error", "content_changed"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "last checks"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CheckedLink)
class CheckedLinkAdmin(admin.ModelAdmin):
    list_display = [
        "address",
        "result",
        "status_code",
        "consecutive_failures",
        "moved_to",
        "content_changed_at",
        "checked_at",
        "places",
    ]
    list_filter = [
        "outcome",
        ReportedBrokenFilter,
        ContentChangedFilter,
        "redirect_kind",
    ]
    search_fields = ["url", "final_url", "error"]
    actions = [replace_everywhere]
    inlines = [HistoryInline]
    list_per_page = 100
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["url", "result", "status_code", "error", "where_used"]}),
        (
            "Redirects",
            {"fields": ["final_url", "redirect_kind", "replace_button", "chain"]},
        ),
        (
            "Page text",
            {"fields": ["content_changed_at", "fingerprint", "etag", "last_modified"]},
        ),
        (
            "Checks",
            {"fields": ["checked_at", "next_check_due", "consecutive_failures", "first_seen"]},
        ),
    ]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    # The checker adds and removes addresses as content changes; editors only act on them.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Address", ordering="url")
    def address(self, obj):
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.url, obj.url)

    @admin.display(description="Result", ordering="outcome")
    def result(self, obj):
        if not obj.outcome:
            return "Not checked yet"
        label = obj.get_outcome_display()
        if obj.is_reported_broken:
            label = f"{label} {obj.consecutive_failures} runs in a row"
        elif obj.outcome in FAILURES:
            label = f"{label} once: checking again next run"
        elif obj.redirect_kind:
            label = obj.get_redirect_kind_display()
        return format_html('<span class="hub-link-{}">{}</span>', obj.outcome, label)

    @admin.display(description="Moved to")
    def moved_to(self, obj):
        if obj.is_moved_permanently:
            return obj.suggested_url
        return obj.final_url if obj.redirect_kind else ""

    @admin.display(description="Used in")
    def places(self, obj):
        return len(obj.used_in)

    @admin.display(description="Used in")
    def where_used(self, obj):
        if not obj.used_in:
            return "Not used anywhere now."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{} “{}”</a> ({})</li>',
                (
                    (
                        use["admin_url"] or use["public_url"],
                        use["kind"],
                        use["object"],
                        use["field"],
                    )
                    for use in obj.used_in
                ),
            ),
        )

    @admin.display(description="Redirect chain")
    def chain(self, obj):
        if not obj.redirect_chain:
            return "No redirects."
        return format_html(
            "<ol>{}<li>{}</li></ol>",
            format_html_join(
                "", "<li>{} → {}</li>", ((hop["url"], hop["status"]) for hop in obj.redirect_chain)
            ),
            obj.final_url,
        )

    @admin.display(description="New address")
    def replace_button(self, obj):
        if not obj.is_moved_permanently:
            return "-"
        # The admin's own form carries the CSRF token; formaction sends it to the replace view.
        return format_html(
            '{} <button type="submit" class="button" formaction="{}">'
            "Replace this URL everywhere</button>",
            obj.suggested_url,
            reverse("admin:links_checkedlink_replace", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/replace/",
                self.admin_site.admin_view(self.replace_view),
                name="links_checkedlink_replace",
            ),
            *super().get_urls(),
        ]

    def replace_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        link = self.get_object(request, str(object_id))
        if link is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        if not self.has_change_permission(request, link):
            raise PermissionDenied
        _replace(self, request, link)
        return HttpResponseRedirect(reverse("admin:links_checkedlink_changelist"))
