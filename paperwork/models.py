"""Forms and letters: blank forms a manager fills in on the page, prints or downloads for Word.

A form is a list of fields. A letter (or an outline policy) is a form plus a text with
placeholders such as ((employee)) that name its fields. The text is data, never a template:
placeholders are swapped for what the reader typed by plain string processing (see
documents.py), and everything is escaped on output. Nothing a reader types is ever saved.
"""

import re

import reversion
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from core.models import Gloss, NationNote, PlainLineEndings, ReviewedContent

# ((field-name)) in a letter's text stands for what the reader typed in that field.
PLACEHOLDER = re.compile(r"\(\(\s*([^()\s]*)\s*\)\)")


def placeholders(text: str) -> list[str]:
    """The field names a letter's text asks for, in order, each once."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


class Form(ReviewedContent):
    """A form, letter or outline policy that managers fill in."""

    class Kind(models.TextChoices):
        FORM = "form", "Form"
        LETTER = "letter", "Letter"
        POLICY = "policy", "Outline policy"

    markdown_fields = ("body", "when_to_use", "check_note")
    # The letter's text has headings and paragraphs like Markdown; the plain-English checker
    # reads it block by block (see plain_english.reader_fields).
    written_in_blocks = ("letter",)
    # Forms and letters are advice like guides, so they are reviewed on the guides' schedule.
    review_interval_key = "guide"
    kind_label = "Form or letter"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FORM)
    body = models.TextField(
        "what it is for", help_text="Markdown. Write [[term]] to link a word to the glossary."
    )
    body_html = models.TextField(editable=False, blank=True)
    when_to_use = models.TextField(blank=True, help_text="Markdown: when to use it.")
    when_to_use_html = models.TextField(editable=False, blank=True)
    check_note = models.TextField(
        "check against your own policy",
        blank=True,
        help_text="Markdown: which parts to check against the organisation's own policy.",
    )
    check_note_html = models.TextField(editable=False, blank=True)
    letter = models.TextField(
        "letter or policy text",
        blank=True,
        help_text=(
            "Plain text, not Markdown. Leave a blank line between paragraphs; start a line with "
            "'## ' for a heading. Write ((field-name)) where the reader's answer goes."
        ),
    )
    topics = models.ManyToManyField("resources.Topic", blank=True, related_name="forms")
    stages = models.ManyToManyField("resources.Stage", blank=True, related_name="forms")

    class Meta(ReviewedContent.Meta):
        verbose_name = "form or letter"
        verbose_name_plural = "forms and letters"

    def get_absolute_url(self) -> str:
        return reverse("form_detail", args=[self.slug])

    def get_word_url(self) -> str:
        return reverse("form_word", args=[self.slug])

    @property
    def has_letter(self) -> bool:
        return bool(self.letter.strip())

    def readable_text(self) -> str:
        parts = [super().readable_text(), self.letter]
        if self.pk:
            for field in self.fields.all():
                parts += [field.label, field.help_text]
        return "\n\n".join(part for part in parts if part)


class FormField(PlainLineEndings, models.Model):
    """One question on a form, in order."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short-text", "Short text"
        LONG_TEXT = "long-text", "Long text"
        DATE = "date", "Date"
        CHOICE = "choice", "Choice"
        YES_NO = "yes-no", "Yes or no"
        TABLE = "table", "Table (rows to fill in, e.g. an action plan)"

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.SlugField(
        max_length=60, help_text="Short name, used as ((name)) in a letter's text."
    )
    label = models.CharField(max_length=200)
    help_text = models.CharField(max_length=400, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SHORT_TEXT)
    required = models.BooleanField(default=False)
    choices = models.TextField(blank=True, help_text="For a choice: one option a line.")
    columns = models.TextField(blank=True, help_text="For a table: one column heading a line.")
    rows = models.PositiveSmallIntegerField(
        default=4, help_text="For a table: how many rows the blank form has."
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "name"], name="one_field_name_per_form")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def column_list(self) -> list[str]:
        return [line.strip() for line in self.columns.splitlines() if line.strip()]

    def clean(self):
        if self.kind == self.Kind.CHOICE and len(self.choice_list) < 2:
            raise ValidationError({"choices": "A choice needs at least two options."})
        if self.kind == self.Kind.TABLE and not self.column_list:
            raise ValidationError({"columns": "A table needs at least one column."})


class FormNationNote(NationNote):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="nation_notes")

    class Meta(NationNote.Meta):
        verbose_name = "what is different in a nation"
        verbose_name_plural = "what is different in each nation"
        constraints = [
            models.UniqueConstraint(fields=["form", "nation"], name="one_note_per_form_nation")
        ]


class FormGloss(Gloss):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="glosses")

    class Meta(Gloss.Meta):
        verbose_name = "what it means in a workplace"
        verbose_name_plural = "what it means in each workplace"
        constraints = [
            models.UniqueConstraint(
                fields=["form", "workplace"], name="one_gloss_per_form_workplace"
            )
        ]


reversion.register(FormField)
reversion.register(FormGloss)
reversion.register(FormNationNote)
reversion.register(Form, follow=["fields", "glosses", "nation_notes"])
