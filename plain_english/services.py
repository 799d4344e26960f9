"""Checking pages for plain English, for the admin, the command, the publishing gate and tests."""

from dataclasses import dataclass

from django.apps import apps

from core.models import ReviewedContent

from .checker import (
    DEFAULT_MIN_SCORE,
    JargonMatcher,
    Report,
    check_texts,
    load_jargon,
    reading_ease,
)
from .reader_fields import reader_fields, texts_of

PUBLISH_DESPITE_PERMISSION = "plain_english.publish_despite_plain_english"


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


def check_item(item, *, jargon: JargonMatcher | None = None) -> Report:
    """Every text readers see on one saved page, its parts included."""
    return check_texts(texts_of(item), jargon=jargon)


def check_published(*, min_score: float = DEFAULT_MIN_SCORE) -> list[PageReport]:
    jargon = JargonMatcher(load_jargon())
    reports = []
    for model in content_models():
        queryset = model.objects.published()
        spec = reader_fields(model)
        if spec is not None and spec.children:
            queryset = queryset.prefetch_related(*spec.children)
        for item in queryset.order_by("slug"):
            reports.append(
                PageReport(
                    kind=model._meta.verbose_name,
                    slug=item.slug,
                    title=item.title,
                    report=check_item(item, jargon=jargon),
                )
            )
    return reports


def blockers_in(report: Report, *, min_score: float = DEFAULT_MIN_SCORE) -> list[str]:
    """What in a report stops a page from being published, one line per sentence."""
    blockers = []
    if report.reading_ease < min_score:
        blockers.append(
            f"Reading ease {report.reading_ease:g} for the whole page: "
            f"aim for {min_score:g} or more."
        )
    for group in report.by_sentence():
        problems = "; ".join(finding.message for finding in group.findings if finding.fails)
        if problems:
            blockers.append(f"{group.field}: {problems}, in “{group.sentence}”")
    return blockers


def publication_blockers(item, *, report: Report | None = None) -> list[str]:
    """The gate every way of publishing calls: why this page would fail the plain-English check
    if it went live as it is (an empty list when nothing stands in the way). Pass `report` when
    the page's texts are not saved yet, as in an admin form."""
    return blockers_in(report if report is not None else check_item(item))


def may_publish_despite_blockers(user) -> bool:
    """Superusers, and users given the "publish despite the plain-English check" permission."""
    return bool(user and user.is_active and user.has_perm(PUBLISH_DESPITE_PERMISSION))


def override_comment(reason: str) -> str:
    """The words kept in the page's history when a publisher overrides the check."""
    return f"Published despite the plain-English check. Reason: {reason.strip()}"


def score_pages(items) -> None:
    """Keep each changed page's stored reading ease current, so admin lists show it without
    extra queries (called by core.publishing after every change)."""
    by_model: dict[type, list] = {}
    for item in items:
        if isinstance(item, ReviewedContent):
            item.reading_ease = reading_ease(item.readable_text())
            by_model.setdefault(type(item), []).append(item)
    for model, scored in by_model.items():
        model._default_manager.bulk_update(scored, ["reading_ease"], batch_size=200)
