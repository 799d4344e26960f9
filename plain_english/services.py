"""Checking every published page, for the command and the tests."""

from dataclasses import dataclass

from django.apps import apps

from hub.models import ReviewedContent

from .checker import DEFAULT_MIN_SCORE, Report, check_text, load_jargon


@dataclass
class PageReport:
    kind: str
    slug: str
    title: str
    report: Report

    def passes(self, min_score: float) -> bool:
        return self.report.passes(min_score)


def content_models() -> list[type[ReviewedContent]]:
    return [m for m in apps.get_models() if issubclass(m, ReviewedContent)]


def check_published(*, min_score: float = DEFAULT_MIN_SCORE) -> list[PageReport]:
    jargon = load_jargon()
    reports = []
    for model in content_models():
        queryset = model.objects.published()
        if model.__name__ == "Script":
            queryset = queryset.prefetch_related("parts")
        for item in queryset.order_by("slug"):
            reports.append(
                PageReport(
                    kind=model._meta.verbose_name,
                    slug=item.slug,
                    title=item.title,
                    report=check_text(item.readable_text(), jargon=jargon),
                )
            )
    return reports
