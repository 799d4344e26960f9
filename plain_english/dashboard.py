"""The dashboard's list of live pages that fail the plain-English check."""

from django.core.cache import cache

from core.cache import content_generation
from core.dashboard import Row, admin_url, register_panel

from .checker import DEFAULT_MIN_SCORE, JargonMatcher, load_jargon
from .services import check_item, content_models


def failing_pages() -> list[tuple[str, str]]:
    """(text, admin address) for each live page that fails, worked out once per generation."""
    key = f"hub:dashboard:plain-english:{content_generation()}"
    failing = cache.get(key)
    if failing is None:
        jargon = JargonMatcher(load_jargon())
        failing = []
        for model in content_models():
            for item in model.objects.published().order_by("title"):
                report = check_item(item, jargon=jargon)
                if not report.passes(DEFAULT_MIN_SCORE):
                    label = f"{item} ({model._meta.verbose_name})"
                    failing.append((label, admin_url(item)))
        cache.set(key, failing, timeout=60 * 60)
    return failing


def _failing(request):
    for text, url in failing_pages():
        yield Row(text, url)


def register() -> None:
    register_panel(
        "Live pages failing the plain-English check",
        _failing,
        order=60,
        empty="None: every live page passes.",
    )
