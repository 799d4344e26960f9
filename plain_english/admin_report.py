"""The plain-English report, the live check and the publishing gate in every content admin.

- The report sits at the top of the change form, and each field's own findings sit under it.
- "Check plain English" is a submit button: the form comes back with the report for what was
  typed, and nothing is saved. With JavaScript, static/js/plain_english.js asks
  `<id>/plain-english/` for the same report as the editor types.
- A page that fails cannot be saved as published, in the form or by the list action, unless a
  publisher gives a reason; the reason is kept in the page's history.
"""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core import publishing
from core.admin_mixins import OwnerFilter, ReviewDueFilter, ReviewedContentAdmin
from core.models import Status
from core.review_admin import record_review

from .checker import DEFAULT_MIN_SCORE, Report, check_texts
from .reader_fields import texts_of_form
from .services import (
    may_publish_despite_blockers,
    override_comment,
    publication_blockers,
)

CHECK_BUTTON = "_check_plain_english"
REASON_FIELD = "plain_english_reason"
CHECK_ONLY = "plain_english_check_only"
# A report lists at most this many sentences per field, so a huge page stays quick to open.
MOST_SENTENCES_SHOWN = 100


class HardToReadFilter(admin.SimpleListFilter):
    title = "reading ease"
    parameter_name = "reading"

    def lookups(self, request, model_admin):
        return [("hard", f"Hard to read (below {DEFAULT_MIN_SCORE})")]

    def queryset(self, request, queryset):
        if self.value() == "hard":
            return queryset.filter(reading_ease__lt=DEFAULT_MIN_SCORE)
        return queryset


@admin.display(description="Reading ease", ordering="reading_ease")
def reading_ease_column(obj):
    if obj.reading_ease is None:
        return "–"
    css = "hub-overdue" if obj.reading_ease < DEFAULT_MIN_SCORE else ""
    return format_html('<span class="{}">{}</span>', css, round(obj.reading_ease))


# --- The report as HTML -----------------------------------------------------------------------


def _groups(report: Report, keys_with_a_field: set[str]) -> list[dict]:
    return [
        {
            "field": group.field,
            "anchor": f"id_{group.key}" if group.key in keys_with_a_field else "",
            "sentence": group.sentence,
            "fails": group.fails,
            "problems": [finding.message for finding in group.findings],
        }
        for group in report.by_sentence()
    ]


def summary_html(report: Report, *, keys_with_a_field: set[str], checked_only: bool) -> str:
    groups = _groups(report, keys_with_a_field)
    return render_to_string(
        "admin/plain_english/summary.html",
        {
            "report": report,
            "passes": report.passes(),
            "min_score": DEFAULT_MIN_SCORE,
            "reading_age": round(report.reading_age),
            "groups": groups[: MOST_SENTENCES_SHOWN * 4],
            "hidden": max(0, len(groups) - MOST_SENTENCES_SHOWN * 4),
            "checked_only": checked_only,
        },
    )


def field_html(report: Report, key: str) -> str:
    groups = report.for_key(key)
    return render_to_string(
        "admin/plain_english/field_report.html",
        {
            "groups": groups[:MOST_SENTENCES_SHOWN],
            "hidden": max(0, len(groups) - MOST_SENTENCES_SHOWN),
        },
    ).strip()


# --- The form ---------------------------------------------------------------------------------


class PlainEnglishAdminForm(forms.ModelForm):
    """Checks the page as posted, and stops it going live if it fails, unless a publisher gives a
    reason. `plain_english_request` is set by PlainEnglishAdmin.get_form."""

    plain_english_reason = forms.CharField(
        label="Why publish it anyway?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Only when this page fails the check. Your reason is kept in its history.",
    )

    plain_english_request = None
    plain_english_report: Report | None = None

    def clean(self):
        cleaned = super().clean()
        request = self.plain_english_request
        if request is None:
            return cleaned
        formsets = getattr(request, "plain_english_formsets", [])
        self.plain_english_report = report = check_texts(texts_of_form(self, formsets))
        if CHECK_BUTTON in self.data:
            # Stops the save; the admin then shows the form again, with the report.
            raise ValidationError("Checked, not saved.", code=CHECK_ONLY)
        status = cleaned.get("status", getattr(self.instance, "status", None))
        if status != Status.PUBLISHED or getattr(request, "hub_saving_draft", False):
            # A draft is checked again when it is published (core.publishing).
            return cleaned
        blockers = publication_blockers(self.instance, report=report)
        if not blockers:
            return cleaned
        reason = (cleaned.get(REASON_FIELD) or "").strip()
        if not may_publish_despite_blockers(request.user):
            self.add_error(
                "status" if "status" in self.fields else None,
                "This page fails the plain-English check, so it cannot be published. Fix what "
                "the report at the top lists, or save it as a draft and ask a publisher.",
            )
        elif not reason:
            self.add_error(
                REASON_FIELD,
                "This page fails the plain-English check. To publish it anyway, say why.",
            )
        else:
            request.plain_english_override = reason
        return cleaned

    def only_checked(self) -> bool:
        return any(
            error.code == CHECK_ONLY for error in self.errors.as_data().get(NON_FIELD_ERRORS, [])
        )


class PlainEnglishAdmin:
    """Mixed into the admin of every kind of content readers see (before the ModelAdmin)."""

    form = PlainEnglishAdminForm
    change_form_template = "admin/plain_english/change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        return type(form_class.__name__, (form_class,), {"plain_english_request": request})

    def _create_formsets(self, request, obj, change):
        # Django makes the inline formsets before it validates the form; keep them, so the
        # form's check reads the glosses and parts as posted too.
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        request.plain_english_formsets = formsets
        return formsets, inline_instances

    def get_urls(self):
        info = (self.opts.app_label, self.opts.model_name)
        view = self.admin_site.admin_view(require_POST(self.plain_english_view))
        return [
            path("add/plain-english/", view, name="{}_{}_plain_english_add".format(*info)),
            path(
                "<path:object_id>/plain-english/",
                view,
                name="{}_{}_plain_english".format(*info),
            ),
            *super().get_urls(),
        ]

    def _plain_english_url(self, obj) -> str:
        info = (self.opts.app_label, self.opts.model_name)
        if obj is not None and obj.pk:
            return reverse("admin:{}_{}_plain_english".format(*info), args=[obj.pk])
        return reverse("admin:{}_{}_plain_english_add".format(*info))

    def plain_english_view(self, request, object_id=None):
        """The report for the form as posted, as JSON, for the check as the editor types."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            return JsonResponse({"error": "Not found."}, status=404)
        allowed = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        fieldsets = self.get_fieldsets(request, obj)
        form_class = self.get_form(
            request, obj, change=obj is not None, fields=flatten_fieldsets(fieldsets)
        )
        form = form_class(request.POST, request.FILES, instance=obj)
        formsets, _ = self._create_formsets(request, form.instance, change=obj is not None)
        report = check_texts(texts_of_form(form, formsets))
        keys = _field_keys(form, formsets)
        return JsonResponse(
            {
                "passes": report.passes(),
                "summary": summary_html(report, keys_with_a_field=keys, checked_only=False),
                "fields": {key: field_html(report, key) for key in keys},
            }
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        admin_form = context.get("adminform")
        form = admin_form.form if admin_form else None
        if isinstance(form, PlainEnglishAdminForm):
            formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
            checked_only = form.is_bound and form.only_checked()
            if checked_only:
                # The check stopped the save on purpose: it is not an error to correct.
                _forget_the_check_error(form)
                context["errors"] = helpers.AdminErrorList(form, formsets)
            report = form.plain_english_report
            if report is None:
                report = check_texts(texts_of_form(form, formsets))
            keys = _field_keys(form, formsets)
            _show_beside_each_field(report, form, context.get("inline_admin_formsets", []))
            context["plain_english"] = {
                "summary": summary_html(report, keys_with_a_field=keys, checked_only=checked_only),
                "url": self._plain_english_url(obj),
                "button": CHECK_BUTTON,
                "reason": form[REASON_FIELD]
                if may_publish_despite_blockers(request.user)
                else None,
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._keep_override_reason(request, entry)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._keep_override_reason(request, entry)
        return entry

    def _keep_override_reason(self, request, entry) -> None:
        reason = getattr(request, "plain_english_override", "")
        if reason and reversion.is_active():
            changed = entry.get_change_message()
            reversion.set_comment(f"{changed} {override_comment(reason)}".strip())


def _forget_the_check_error(form) -> None:
    others = [e for e in form.errors.as_data()[NON_FIELD_ERRORS] if e.code != CHECK_ONLY]
    if others:
        form.errors[NON_FIELD_ERRORS] = form.error_class(others, error_class="nonfield")
    else:
        del form.errors[NON_FIELD_ERRORS]


def _field_keys(form, formsets) -> set[str]:
    """The form keys of every reader-facing field shown in the form, inlines included."""
    from .reader_fields import reader_fields

    keys = set()
    for each in [form, *(child for formset in formsets for child in formset.forms)]:
        spec = reader_fields(each._meta.model)
        if spec is not None:
            keys |= {each.add_prefix(name) for name in spec.fields if name in each.fields}
    return keys


def _show_beside_each_field(report: Report, form, inline_admin_formsets) -> None:
    """Each field's findings go in a box under it. In a form or a stacked inline the box goes in
    the field's help text, which the admin shows under the field and links to it for screen
    readers; a table row shows no help text, so there the box follows the field's input. The box
    is there even when empty, for the check as you type to fill."""
    from .reader_fields import reader_fields

    placed = [(form, False)]
    for inline in inline_admin_formsets:
        in_a_table = isinstance(inline.opts, admin.TabularInline)
        placed += [(child, in_a_table) for child in inline.formset.forms]
    for each, in_a_table in placed:
        spec = reader_fields(each._meta.model)
        if spec is None:
            continue
        for name in spec.fields:
            if name not in each.fields:
                continue
            key = each.add_prefix(name)
            box = format_html(
                '<div class="hub-pe-field" id="plain-english-{}">{}</div>',
                key,
                mark_safe(field_html(report, key)),  # noqa: S308 (rendered by a template)
            )
            field = each.fields[name]
            if in_a_table:
                _render_after(field.widget, box)
                continue
            field.help_text = format_html(
                "{}{}",
                mark_safe(field.help_text or ""),  # noqa: S308 (the model's own help text)
                box,
            )
            each[name].help_text = field.help_text  # the bound field copied it when first read


def _render_after(widget, html: str) -> None:
    """Make this form's own copy of a widget render `html` after its input."""
    render = widget.render

    def render_then_report(name, value, attrs=None, renderer=None):
        return render(name, value, attrs, renderer) + html

    widget.render = render_then_report


# --- Publishing from the list -----------------------------------------------------------------


@admin.action(description="Publish", permissions=["publish"])  # has_publish_permission
def publish(modeladmin, request, queryset):
    """Publish the chosen drafts. One that fails the plain-English check is published only by a
    publisher who gives a reason on the page this action shows."""
    drafts = list(queryset.drafts())
    blockers = {item.pk: publication_blockers(item) for item in drafts}
    failing = [item for item in drafts if blockers[item.pk]]
    reason = (request.POST.get(REASON_FIELD) or "").strip()
    may_override = may_publish_despite_blockers(request.user)
    if failing and may_override and not reason:
        if "plain_english_confirm" in request.POST:
            modeladmin.message_user(request, "Say why, to publish them anyway.", messages.ERROR)
        return TemplateResponse(
            request,
            "admin/plain_english/publish_despite.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": "Publish despite the plain-English check?",
                "opts": modeladmin.opts,
                "drafts": drafts,
                "failing": [(item, blockers[item.pk]) for item in failing],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "reason_field": REASON_FIELD,
            },
        )
    published, refused, stuck = [], [], []
    # One revision holds the whole action, so its comment names what was overridden.
    with reversion.create_revision():
        for item in drafts:
            outcome = publishing.publish(
                item,
                by=request.user,
                comment="Published.",
                override_reason=reason if may_override else "",
                overrider=may_override,
            )
            if outcome.published:
                published.append(item)
            elif outcome.problems:
                stuck.append((item, outcome.problems))
            elif outcome.overridable:
                refused.append(item)
        overridden = [item for item in published if blockers[item.pk]]
        comment = "Published."
        if overridden:
            names = ", ".join(f"“{item}”" for item in overridden)
            comment = f"{override_comment(reason)} (for {names})"
        reversion.set_comment(comment)
    for item, problems in stuck:
        modeladmin.message_user(
            request, f"“{item}” stays a draft: {' '.join(problems)}", messages.ERROR
        )
    if published:
        modeladmin.message_user(request, f"Published {len(published)}.", messages.SUCCESS)
    if refused:
        names = ", ".join(f"“{item}”" for item in refused)
        modeladmin.message_user(
            request,
            f"Not published, because they fail the plain-English check: {names}. Open each to "
            "see its report, or ask a publisher.",
            messages.ERROR,
        )


# --- The admin of every kind of reviewed content --------------------------------------------


class PlainEnglishContentAdmin(PlainEnglishAdmin, ReviewedContentAdmin):
    """History, compare and restore, review dates and preview (core.admin_mixins), with the
    plain-English report, live check and publishing gate."""

    list_display = ["title", "status", "owner", "review_due", reading_ease_column, "updated"]
    list_filter = ["status", ReviewDueFilter, OwnerFilter, HardToReadFilter, "topics"]
    actions = [record_review, publish]

    class Media:
        js = ["js/plain_english.js"]
