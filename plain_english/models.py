import reversion
from django.db import models

from core.models import PlainLineEndings


class JargonTermQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class JargonTerm(PlainLineEndings, models.Model):
    """An HR or care word that readers may not know, with a plainer way to say it."""

    term = models.CharField(max_length=80, unique=True)
    alternative = models.CharField(
        "plain alternative",
        max_length=120,
        blank=True,
        help_text="Leave blank when there is no plain word: then explain it the first time.",
    )
    note = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)

    objects = JargonTermQuerySet.as_manager()

    class Meta:
        ordering = ["term"]
        # Given to publishers only (superusers have it anyway): a page that fails the
        # plain-English check goes live only when one of them records why.
        permissions = [
            (
                "publish_despite_plain_english",
                "Can publish a page that fails the plain-English check, giving a reason",
            )
        ]

    def __str__(self) -> str:
        return self.term

    @property
    def advice(self) -> str:
        if self.alternative:
            return f"say “{self.alternative}” instead"
        return "explain it the first time, or link it to the glossary"


# Editors' changes to the list are kept as revisions, like every other edit.
reversion.register(JargonTerm)
