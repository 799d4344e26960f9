"""The hub's content: guides, conversation scripts, annotated resources and their words."""

import re

import reversion
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from taggit.managers import TaggableManager

from core.facts import fact_references
from core.models import (
    ContentQuerySet,
    Gloss,
    NationNote,
    PlainLineEndings,
    RenderedMarkdownModel,
    ReviewedContent,
)
from core.nations import NATION_NAMES, Nation, list_in_words, parse_nation_list


class Taxonomy(PlainLineEndings, models.Model):
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


# Pages on these topics link to the urgent route ("Someone may have been harmed, or is at risk").
URGENT_LINK_TOPICS = frozenset({"conduct", "poor-performance"})


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

    @property
    def shows_urgent_link(self) -> bool:
        """Conduct and capability pages lead to the urgent route in one click."""
        return any(topic.slug in URGENT_LINK_TOPICS for topic in self.topics.all())


class GuideQuerySet(ContentQuerySet):
    def urgent_route(self):
        """The guide shown at /urgent/: what to do when someone may have been harmed."""
        return self.filter(urgent_route=True)


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
    related_forms = models.ManyToManyField("paperwork.Form", blank=True, related_name="guides")
    tags = TaggableManager(blank=True)
    urgent_route = models.BooleanField(
        "the urgent route",
        default=False,
        help_text=(
            "Show this guide at /urgent/ as 'Someone may have been harmed, or is at risk', "
            "linked from the home page and every conduct, capability and decision page. "
            "Only one guide can be the urgent route. Its tags are the searches it comes first for."
        ),
    )

    objects = GuideQuerySet.as_manager()

    class Meta(SignpostedContent.Meta):
        constraints = [
            *SignpostedContent.Meta.constraints,
            models.UniqueConstraint(
                fields=["urgent_route"],
                condition=models.Q(urgent_route=True),
                name="only_one_urgent_route",
                violation_error_message="Another guide is already the urgent route.",
            ),
        ]

    def get_absolute_url(self) -> str:
        if self.urgent_route:
            return reverse("urgent")
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


class GuideNationNote(NationNote):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="nation_notes")

    class Meta(NationNote.Meta):
        verbose_name = "what is different in a nation"
        verbose_name_plural = "what is different in each nation"
        constraints = [
            models.UniqueConstraint(fields=["guide", "nation"], name="one_note_per_guide_nation")
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
    related_forms = models.ManyToManyField("paperwork.Form", blank=True, related_name="scripts")
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
        HARD = "hard", "If the conversation gets hard"

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


class ScriptNationNote(NationNote):
    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="nation_notes")

    class Meta(NationNote.Meta):
        verbose_name = "what is different in a nation"
        verbose_name_plural = "what is different in each nation"
        constraints = [
            models.UniqueConstraint(fields=["script", "nation"], name="one_note_per_script_nation")
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


class ResourceQuerySet(ContentQuerySet):
    def for_nation(self, nation: str):
        """Resources that apply in a nation: those for every nation, and those naming it."""
        return self.filter(models.Q(nations="") | models.Q(nations__contains=nation))

    def for_other_nations(self, nation: str):
        return self.exclude(nations="").exclude(nations__contains=nation)

    def ranked_for_workplace(self, workplace):
        """Most relevant first in a workplace; a resource with no note there counts as medium."""
        level = ResourceRelevance.objects.filter(
            resource=models.OuterRef("pk"), workplace=workplace
        ).values("level")[:1]
        return self.annotate(
            workplace_level=Coalesce(models.Subquery(level), RelevanceLevel.MEDIUM.value)
        ).order_by("-workplace_level", "title")

    def relevant_in(self, workplace):
        """Those with a note for a workplace, ranked, without those it calls not relevant."""
        return (
            self.ranked_for_workplace(workplace)
            .filter(relevance__workplace=workplace)
            .exclude(workplace_level=RelevanceLevel.NOT_RELEVANT)
        )


class Resource(ReviewedContent):
    """A third-party page, annotated for health and social care managers."""

    objects = ResourceQuerySet.as_manager()

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
    nations = models.CharField(
        max_length=60,
        blank=True,
        help_text="The UK nations it applies to. Leave empty when it applies to all four.",
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
    def nation_list(self) -> list[str]:
        """The nations it applies to; empty means all of them."""
        return parse_nation_list(self.nations)

    def applies_in(self, nation: str | None) -> bool:
        return not nation or not self.nation_list or nation in self.nation_list

    @property
    def nations_in_words(self) -> str:
        return list_in_words([NATION_NAMES[slug] for slug in self.nation_list])

    @property
    def needs_rereview(self) -> bool:
        """The page we point to has changed since we last reviewed what we say about it."""
        return self.page_changed_at is not None and self.page_changed_at.date() > self.last_reviewed


class RelevanceLevel(models.IntegerChoices):
    NOT_RELEVANT = 0, "Not relevant"
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"


# How a relevance note starts says how much it matters there: "High. ...", "Low. ...",
# "Not relevant. ...". Checked in this order, so "Low to medium" is low and "Medium to high"
# medium. A note that starts any other way counts as medium.
RELEVANCE_WORDS = [
    ("not relevant", RelevanceLevel.NOT_RELEVANT),
    ("not for", RelevanceLevel.NOT_RELEVANT),
    ("low", RelevanceLevel.LOW),
    ("good background", RelevanceLevel.LOW),
    ("useful background", RelevanceLevel.LOW),
    ("some use", RelevanceLevel.LOW),
    ("medium", RelevanceLevel.MEDIUM),
    ("essential", RelevanceLevel.HIGH),
    ("very high", RelevanceLevel.HIGH),
    ("high", RelevanceLevel.HIGH),
    ("very useful", RelevanceLevel.HIGH),
]


def relevance_level(note: str) -> int:
    start = note.strip().lower()
    return next(
        (level for words, level in RELEVANCE_WORDS if start.startswith(words)),
        RelevanceLevel.MEDIUM,
    )


class ResourceRelevance(PlainLineEndings, models.Model):
    """Why a resource matters, or not, in one kind of workplace."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="relevance")
    workplace = models.ForeignKey(Workplace, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(
        max_length=300,
        help_text=(
            "Start with High, Medium, Low or Not relevant: the resources list for this "
            "workplace puts high first and leaves out 'not relevant'."
        ),
    )
    level = models.PositiveSmallIntegerField(
        choices=RelevanceLevel.choices, default=RelevanceLevel.MEDIUM, editable=False
    )

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

    def save(self, *args, **kwargs):
        self.level = relevance_level(self.note)
        super().save(*args, **kwargs)


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


class ResourceNationNote(NationNote):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="nation_notes")

    class Meta(NationNote.Meta):
        verbose_name = "what is different in a nation"
        verbose_name_plural = "what is different in each nation"
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "nation"], name="one_note_per_resource_nation"
            )
        ]


class Fact(PlainLineEndings, models.Model):
    """A named fact that may differ between the UK nations, such as the advice helpline.

    Markdown refers to it as {fact:name}; pages show the reader's nation's value (core.facts).
    """

    name = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Written as {fact:name} in the text. Changing it breaks pages that use it.",
    )
    description = models.CharField(
        max_length=200, blank=True, help_text="What this fact is, for editors."
    )
    value = models.CharField(
        "value in every nation",
        max_length=300,
        help_text="Used for every nation that has no value of its own below.",
    )
    england = models.CharField(max_length=300, blank=True)
    scotland = models.CharField(max_length=300, blank=True)
    wales = models.CharField(max_length=300, blank=True)
    northern_ireland = models.CharField("Northern Ireland", max_length=300, blank=True)

    NATION_FIELDS = {
        Nation.ENGLAND: "england",
        Nation.SCOTLAND: "scotland",
        Nation.WALES: "wales",
        Nation.NORTHERN_IRELAND: "northern_ireland",
    }

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def value_for(self, nation: str) -> str:
        return getattr(self, self.NATION_FIELDS[nation]) or self.value

    def own_values(self) -> dict[str, str]:
        """The nations whose value differs from the value for every nation."""
        return {
            nation: getattr(self, field)
            for nation, field in self.NATION_FIELDS.items()
            if getattr(self, field)
        }

    def clean(self):
        super().clean()
        texts = {"value": self.value, **{f: getattr(self, f) for f in self.NATION_FIELDS.values()}}
        used = {field: fact_references(text) for field, text in texts.items()}
        wanted = {name for names in used.values() for name in names}
        if not wanted:
            return
        others = {f.name: f for f in Fact.objects.filter(name__in=wanted).exclude(pk=self.pk)}
        errors = {}
        for field, names in used.items():
            for name in names:
                other = others.get(name)
                if other is None:
                    errors[field] = f"{{fact:{name}}}: no other fact has this name."
                elif any(
                    fact_references(text) for text in [other.value, *other.own_values().values()]
                ):
                    errors[field] = (
                        f"{{fact:{name}}} itself uses another fact. A fact may use facts "
                        "that use none."
                    )
        if errors:
            raise ValidationError(errors)


class OrganisationPolicyQuerySet(models.QuerySet):
    def covering(self, item):
        """The policies that cover any of an item's topics or stages."""
        # Subqueries, so this is one query whatever the item's topics and stages.
        return self.filter(
            models.Q(topics__in=item.topics.values("pk"))
            | models.Q(stages__in=item.stages.values("pk"))
        ).distinct()


class OrganisationPolicy(models.Model):
    """One of the organisation's own policies, signposted on the pages it covers."""

    title = models.CharField(max_length=200, help_text="e.g. 'Our sickness absence policy'.")
    url = models.CharField(
        "link",
        max_length=500,
        help_text="Where staff find it: a web address (https://...) or an intranet address.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="policies")
    stages = models.ManyToManyField(Stage, blank=True, related_name="policies")
    note = models.CharField(
        max_length=300, blank=True, help_text="Optional: one plain sentence on when to use it."
    )

    objects = OrganisationPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = "our own policy"
        verbose_name_plural = "our own policies"

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        # A path on this site ("/policies/absence/"), or a full web address.
        if not self.url.startswith("/") or self.url.startswith("//"):
            try:
                validate_web_url(self.url)
            except ValidationError as error:
                raise ValidationError({"url": error.messages}) from None


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


class SynonymGroup(PlainLineEndings, models.Model):
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
reversion.register(GuideNationNote)
reversion.register(ScriptNationNote)
reversion.register(ResourceNationNote)
reversion.register(Fact)
reversion.register(OrganisationPolicy)
reversion.register(ScriptGloss)
reversion.register(ScriptPart)
reversion.register(ResourceGloss)
reversion.register(ResourceRelevance)
reversion.register(Guide, follow=["glosses", "nation_notes"])
reversion.register(Script, follow=["parts", "glosses", "nation_notes"])
reversion.register(Resource, follow=["relevance", "glosses", "nation_notes"])
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
