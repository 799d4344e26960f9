"""The hub's content: guides, conversation scripts, annotated resources and their words."""

import re

import reversion
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from taggit.managers import TaggableManager

from hub.models import Gloss, RenderedMarkdownModel, ReviewedContent


class Taxonomy(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Workplace(Taxonomy):
    """A kind of workplace that advice can be tailored to: the NHS, home care and so on."""

    short_name = models.CharField(
        max_length=60, blank=True, help_text="For tight spaces, e.g. 'NHS'."
    )

    class Meta(Taxonomy.Meta):
        verbose_name = "workplace setting"

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Topic(Taxonomy):
    def get_absolute_url(self) -> str:
        return reverse("topic_detail", args=[self.slug])


class Stage(Taxonomy):
    """A stage of managing someone: induction, supervision, appraisal and so on."""

    situation = models.CharField(
        max_length=120,
        blank=True,
        help_text="How a manager would say it, e.g. 'Someone new is starting'.",
    )

    def get_absolute_url(self) -> str:
        return reverse("stage_detail", args=[self.slug])


class SignpostedContent(ReviewedContent):
    """Advice that reminds readers to check their organisation's own policy first, and says what
    to do when there is none."""

    check_policy_first = models.BooleanField(
        "show 'check your own policy first'",
        default=True,
        help_text="Remind readers to follow their organisation's own policy.",
    )
    policy_note = models.TextField(
        blank=True, help_text="Optional extra words for the policy reminder (Markdown)."
    )
    policy_note_html = models.TextField(editable=False, blank=True)

    class Meta(ReviewedContent.Meta):
        abstract = True


class Guide(SignpostedContent):
    """A plain-English 'How To' guide."""

    markdown_fields = ("body", "policy_note")
    review_interval_key = "guide"
    kind_label = "Guide"

    body = models.TextField(help_text="Markdown. Write [[term]] to link a word to the glossary.")
    body_html = models.TextField(editable=False, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="guides")
    stages = models.ManyToManyField(Stage, blank=True, related_name="guides")
    related_guides = models.ManyToManyField("self", blank=True, symmetrical=False)
    related_scripts = models.ManyToManyField("Script", blank=True, related_name="+")
    related_resources = models.ManyToManyField("Resource", blank=True, related_name="+")
    tags = TaggableManager(blank=True)

    class Meta(SignpostedContent.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("guide_detail", args=[self.slug])


class GuideGloss(Gloss):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="glosses")

    class Meta(Gloss.Meta):
        verbose_name = "what it means in a workplace"
        verbose_name_plural = "what it means in each workplace"
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "workplace"], name="one_gloss_per_guide_workplace"
            )
        ]


class Script(SignpostedContent):
    """A conversation script: a checklist to take into a meeting."""

    markdown_fields = ("body", "policy_note")
    review_interval_key = "script"
    kind_label = "Conversation script"

    body = models.TextField(
        "introduction", blank=True, help_text="Markdown shown before the checklist."
    )
    body_html = models.TextField(editable=False, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="scripts")
    stages = models.ManyToManyField(Stage, blank=True, related_name="scripts")
    related_guides = models.ManyToManyField(Guide, blank=True, related_name="+")
    related_resources = models.ManyToManyField("Resource", blank=True, related_name="+")
    tags = TaggableManager(blank=True)

    class Meta(SignpostedContent.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("script_detail", args=[self.slug])

    def readable_text(self) -> str:
        parts = [part.body for part in self.parts.all()] if self.pk else []
        return "\n\n".join([super().readable_text(), *parts])


class ScriptPart(RenderedMarkdownModel):
    """One part of a conversation script; its list items print as tick boxes."""

    class Kind(models.TextChoices):
        BEFORE = "before", "Before the meeting"
        OPENING = "opening", "Opening"
        QUESTIONS = "questions", "Questions to ask"
        SAY = "say", "Things to say"
        AVOID = "avoid", "Things to avoid"
        CLOSING = "closing", "Closing"
        RECORD = "record", "What to record afterwards"

    markdown_fields = ("body",)

    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(help_text="Markdown. Each list item becomes a tick box when printed.")
    body_html = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["script", "kind"], name="one_part_of_each_kind_per_script"
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ScriptGloss(Gloss):
    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="glosses")

    class Meta(Gloss.Meta):
        verbose_name = "what it means in a workplace"
        verbose_name_plural = "what it means in each workplace"
        constraints = [
            models.UniqueConstraint(
                fields=["script", "workplace"], name="one_gloss_per_script_workplace"
            )
        ]


class LinkState(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked yet"
    OK = "ok", "Working"
    REDIRECTED = "redirected", "Moved"
    UNCERTAIN = "uncertain", "Could not tell"
    BROKEN = "broken", "Broken"


def validate_web_url(value: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValidationError("Enter a web address that starts with http:// or https://.")


class Resource(ReviewedContent):
    """A third-party page, annotated for health and social care managers."""

    class Kind(models.TextChoices):
        ADVICE = "advice", "Advice page"
        CODE = "code", "Code of practice"
        TEMPLATE = "template", "Template"
        TOOLKIT = "toolkit", "Toolkit"
        GUIDANCE = "guidance", "Official guidance"
        CASE_STUDY = "case-study", "Case study"
        VIDEO = "video", "Video"
        REGULATION = "regulation", "Regulation"

    markdown_fields = ("body",)
    review_interval_key = "resource"
    kind_label = "Resource"

    url = models.URLField("web address", max_length=500, validators=[validate_web_url])
    publisher = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ADVICE, db_index=True)
    body = models.TextField("commentary", blank=True, help_text="Why it matters (Markdown).")
    body_html = models.TextField(editable=False, blank=True)
    licence_note = models.CharField(
        "licence or permission",
        max_length=300,
        blank=True,
        help_text="What we may do with it, e.g. 'Link only; content is Crown copyright'.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="resources")
    stages = models.ManyToManyField(Stage, blank=True, related_name="resources")
    tags = TaggableManager(blank=True)
    link_state = models.CharField(
        max_length=12,
        choices=LinkState.choices,
        default=LinkState.UNCHECKED,
        db_index=True,
        editable=False,
    )
    link_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    page_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the link checker last saw the page we point to change.",
    )

    class Meta(ReviewedContent.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("resource_detail", args=[self.slug])

    @property
    def needs_rereview(self) -> bool:
        """The page we point to has changed since we last reviewed what we say about it."""
        return self.page_changed_at is not None and self.page_changed_at.date() > self.last_reviewed


class ResourceRelevance(models.Model):
    """Why a resource matters, or not, in one kind of workplace."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="relevance")
    workplace = models.ForeignKey(Workplace, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=300)

    class Meta:
        ordering = ["workplace__position"]
        verbose_name_plural = "relevance"
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "workplace"], name="one_relevance_per_workplace"
            )
        ]

    def __str__(self) -> str:
        return f"{self.workplace}: {self.note}"


class ResourceGloss(Gloss):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="glosses")

    class Meta(Gloss.Meta):
        verbose_name = "what it means in a workplace"
        verbose_name_plural = "what it means in each workplace"
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "workplace"], name="one_gloss_per_resource_workplace"
            )
        ]


class GlossaryTerm(RenderedMarkdownModel):
    """A word managers meet, explained in one or two plain sentences."""

    markdown_fields = ("definition",)

    slug = models.SlugField(max_length=80, unique=True)
    term = models.CharField(max_length=120)
    definition = models.TextField()
    definition_html = models.TextField(editable=False, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    def get_absolute_url(self) -> str:
        return f"{reverse('glossary')}#{self.slug}"


class SynonymGroup(models.Model):
    """Words that should find the same pages: everyday words next to HR words."""

    words = models.CharField(
        max_length=300, help_text="Words or phrases that mean the same, separated by commas."
    )

    class Meta:
        ordering = ["words"]

    def __str__(self) -> str:
        return self.words

    @property
    def word_list(self) -> list[str]:
        return [word.strip().lower() for word in self.words.split(",") if word.strip()]

    def clean(self):
        if len(self.word_list) < 2:
            raise ValidationError({"words": "List at least two words, separated by commas."})


# Every edit, in admin or by load_content, is kept as a revision editors can compare and restore.
reversion.register(GuideGloss)
reversion.register(ScriptGloss)
reversion.register(ScriptPart)
reversion.register(ResourceGloss)
reversion.register(ResourceRelevance)
reversion.register(Guide, follow=["glosses"])
reversion.register(Script, follow=["parts", "glosses"])
reversion.register(Resource, follow=["relevance", "glosses"])
reversion.register(GlossaryTerm)
reversion.register(SynonymGroup)
reversion.register(Workplace)
reversion.register(Topic)
reversion.register(Stage)


class SearchEntry(models.Model):
    """One searchable page, as plain text.

    The full-text index itself is kept by the database: a weighted tsvector column with a
    GIN index on PostgreSQL, an FTS5 table on SQLite (see the migration and search.py).
    """

    kind = models.CharField(max_length=12)
    slug = models.SlugField(max_length=200)
    object_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The indexed item's id, so a renamed page is found again."
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300)

    class Meta:
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="one_search_entry_per_page")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


SEARCH_WORD = re.compile(r"[\w'’-]+")


def normalise_search_text(text: str) -> str:
    """Lower case, curly apostrophes made straight, words separated by single spaces."""
    return " ".join(SEARCH_WORD.findall(text.lower().replace("’", "'")))


class SearchWord(models.Model):
    """One word that appears somewhere in the search index: the vocabulary that a misspelt word
    is compared with ("Did you mean ...?"). On PostgreSQL a trigram index (pg_trgm) answers;
    elsewhere Python compares the words (see search.py)."""

    word = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.word


class BestBet(models.Model):
    """An item that editors pin to the top of the results for a search (and its synonyms),
    marked as recommended. Modelled on Wagtail's search promotions."""

    query = models.CharField(
        "search words",
        max_length=100,
        help_text="What readers type, e.g. 'sacked'. Its synonyms get the same best bet.",
    )
    kind = models.CharField(max_length=20)
    slug = models.SlugField(max_length=200)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first when a search has several best bets."
    )
    note = models.CharField(
        "why it is recommended",
        max_length=200,
        blank=True,
        help_text="Optional: shown instead of the page's summary.",
    )

    class Meta:
        ordering = ["query", "position", "id"]
        verbose_name = "best bet"
        constraints = [
            models.UniqueConstraint(
                fields=["query", "kind", "slug"], name="one_best_bet_per_query_and_page"
            )
        ]

    def __str__(self) -> str:
        return f"{self.query} → {self.kind}: {self.slug}"

    def clean(self):
        self.query = normalise_search_text(self.query)
        if not self.query:
            raise ValidationError({"query": "Type the words readers search for."})


class SearchQueryDay(models.Model):
    """How often one search was made on one day, and whether it found anything.

    Nothing else is kept: no address, cookie, account or time of day. Rows older than
    SEARCH_LOG_DAYS are deleted (search.py and the purge_search_log command).
    """

    query = models.CharField(max_length=100)
    day = models.DateField(db_index=True)
    searches = models.PositiveIntegerField(default=0)
    found_anything = models.BooleanField(default=True)

    class Meta:
        ordering = ["-day", "-searches"]
        verbose_name = "search made by readers"
        verbose_name_plural = "searches made by readers"
        constraints = [
            models.UniqueConstraint(fields=["query", "day"], name="one_count_per_query_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.query} ({self.searches})"


reversion.register(BestBet)
