"""Storing reader feedback, rate-limited per client through the cache all app servers share."""

from django.conf import settings
from django.core.cache import cache

from .models import Feedback

WINDOW_SECONDS = 60 * 60


def over_rate_limit(address: str) -> bool:
    key = f"hub:feedback-rate:{address}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count > settings.HUB_FEEDBACK_RATE


def record_feedback(*, page: str, useful: bool, comment: str) -> Feedback:
    return Feedback.objects.create(page=page, useful=useful, comment=comment.strip())


def add_comment(*, feedback_id: int, comment: str) -> str | None:
    """Add the optional comment to a vote just recorded, once. Returns the page, or None."""
    updated = Feedback.objects.filter(pk=feedback_id, comment="").update(comment=comment.strip())
    if not updated:
        return None
    return Feedback.objects.values_list("page", flat=True).get(pk=feedback_id)
