"""Changes waiting to go live, and pages waiting to come down."""

import calendar
import datetime

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .facts import fact_references
from .nations import Nation
from .rendering import MAX_MARKDOWN_CHARACTERS, glossary_links, render_markdown


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


class Redirect(models.Model):
    """An old address of a renamed page. Readers and links that still use it are sent on, with
    a permanent redirect, to wherever the page is now (so renaming twice still works)."""

    old_path = models.CharField(max_length=255, unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=191)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"], name="redirect_item")]

    def __str__(self) -> str:
        return f"{self.old_path} (renamed)"

    @property
    def item(self):
        model = self.content_type.model_class()
        if model is None:
            return None
        return model._default_manager.filter(pk=self.object_id).first()


# --- What every kind of content shares: status, review dates and rendered Markdown.


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def plain_line_endings(text: str) -> str:
    """Browsers send a text box's lines ending in CR LF; the hub keeps them as LF alone."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


class PlainLineEndings:
    """Every text field of a piece of content is kept with `\\n` line endings, however it was
    typed: so exported content files never hold CR LF, or text YAML can only write escaped.

    Mixed in before models.Model. It works in `clean_fields` (the admin's forms, before their
    checks count characters) and in `save` (every ORM save, the admin's included)."""

    def normalise_line_endings(self) -> None:
        for field in self._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                value = getattr(self, field.attname)
                if isinstance(value, str) and "\r" in value:
                    setattr(self, field.attname, plain_line_endings(value))

    def clean_fields(self, exclude=None):
        self.normalise_line_endings()
        super().clean_fields(exclude=exclude)

    def save(self, *args, **kwargs):
        self.normalise_line_endings()
        super().save(*args, **kwargs)


class RenderedMarkdownModel(PlainLineEndings, models.Model):
    """Stores each Markdown field next to its rendered HTML (`<field>_html`)."""

    markdown_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalise_line_endings()
        self.render_markdown_fields()
        super().save(*args, **kwargs)
        if not hasattr(self, "_loaded_slug"):  # made here, not loaded: its first address
            self._loaded_slug = self.__dict__.get("slug")

    def clean(self):
        super().clean()
        too_long = {
            name: (
                f"This is {len(getattr(self, name)):,} characters long; a field can hold at most "
                f"{MAX_MARKDOWN_CHARACTERS:,}. Split it into shorter pages."
            )
            for name in self.markdown_fields
            if len(getattr(self, name) or "") > MAX_MARKDOWN_CHARACTERS
        }
        if too_long:
            raise ValidationError(too_long)
        self.check_fact_references()
        self.check_hub_links()
        links = {name: glossary_links(getattr(self, name) or "") for name in self.markdown_fields}
        wanted = {slug for found in links.values() for _, slug in found}
        if not wanted:
            return
        known = set(
            apps.get_model("resources", "GlossaryTerm")
            .objects.filter(slug__in=wanted)
            .values_list("slug", flat=True)
        )
        errors = {}
        for name, found in links.items():
            missing = sorted({f"[[{written}]]" for written, slug in found if slug not in known})
            if missing:
                errors[name] = (
                    f"{', '.join(missing)} {'links' if len(missing) == 1 else 'link'} to no "
                    "glossary entry. Add the word to the glossary first, or change the link."
                )
        if errors:
            raise ValidationError(errors)

    def check_hub_links(self) -> None:
        """Every link to a hub page must lead to a page that exists (a draft is allowed; the
        publication rules stop a live page linking to one readers cannot see)."""
        from .internal_links import links_in, missing_in, pages

        texts = {name: getattr(self, name) or "" for name in self.markdown_fields}
        if not any(links_in(text) for text in texts.values()):
            return
        known = pages()  # read once for all the fields

        own = None
        if hasattr(self, "get_absolute_url") and self.pk:
            try:
                own = self.get_absolute_url()
            except Exception:  # a part whose page is not saved yet
                own = None
        errors = {}
        for name in self.markdown_fields:
            missing = [a for a in missing_in(texts[name], known) if a != own]
            if missing:
                errors[name] = (
                    f"{', '.join(missing)}: there is no such page on the hub. Check the address, "
                    "or add the page first."
                )
        if errors:
            raise ValidationError(errors)

    def check_fact_references(self) -> None:
        """Every {fact:name} must name a fact in the facts table, or readers would see the code."""
        used = {name: fact_references(getattr(self, name) or "") for name in self.markdown_fields}
        wanted = {fact for found in used.values() for fact in found}
        if not wanted:
            return
        known = set(
            apps.get_model("resources", "Fact")
            .objects.filter(name__in=wanted)
            .values_list("name", flat=True)
        )
        errors = {}
        for name, found in used.items():
            missing = sorted({f"{{fact:{fact}}}" for fact in found if fact not in known})
            if missing:
                errors[name] = (
                    f"{', '.join(missing)}: no fact has this name. Add it to the facts table "
                    "first, or check the spelling."
                )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the stored HTML was rendered from, so an unchanged field is not rendered again.
        instance._rendered_from = {
            name: instance.__dict__[name]
            for name in cls.markdown_fields
            if name in instance.__dict__
        }
        # The address it was loaded with, so a rename can leave a redirect (core.redirects).
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    def render_markdown_fields(self) -> None:
        """Render each Markdown field whose text changed since it was last rendered."""
        rendered = getattr(self, "_rendered_from", {})
        for name in self.markdown_fields:
            text = getattr(self, name)
            if name in rendered and rendered[name] == text:
                continue
            setattr(self, f"{name}_html", render_markdown(text))
            rendered[name] = text
        self._rendered_from = rendered


class ContentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Status.DRAFT)

    def overdue(self, today: datetime.date | None = None):
        return self.filter(next_review_due__lt=today or timezone.localdate())

    def due_for_review(self, within_days: int = 0, today: datetime.date | None = None):
        """Items whose review is overdue or falls due within `within_days` days."""
        today = today or timezone.localdate()
        return self.filter(next_review_due__lte=today + datetime.timedelta(days=within_days))

    def recently_updated(self):
        return self.order_by("-updated")


class ReviewedContent(RenderedMarkdownModel):
    """A page of the hub that editors publish and review on a schedule."""

    review_interval_key = "guide"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, help_text="The last part of the page's address."
    )
    summary = models.TextField(
        max_length=600,
        blank=True,
        help_text="One or two plain sentences. Shown in lists and search.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    last_reviewed = models.DateField(default=timezone.localdate)
    next_review_due = models.DateField(
        blank=True, db_index=True, help_text="Leave blank to use the usual review interval."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_notes = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"is_staff": True},
        help_text="The editor who keeps this page right and is reminded when its review is due.",
    )
    first_published = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)
    reading_ease = models.FloatField(
        null=True, blank=True, editable=False, help_text="Flesch reading ease of the saved text."
    )

    objects = ContentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_due__gte=F("last_reviewed")),
                name="%(app_label)s_%(class)s_review_due_after_last_review",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.next_review_due:
            self.next_review_due = self.default_next_review_due()
        if self.is_published and self.first_published is None:
            self.first_published = timezone.now()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if (
            self.next_review_due
            and self.last_reviewed
            and self.next_review_due < self.last_reviewed
        ):
            errors["next_review_due"] = ["The next review cannot be before the last review."]
        if errors:
            raise ValidationError(errors)

    @classmethod
    def review_interval_months(cls) -> int:
        return settings.HUB_REVIEW_INTERVAL_MONTHS[cls.review_interval_key]

    def default_next_review_due(self) -> datetime.date:
        return add_months(self.last_reviewed, self.review_interval_months())

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_overdue(self) -> bool:
        return self.next_review_due is not None and self.next_review_due < timezone.localdate()

    def readable_text(self) -> str:
        """The Markdown readers see on the page, for reading-ease checks."""
        return "\n\n".join(
            getattr(self, name) for name in self.markdown_fields if getattr(self, name)
        )

    REVIEW_FIELDS = ("last_reviewed", "next_review_due", "reviewed_by", "review_notes")

    def mark_reviewed(
        self, *, by, on: datetime.date | None = None, notes: str | None = None
    ) -> None:
        """Set the review dates and reviewer (and notes, when given). Editors record a review
        through core.reviews, which also checks the item and keeps the review in its history."""
        self.last_reviewed = on or timezone.localdate()
        self.next_review_due = self.default_next_review_due()
        self.reviewed_by = by
        if notes is not None:
            self.review_notes = notes
        self.save()


class Gloss(RenderedMarkdownModel):
    """What a piece of advice means in one kind of workplace."""

    markdown_fields = ("body",)

    workplace = models.ForeignKey("resources.Workplace", on_delete=models.CASCADE, related_name="+")
    body = models.TextField("what it means here")
    body_html = models.TextField(editable=False, blank=True)

    class Meta:
        abstract = True
        ordering = ["workplace__position"]

    def __str__(self) -> str:
        return f"In {self.workplace}"


class NationNote(RenderedMarkdownModel):
    """What is different about a piece of advice in one of the UK nations."""

    markdown_fields = ("body",)

    nation = models.CharField(max_length=20, choices=Nation.choices)
    body = models.TextField("what is different there")
    body_html = models.TextField(editable=False, blank=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"In {self.get_nation_display()}"


class LoadedState(models.Model):
    """The state of an item when it was last loaded from, or exported to, a content file.

    `load_content` compares an item's state now with this fingerprint: when they differ, someone
    changed the item in admin since, and the load refuses to write over it without --force."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=191)
    fingerprint = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_loaded_state_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} as last loaded or exported"
