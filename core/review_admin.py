"""The review form of every kind of reviewed content, in its admin.

`<id>/review/` shows a short form: notes, three tick boxes and, when something stands in the
way (core.reviews), what it is and a box to say why the review should be recorded anyway. The
change page links to it, and the list's "Record a review" action leads to it for one item.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from . import reviews


class ReviewForm(forms.Form):
    notes = forms.CharField(
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=5000,
        help_text="What you checked and what you found or changed. Kept with the page's review.",
    )
    checked_links = forms.BooleanField(label=reviews.TICKS["checked_links"], required=False)
    checked_sources = forms.BooleanField(label=reviews.TICKS["checked_sources"], required=False)
    plain_english = forms.BooleanField(label=reviews.TICKS["plain_english"], required=False)
    reason = forms.CharField(
        label="Why record it anyway?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Only when something above stands in the way. Your reason is kept in the "
        "page's history.",
    )

    def __init__(self, *args, problems: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.problems = problems

    def clean(self):
        cleaned = super().clean()
        if self.problems and not (cleaned.get("reason") or "").strip():
            self.add_error(
                "reason",
                "Something stands in the way of this review (see the list above). Put it "
                "right first, or say why you are recording the review anyway.",
            )
        return cleaned

    def ticked(self) -> list[str]:
        return [key for key in reviews.TICKS if self.cleaned_data.get(key)]


@admin.action(description="Record a review", permissions=["change"])
def record_review(modeladmin, request, queryset):
    """Leads to the review form: a review is recorded one item at a time, with notes."""
    chosen = list(queryset[:2])
    if len(chosen) != 1:
        modeladmin.message_user(
            request,
            "Choose one item to record a review of. Each review has its own notes.",
            messages.WARNING,
        )
        return None
    return HttpResponseRedirect(modeladmin.review_url(chosen[0]))


class ReviewFormAdmin:
    """Mixed into ReviewedContentAdmin: the review form, its link and its list action."""

    review_form_template = "admin/core/review_form.html"

    def review_url(self, obj) -> str:
        info = (self.opts.app_label, self.opts.model_name)
        return reverse("admin:{}_{}_review".format(*info), args=[obj.pk])

    @admin.display(description="Review")
    def record_review_link(self, obj):
        if obj is None or not obj.pk:
            return "Save first, then record reviews here."
        return format_html('<a href="{}">Record a review</a>', self.review_url(obj))

    def get_urls(self):
        info = (self.opts.app_label, self.opts.model_name)
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="{}_{}_review".format(*info),
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        problems = reviews.what_stands_in_the_way(obj)
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
        )
        if request.method == "POST":
            form = ReviewForm(request.POST, problems=problems)
            if form.is_valid():
                outcome = reviews.record(
                    obj,
                    by=request.user,
                    notes=form.cleaned_data["notes"],
                    ticked=form.ticked(),
                    reason=form.cleaned_data["reason"],
                )
                if outcome.recorded:
                    self.message_user(
                        request,
                        f"Review of “{obj}” recorded. The next review is due on "
                        f"{obj.next_review_due.day} {obj.next_review_due:%B %Y}.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(change_url)
                form.problems = outcome.problems
        else:
            form = ReviewForm(problems=problems)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Record a review of “{obj}”",
            "opts": self.opts,
            "original": obj,
            "form": form,
            "problems": form.problems,
            "change_url": change_url,
            "interval": obj.review_interval_months(),
        }
        return TemplateResponse(request, self.review_form_template, context)
