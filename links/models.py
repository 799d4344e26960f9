"""What the link checker knows about each external address the hub links to."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connections, models
from django.db.models import Q
from django.utils import timezone

from .outcomes import MAX_URL_LENGTH, Outcome, RedirectKind
from .pages import same_method, unpack_text

if TYPE_CHECKING:
    from .fetch import CheckResult

# One bad night should not flood editors: a link is reported broken only after this many runs.
BROKEN_AFTER_RUNS = 2
HISTORY_LENGTH = 10
# How many versions of a watched page's text are kept: enough to show what changed since the
# last review of the content that points to it, even if the page changed more than once.
TEXTS_KEPT = 5


# Outcomes that count toward the two-strike rule: editors hear after BROKEN_AFTER_RUNS in a row.
FAILURES = (Outcome.BROKEN, Outcome.PROBABLY_GONE)


# What CheckedLink.record() sets.
RECORDED_FIELDS = [
    "outcome",
    "status_code",
    "final_url",
    "redirect_chain",
    "redirect_kind",
    "suggested_url",
    "error",
    "consecutive_failures",
    "fingerprint",
    "etag",
    "last_modified",
    "content_changed_at",
    "checked_at",
    "next_check_due",
]


class CheckedLinkQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime | None = None):
        """Links whose next check has come: never checked, or `next_check_due` has passed."""
        now = now or timezone.now()
        return self.filter(Q(next_check_due__isnull=True) | Q(next_check_due__lte=now))

    def reported_broken(self):
        """Broken (or probably gone) on at least two runs in a row: what editors are told about."""
        return self.filter(outcome__in=FAILURES, consecutive_failures__gte=BROKEN_AFTER_RUNS)

    def moved_permanently(self):
        return self.filter(outcome=Outcome.REDIRECTED, redirect_kind=RedirectKind.PERMANENT)

    def save_recorded(self, links: list[CheckedLink]) -> None:
        """Save what record(save=False) set on many links: one UPDATE statement run for
        every row. A save() per link took longer than checking the links did."""
        if not links:
            return
        opts = self.model._meta
        fields = [opts.get_field(name) for name in RECORDED_FIELDS]
        connection = connections[self.db]
        quote = connection.ops.quote_name
        # Names from the model, quoted; every value is a parameter.
        sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
            quote(opts.db_table),
            ", ".join(f"{quote(field.column)} = %s" for field in fields),
            quote(opts.pk.column),
        )
        rows = [
            [field.get_db_prep_save(getattr(link, field.attname), connection) for field in fields]
            + [link.pk]
            for link in links
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


class CheckedLink(models.Model):
    """One external address, as the last run of the link checker found it."""

    url = models.CharField("address", max_length=MAX_URL_LENGTH, unique=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.CharField("ends at", max_length=MAX_URL_LENGTH, blank=True)
    redirect_kind = models.CharField(max_length=12, choices=RedirectKind.choices, blank=True)
    suggested_url = models.CharField(
        "new address",
        max_length=MAX_URL_LENGTH,
        blank=True,
        help_text="Where a permanent redirect says the page now lives.",
    )
    redirect_chain = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(
        "broken runs in a row",
        default=0,
        help_text="Reset by any run that does not find it broken or probably gone.",
    )
    fingerprint = models.CharField(
        max_length=80, blank=True, help_text="SHA-256 of the page's main text, after its version."
    )
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    content_changed_at = models.DateTimeField(
        "page text changed", null=True, blank=True, db_index=True
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    next_check_due = models.DateTimeField(null=True, blank=True, db_index=True)
    used_in = models.JSONField(default=list, blank=True)
    first_seen = models.DateTimeField(auto_now_add=True)

    objects = CheckedLinkQuerySet.as_manager()

    class Meta:
        ordering = ["url"]
        verbose_name = "link"
        verbose_name_plural = "link report"
        constraints = [
            models.CheckConstraint(
                condition=Q(consecutive_failures=0) | Q(outcome__in=FAILURES),
                name="links_failures_only_while_broken",
            ),
            models.CheckConstraint(
                condition=Q(suggested_url="") | Q(redirect_kind=RedirectKind.PERMANENT),
                name="links_new_address_only_for_permanent_moves",
            ),
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def is_reported_broken(self) -> bool:
        return self.outcome in FAILURES and self.consecutive_failures >= BROKEN_AFTER_RUNS

    @property
    def is_moved_permanently(self) -> bool:
        return self.outcome == Outcome.REDIRECTED and self.redirect_kind == RedirectKind.PERMANENT

    def record(self, result: CheckResult, *, now: datetime.datetime, save: bool = True) -> bool:
        """Store one check of this address; returns whether the page's main text changed.
        With `save=False` only the fields are set, for a caller that saves many at once
        (see RECORDED_FIELDS).

        Validators and the fingerprint are kept from the last time the page was read, so a
        failed run in between neither forgets them nor counts as a change.
        """
        # A fingerprint made another way is replaced without counting as a change.
        content_changed = bool(
            result.fingerprint
            and self.fingerprint
            and same_method(result.fingerprint, self.fingerprint)
            and result.fingerprint != self.fingerprint
        )
        self.outcome = result.outcome
        self.status_code = result.status_code
        self.final_url = result.final_url[:MAX_URL_LENGTH]
        self.redirect_chain = result.redirect_chain
        self.redirect_kind = result.redirect_kind
        self.suggested_url = result.suggested_url[:MAX_URL_LENGTH]
        self.error = result.error
        self.consecutive_failures = (
            self.consecutive_failures + 1 if result.outcome in FAILURES else 0
        )
        if result.fingerprint:
            self.fingerprint = result.fingerprint
        if result.etag or result.last_modified:
            self.etag = result.etag[:300]
            self.last_modified = result.last_modified[:100]
        if content_changed:
            self.content_changed_at = now
        self.checked_at = now
        self.next_check_due = self.next_check_after(now)
        if save:
            self.save(update_fields=RECORDED_FIELDS)
        return content_changed

    def next_check_after(self, checked_at: datetime.datetime) -> datetime.datetime:
        """Working links wait LINKCHECK_RECHECK_DAYS; failing ones are checked on every run,
        so that a second failure (or a recovery) is noticed the next night.

        The hour taken off keeps a nightly cron from slipping a day when one run starts a
        few minutes earlier than the run before it.
        """
        if self.outcome in {*FAILURES, Outcome.UNCERTAIN}:
            return checked_at
        return checked_at + datetime.timedelta(days=settings.LINKCHECK_RECHECK_DAYS, hours=-1)


class LinkCheckResult(models.Model):
    """One check of one address; the last HISTORY_LENGTH are kept per address."""

    link = models.ForeignKey(CheckedLink, on_delete=models.CASCADE, related_name="history")
    checked_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.CharField(max_length=MAX_URL_LENGTH, blank=True)
    error = models.TextField(blank=True)
    content_changed = models.BooleanField(default=False)
    seconds = models.FloatField("time taken (s)", default=0)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = "check"
        indexes = [models.Index(fields=["link", "-checked_at"], name="links_history_by_link")]

    def __str__(self) -> str:
        return f"{self.link} at {self.checked_at:%Y-%m-%d %H:%M}: {self.outcome}"


class PageText(models.Model):
    """The main text of a page the checker watches (a resource's own address), as read: kept
    the first time and each time it changes, the last TEXTS_KEPT versions. Editors compare
    them to see what changed on the page."""

    link = models.ForeignKey(CheckedLink, on_delete=models.CASCADE, related_name="texts")
    fingerprint = models.CharField(max_length=80)
    packed = models.BinaryField(help_text="The main text, compressed (links.pages.pack_text).")
    read_at = models.DateTimeField(help_text="When the checker first read the page like this.")

    class Meta:
        ordering = ["-read_at", "-id"]
        verbose_name = "page text"
        indexes = [models.Index(fields=["link", "-read_at"], name="links_texts_by_link")]

    def __str__(self) -> str:
        return f"{self.link} as read at {self.read_at:%Y-%m-%d %H:%M}"

    @property
    def text(self) -> str:
        return unpack_text(self.packed)


class RunLock(models.Model):
    """A lock row for databases without advisory locks (SQLite); see locking.py."""

    name = models.CharField(max_length=100, unique=True)
    holder = models.CharField(max_length=200)
    acquired_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} since {self.acquired_at}"
