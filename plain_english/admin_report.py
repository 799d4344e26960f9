"""The plain-English report and list tools that every content admin shows."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from .checker import DEFAULT_MIN_SCORE, check_text


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


def plain_english_report(obj) -> str:
    """HTML for the change form: the score, then each flagged sentence with its problem."""
    if not obj.pk:
        return "Save first to see the plain-English report."
    report = check_text(obj.readable_text())
    verdict = (
        "Easy enough to read."
        if report.reading_ease >= DEFAULT_MIN_SCORE
        else f"Hard to read: aim for {DEFAULT_MIN_SCORE} or more."
    )
    summary = format_html(
        "<p><strong>Reading ease {}</strong> (reading age about {}). {}</p>",
        report.reading_ease,
        round(report.reading_age),
        verdict,
    )
    if not report.findings:
        return summary + format_html(
            "<p>{}</p>", "No long sentences, passive voice or jargon found."
        )
    items = format_html_join(
        "",
        "<li><strong>{}</strong>: “{}”</li>",
        ((finding.message, finding.sentence) for finding in report.findings),
    )
    return summary + format_html('<ul class="hub-report">{}</ul>', items)
