"""Keep each page's stored reading ease current, so admin lists show it without extra queries.

An app whose page is scored from its parts too rescores it when a part changes (see
resources.signals)."""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from core.models import ReviewedContent

from .checker import reading_ease


@receiver(pre_save)
def score_before_saving(sender, instance, raw=False, **kwargs):
    if not raw and isinstance(instance, ReviewedContent):
        instance.reading_ease = reading_ease(instance.readable_text())
