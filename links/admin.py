"""The link report: what the link checker found, and a one-click fix for links that moved."""

import contextlib
import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from core.admin_mixins import content_admin_extras

from . import sources
from .diffs import word_diff
from .linkcheck import replace_url_everywhere
from .models import BROKEN_AFTER_RUNS, FAILURES, CheckedLink, LinkCheckResult


def _day(moment) -> str:
    day = timezone.localdate(moment) if isinstance(moment, datetime.datetime) else moment
    return f"{day.day} {day:%B %Y}"


def changes_url(link: CheckedLink, *, since: datetime.date | None = None) -> str:
    url = reverse("admin:links_checkedlink_changes", args=[link.pk])
    return f"{url}?since={since.isoformat()}" if since else url


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
        "text_changed",
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
        (None, {"fields": ["url", "open_page", "result", "status_code", "error", "where_used"]}),
        (
            "Redirects",
            {"fields": ["final_url", "redirect_kind", "replace_button", "chain"]},
        ),
        (
            "Page text",
            {
                "fields": [
                    "content_changed_at",
                    "what_changed",
                    "fingerprint",
                    "etag",
                    "last_modified",
                ]
            },
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
        # The row's link to its details (where it is used, and the fix for a moved link), so
        # it must be named: a link to the page itself here, inside the admin's own link, left
        # the admin's link empty. The details page links to the page.
        return obj.url

    @admin.display(description="Open the page")
    def open_page(self, obj):
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.url, obj.url)

    @admin.display(description="Page text changed", ordering="content_changed_at")
    def text_changed(self, obj):
        if not obj.content_changed_at:
            return "-"
        return format_html(
            '<a href="{}">{}<span class="visually-hidden">: what changed on {}</span></a>',
            changes_url(obj),
            _day(obj.content_changed_at),
            obj.url,
        )

    @admin.display(description="What changed")
    def what_changed(self, obj):
        texts = list(obj.texts.defer("packed"))
        if not texts:
            return (
                "We do not keep this page's text: it is not a resource's own address, "
                "or not a web page."
            )
        if len(texts) == 1:
            return (
                f"We keep the page's text as read on {_day(texts[0].read_at)}. "
                "It has not changed since."
            )
        return format_html(
            '<a href="{}">See what changed on the page, word by word</a> ({} versions kept, '
            "the first read on {}).",
            changes_url(obj),
            len(texts),
            _day(texts[-1].read_at),
        )

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
                "<int:object_id>/changes/",
                self.admin_site.admin_view(self.changes_view),
                name="links_checkedlink_changes",
            ),
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

    def changes_view(self, request, object_id):
        """The page's text before and after, side by side, changed words marked. `?since=`
        a date compares the text as it was then (the last review of an item) with today's."""
        link = self.get_object(request, str(object_id))
        if link is None or not self.has_view_permission(request, link):
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        texts = list(link.texts.all())
        since = None
        with contextlib.suppress(ValueError):
            since = datetime.date.fromisoformat(request.GET.get("since", ""))
        current = texts[0] if texts else None
        earlier = texts[1] if len(texts) > 1 else None
        if request.GET.get("version", "").isdigit():
            wanted = int(request.GET["version"])
            earlier = next((text for text in texts if text.pk == wanted), earlier)
        elif since is not None:
            then = sources.text_on(link, since)
            earlier = next((text for text in texts if then and text.pk == then.pk), None)
        diff = word_diff(earlier.text, current.text) if earlier and current else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"What changed on {link.url}",
            "link": link,
            "since": since,
            "earlier": earlier,
            "current": current,
            "diff": diff,
            "versions": [(text, f"{changes_url(link)}?version={text.pk}") for text in texts[1:]],
            "change_url": reverse("admin:links_checkedlink_change", args=[link.pk]),
        }
        return TemplateResponse(request, "admin/links/page_changes.html", context)


class SourceChangedFilter(admin.SimpleListFilter):
    """Items that use a page whose text changed after they were last reviewed."""

    title = "source changed"
    parameter_name = "source_changed"

    def lookups(self, request, model_admin):
        return [("yes", "Source changed: needs review")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return sources.with_unread_changes(queryset)
        return queryset


@admin.display(description="Source changed")
def source_changed(obj):
    """On every content item's change page: the pages it uses that changed since its review."""
    if obj is None or obj.pk is None:
        return "-"
    changes = sources.unread_changes(obj)
    if not changes:
        return "No page this links to has changed since it was last reviewed."
    return format_html(
        '<strong class="hub-source-changed">Source changed: needs review.</strong><ul>{}</ul>',
        format_html_join(
            "",
            "<li>{} changed on {}, after the last review on {}. "
            '<a href="{}">See what changed<span class="visually-hidden"> on {}</span></a></li>',
            (
                (
                    change.link.url,
                    _day(change.changed_on),
                    _day(obj.last_reviewed),
                    changes_url(change.link, since=obj.last_reviewed),
                    change.link.url,
                )
                for change in changes
            ),
        ),
    )


content_admin_extras.add(
    list_filter=SourceChangedFilter, fieldset=("Source changed", [source_changed])
)
