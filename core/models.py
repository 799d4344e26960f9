"""Changes waiting to go live, and pages waiting to come down."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class DraftQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        )

    def submitted(self):
        return self.filter(state=Draft.State.SUBMITTED)

    def due(self, now=None):
        return self.filter(go_live_at__lte=now or timezone.now())


class Draft(models.Model):
    """Unpublished changes to a live item and everything it owns (glosses, notes, parts...).

    The changes are held as django-reversion's serialised form of each object, so the live
    rows stay exactly as readers see them until the draft is published (core.publishing).
    """

    class State(models.TextChoices):
        EDITING = "editing", "Being edited"
        SUBMITTED = "submitted", "Waiting for approval"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=191)
    object_repr = models.CharField(max_length=200)
    versions = models.JSONField(default=list, help_text="Serialised objects, as reversion keeps.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.EDITING)
    note = models.TextField("note for the publisher", blank=True)
    comment = models.TextField("publisher's comment", blank=True)
    go_live_at = models.DateTimeField(null=True, blank=True, db_index=True)
    base_version = models.IntegerField(
        null=True, blank=True, help_text="The reversion Version of the live item it started from."
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = DraftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="one_draft_per_item")
        ]
        permissions = [
            (
                "publish_content",
                "Can approve, publish, unpublish, schedule, delete and restore content",
            )
        ]

    def __str__(self) -> str:
        return f"Draft of {self.object_repr}"

    @property
    def item(self):
        return self.content_type.get_object_for_this_type(pk=self.object_id)


class TakeDown(models.Model):
    """A live page a publisher has set to come off the site at a given time."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=191)
    object_repr = models.CharField(max_length=200)
    at = models.DateTimeField(db_index=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_take_down_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"Take down {self.object_repr} at {self.at:%Y-%m-%d %H:%M}"
