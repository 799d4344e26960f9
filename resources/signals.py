"""Keep a script's stored reading ease current when one of its parts changes (a page's own score
is kept by plain_english.signals)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from plain_english.checker import reading_ease

from .models import Script, ScriptPart


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
