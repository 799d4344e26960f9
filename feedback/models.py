from django.db import models


class Feedback(models.Model):
    """A reader's answer to "Was this page useful?". No personal data is asked for or kept."""

    page = models.CharField(max_length=300, db_index=True)
    useful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=2000)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"{'Useful' if self.useful else 'Not useful'}: {self.page}"
