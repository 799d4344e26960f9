"""Keep each page's stored reading ease current, so admin lists show it without extra queries."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from hub.models import ReviewedContent
from resources.models import Script, ScriptPart

from .checker import reading_ease


@receiver(pre_save)
def score_before_saving(sender, instance, raw=False, **kwargs):
    if not raw and isinstance(instance, ReviewedContent):
        instance.reading_ease = reading_ease(instance.readable_text())


@receiver(post_save, sender=ScriptPart)
@receiver(post_delete, sender=ScriptPart)
def rescore_script_when_a_part_changes(sender, instance, raw=False, **kwargs):
    if raw:
        return
    script = Script.objects.filter(pk=instance.script_id).first()
    if script is not None:
        Script.objects.filter(pk=script.pk).update(
            reading_ease=reading_ease(script.readable_text())
        )
