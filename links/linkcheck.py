"""Link currency: check every external address the hub links to, and act on what is found.

check_links() is what `manage.py check_links` (and so cron) runs; replace_url_everywhere() is
what the link report's "Replace this URL everywhere" runs. Both behave the same however called.

Which addresses a run checks:
- by default, every address in use (see usage.py);
- with `only_due`, the addresses that are due: never checked; or their next check has come
  (working and redirected links are rechecked every LINKCHECK_RECHECK_DAYS days, broken and
  uncertain ones on every run, so a second failure or a recovery is seen the next night); or
  used by a resource whose review falls due within REVIEW_SOON_DAYS days, so the editor
  reviewing it sees a fresh result and knows whether the page changed;
- with `urls`, just those.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import reversion
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from core import publishing
from core.cache import bump_content_generation
from core.models import ReviewedContent

from .fetch import CheckConfig, CheckResult, Clock, Target, can_reach_any, run_checks
from .locking import exclusive_run
from .models import (
    FAILURES,
    HISTORY_LENGTH,
    TEXTS_KEPT,
    CheckedLink,
    LinkCheckResult,
    Outcome,
    PageText,
    RedirectKind,
)
from .usage import (
    TOO_LONG,
    UNSUPPORTED_SCHEME,
    SkippedLink,
    Usage,
    admin_owner,
    content_models,
    find_links,
    link_fields,
    link_key,
    objects_mentioning,
    replace_url_in_text,
)

LOCK_NAME = "links.check_links"
# Why a link was not checked, as `--json` counts them, and in words.
SKIP_REASONS = {
    TOO_LONG: "too long",
    UNSUPPORTED_SCHEME: "not http or https",
}
REVIEW_SOON_DAYS = 30
BATCH = 500
# While the checks run, new addresses are saved this many at a time, and finished checks
# recorded once this many have come: small enough that the checks waiting on the network
# are hardly held up, big enough that each batch is worth a transaction.
SAVE_BATCH = 200
RECORD_BATCH = 150
COMMIT_SECONDS = 1.0


class AnotherRunIsChecking(Exception):
    """Another check_links run holds the lock; this one did nothing."""


class NoInternet(Exception):
    """None of the well-known pages (HUB_LINKCHECK_CANARY_URLS) answered: this machine cannot
    reach the internet, so the run checked and recorded nothing."""

    def __init__(self, urls: Sequence[str], timeout: float):
        self.urls = list(urls)
        super().__init__(
            f"The link checker cannot reach the internet: none of {', '.join(self.urls)} "
            f"answered within {timeout:g} s. Nothing was checked or recorded."
        )


@dataclass(kw_only=True)
class LinkResult:
    """What one run found for one address, and where that address is used."""

    url: str
    outcome: str
    status_code: int | None
    final_url: str
    error: str
    content_changed: bool
    used_in: list[Usage]
    reported_broken: bool = False
    redirect_kind: str = ""
    suggested_url: str = ""
    link_id: int | None = None

    @property
    def moved_permanently(self) -> bool:
        return self.outcome == Outcome.REDIRECTED and self.redirect_kind == RedirectKind.PERMANENT

    @property
    def changed_pages(self) -> list[Usage]:
        """Where this address is what the page is about, and that page's text changed."""
        return (
            [usage for usage in self.used_in if usage.is_link_field] if self.content_changed else []
        )

    def as_json(self) -> dict:
        return {
            "url": self.url,
            "outcome": self.outcome,
            "status_code": self.status_code,
            "final_url": self.final_url or None,
            "error": self.error or None,
            "content_changed": self.content_changed,
            "reported_broken": self.reported_broken,
            "used_in": [usage.as_dict() for usage in self.used_in],
        }


@dataclass(kw_only=True)
class LinkReport:
    results: list[LinkResult] = field(default_factory=list)
    skipped: list[SkippedLink] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def counts(self) -> Counter:
        return Counter(result.outcome for result in self.results)

    @property
    def reported_broken(self) -> list[LinkResult]:
        """Broken, or probably gone, two runs in a row."""
        return [result for result in self.results if result.reported_broken]

    @property
    def moved_permanently(self) -> list[LinkResult]:
        return [result for result in self.results if result.moved_permanently]

    @property
    def changed(self) -> list[LinkResult]:
        return [result for result in self.results if result.changed_pages]

    @property
    def needs_editors(self) -> bool:
        """A link has failed two runs in a row: cron's exit status 1. One bad night is not
        enough, so editors are not flooded when a site is down for an hour."""
        return bool(self.reported_broken)

    def as_json(self) -> dict:
        counts = self.counts
        skipped = Counter(link.reason for link in self.skipped)
        return {
            "checked": len(self.results),
            "ok": counts[Outcome.OK],
            "broken": counts[Outcome.BROKEN],
            "reported_broken": len(self.reported_broken),
            "redirected": counts[Outcome.REDIRECTED],
            "uncertain": counts[Outcome.UNCERTAIN],
            "probably_gone": counts[Outcome.PROBABLY_GONE],
            "part_not_found": counts[Outcome.PART_NOT_FOUND],
            "skipped": len(self.skipped),
            "skipped_by_reason": {reason: skipped[reason] for reason in SKIP_REASONS},
            "results": [result.as_json() for result in self.results],
            "skipped_links": [link.as_json() for link in self.skipped],
            "internet": True,
        }

    def summary(self) -> str:
        counts = self.counts
        moved = len(self.moved_permanently)
        broken_twice = sum(r.outcome == Outcome.BROKEN for r in self.reported_broken)
        gone_twice = sum(r.outcome == Outcome.PROBABLY_GONE for r in self.reported_broken)
        noun = "link" if len(self.results) == 1 else "links"
        parts = [
            f"{counts[Outcome.OK]} ok",
            f"{counts[Outcome.REDIRECTED]} redirected ({moved} moved permanently)",
            f"{counts[Outcome.UNCERTAIN]} uncertain",
            f"{counts[Outcome.BROKEN]} broken ({broken_twice} broken two runs in a row)",
            f"{counts[Outcome.PROBABLY_GONE]} probably gone ({gone_twice} two runs in a row)",
            f"{counts[Outcome.PART_NOT_FOUND]} with part of the page not found",
        ]
        changed = len(self.changed)
        pages = "page" if changed == 1 else "pages"
        line = (
            f"Checked {len(self.results)} {noun} in {self.seconds:.1f} s: {', '.join(parts)}; "
            f"{changed} linked {pages} changed."
        )
        if self.skipped:
            reasons = Counter(link.reason for link in self.skipped)
            said = [
                f"{reasons[reason]} {SKIP_REASONS[reason]}"
                for reason in SKIP_REASONS
                if reasons[reason]
            ]
            line += f" Not checked: {len(self.skipped)} ({', '.join(said)})."
        return line

    def digest(self) -> tuple[str, str] | None:
        """Subject and body of the editors' email, or None when there is nothing to act on.

        Broken links appear only once they failed two runs in a row (see models.BROKEN_AFTER_RUNS).
        """
        failing, moved, changed = self.reported_broken, self.moved_permanently, self.changed
        if not (failing or moved or changed):
            return None
        broken = [result for result in failing if result.outcome == Outcome.BROKEN]
        gone = [result for result in failing if result.outcome == Outcome.PROBABLY_GONE]
        report_url = f"{settings.SITE_URL}{reverse('admin:links_checkedlink_changelist')}"
        today = timezone.localdate()
        lines = [f"The link checker ran on {today.day} {today:%B %Y}.", ""]
        if broken:
            lines += [f"Broken on two runs in a row ({len(broken)}):", ""]
            for result in broken:
                lines += [f"- {result.url}", f"  {result.error}", *_places(result.used_in), ""]
        if gone:
            lines += [
                f"Probably gone on two runs in a row ({len(gone)}): the page answers, but not "
                "with what we linked to.",
                "",
            ]
            for result in gone:
                lines += [f"- {result.url}", f"  {result.error}", *_places(result.used_in), ""]
        if moved:
            lines += [f"Moved permanently ({len(moved)}): use the new address.", ""]
            for result in moved:
                lines += [
                    f"- {result.url}",
                    f"  now at {result.suggested_url}",
                    *_places(result.used_in),
                    "",
                ]
            lines += [
                'In the link report, "Replace this URL everywhere" updates every place at once, '
                "with history kept.",
                "",
            ]
        if changed:
            lines += [
                f"The page we point to has changed: re-review ({len(changed)}):",
                "",
            ]
            for result in changed:
                # Everything that links to the page is flagged "Source changed: needs review".
                lines += [f"- {result.url}"]
                if result.link_id is not None:
                    path = reverse("admin:links_checkedlink_changes", args=[result.link_id])
                    lines += [f"  what changed: {settings.SITE_URL}{path}"]
                lines += [*_places(result.used_in), ""]
        lines += [f"Link report: {report_url}"]
        subject = f"Links: {len(broken)} broken, {len(moved)} moved, {len(changed)} pages changed"
        if gone:
            subject = (
                f"Links: {len(broken)} broken, {len(gone)} probably gone, {len(moved)} moved, "
                f"{len(changed)} pages changed"
            )
        return subject, "\n".join(lines)


def _places(usages: Iterable[Usage]) -> list[str]:
    return [
        f"  used in {usage.kind} {usage.object!r} ({usage.field}): "
        f"{usage.admin_url or usage.public_url}"
        for usage in usages
    ]


def _chunks(items: Sequence, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def due_keys(usages: dict[str, list[Usage]], *, now: datetime.datetime) -> list[str]:
    """The addresses a `--only-due` run checks; see the module's docstring."""
    known = set(CheckedLink.objects.values_list("url", flat=True))
    due = set(CheckedLink.objects.due(now).values_list("url", flat=True))
    soon = timezone.localdate(now) + datetime.timedelta(days=REVIEW_SOON_DAYS)
    reviewed_soon = set()
    for model in {
        apps.get_model(usage.model)
        for uses in usages.values()
        for usage in uses
        if usage.is_link_field
    }:
        if issubclass(model, ReviewedContent):
            reviewed_soon |= {
                (model._meta.label_lower, pk)
                for pk in model.objects.filter(next_review_due__lte=soon).values_list(
                    "pk", flat=True
                )
            }
    return [
        key
        for key, uses in usages.items()
        if key not in known
        or key in due
        or any(usage.is_link_field and (usage.model, usage.pk) in reviewed_soon for usage in uses)
    ]


def _sync_links(
    usages: dict[str, list[Usage]], keys: Sequence[str], *, prune: bool
) -> tuple[dict[str, CheckedLink], list[CheckedLink]]:
    """A CheckedLink for every address to check, `used_in` brought up to date, and (on runs
    that looked at everything) addresses no longer used anywhere removed from the report.

    Addresses seen for the first time get a CheckedLink that is not saved yet, returned
    second too: _Recorder saves them while the checks run."""
    existing = {link.url: link for link in CheckedLink.objects.all()}
    changed = []
    for key, link in existing.items():
        used_in = [usage.as_dict() for usage in usages.get(key, [])]
        if key in usages and link.used_in != used_in:
            link.used_in = used_in
            changed.append(link)
    CheckedLink.objects.bulk_update(changed, ["used_in"], batch_size=BATCH)
    if prune:
        unused = [link.pk for key, link in existing.items() if key not in usages]
        for chunk in _chunks(unused):
            CheckedLink.objects.filter(pk__in=chunk).delete()
    new = [
        CheckedLink(url=key, used_in=[usage.as_dict() for usage in usages.get(key, [])])
        for key in dict.fromkeys(keys)
        if key not in existing
    ]
    existing.update({link.url: link for link in new})
    return {key: existing[key] for key in keys}, new


def _texts_held() -> dict[int, str]:
    """The fingerprint of the newest text kept for each watched page, by link id."""
    return dict(PageText.objects.order_by("read_at", "id").values_list("link_id", "fingerprint"))


def _target(key: str, link: CheckedLink, uses: list[Usage], text_held: str = "") -> Target:
    read_body = any(usage.is_link_field for usage in uses)
    # Validators are only worth sending when we have the text they vouch for: a page whose
    # text we do not keep yet (checked before texts were kept) is read whole once.
    validators = read_body and bool(link.fingerprint) and text_held == link.fingerprint
    return Target(
        url=key,
        read_body=read_body,
        etag=link.etag if validators else "",
        last_modified=link.last_modified if validators else "",
        validators_url=link.final_url or key,
        fragments=tuple(dict.fromkeys(part for usage in uses for part in usage.fragments)),
        text_held=text_held if read_body else "",
    )


class _Recorder:
    """Stores what the checks find while they run, so the database work is done while the
    checks wait on the network rather than after them.

    `meanwhile` is called between stretches of checking (see run_checks): it first saves
    the addresses seen for the first time, a batch at a time, then records finished checks
    once enough have come. `finish` saves and records the rest, keeps the last
    HISTORY_LENGTH checks per address, and brings the link state of the content they belong
    to up to date. The work is committed about once a second (a commit waits for the disk,
    and the checks with it), and at the end; leaving the block with an error rolls back
    what is not committed yet.
    """

    def __init__(
        self,
        links: dict[str, CheckedLink],
        new: list[CheckedLink],
        usages: dict[str, list[Usage]],
        *,
        now: datetime.datetime,
    ):
        self.links = links
        self.unsaved = new
        self.usages = usages
        self.now = now
        self.waiting: list[CheckResult] = []
        # Whether each recorded address's page changed.
        self.changed: dict[str, bool] = {}
        self.states: dict[type, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.page_changes: dict[type, list[int]] = defaultdict(list)
        # Links that now keep more than one text, whose oldest may need dropping.
        self.texts_added: list[int] = []
        self._atomic: transaction.Atomic | None = None
        self._opened = 0.0

    def __enter__(self) -> _Recorder:
        return self

    def __exit__(self, *error) -> None:
        self._commit(*error)

    def _begin(self) -> None:
        if self._atomic is None:
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self._opened = time.monotonic()

    def _commit(self, *error) -> None:
        """Commit, or with an exception's (type, value, traceback), roll back."""
        atomic, self._atomic = self._atomic, None
        if atomic is not None:
            atomic.__exit__(*(error or (None, None, None)))

    def add(self, result: CheckResult) -> None:
        """A finished check, from the event loop: kept until the loop pauses."""
        self.waiting.append(result)

    def meanwhile(self) -> None:
        if self.unsaved:
            self._begin()
            self._save_new(self.unsaved[:SAVE_BATCH])
            del self.unsaved[:SAVE_BATCH]
        elif len(self.waiting) >= RECORD_BATCH:
            self._begin()
            waiting, self.waiting = self.waiting, []
            self._record(waiting)
        if self._atomic is not None and time.monotonic() - self._opened >= COMMIT_SECONDS:
            self._commit()

    def finish(self, results: dict[str, CheckResult]) -> dict[str, bool]:
        """Everything not stored yet; returns which pages changed, address by address."""
        self._begin()
        for chunk in _chunks(self.unsaved):
            self._save_new(chunk)
        self.unsaved = []
        self.waiting = []
        self._record([result for key, result in results.items() if key not in self.changed])
        _trim_history([link.pk for link in self.links.values()])
        _trim_texts(self.texts_added)
        for model, by_state in self.states.items():
            for state, pks in by_state.items():
                for chunk in _chunks(pks):
                    _update_if_has(model, chunk, link_state=state, link_checked_at=self.now)
        for model, pks in self.page_changes.items():
            for chunk in _chunks(pks):
                _update_if_has(model, chunk, page_changed_at=self.now)
        if self.states or self.page_changes:
            # update() sends no signals, so readers' cached pages are cleared here: a
            # resource page shows when its link was checked and what was found.
            transaction.on_commit(bump_content_generation)
        self._commit()
        return self.changed

    def _save_new(self, new: list[CheckedLink]) -> None:
        created = CheckedLink.objects.bulk_create(new, batch_size=BATCH)
        if not connection.features.can_return_rows_from_bulk_insert:
            ids = CheckedLink.objects.filter(url__in=[link.url for link in created])
            for url, pk in ids.values_list("url", "pk"):
                self.links[url].pk = pk

    def _record(self, results: Iterable[CheckResult]) -> None:
        """Record each finished check (a check the run's deadline cut short is not)."""
        recorded: list[CheckedLink] = []
        history = []
        texts = []
        now = self.now
        for result in results:
            key = result.url
            if not result.finished:
                self.changed[key] = False
                continue
            link = self.links[key]
            had_text = link.fingerprint and result.page_text
            changed = self.changed[key] = link.record(result, now=now, save=False)
            recorded.append(link)
            if result.page_text:
                texts.append(
                    PageText(
                        link=link,
                        fingerprint=result.fingerprint,
                        packed=result.page_text,
                        read_at=now,
                    )
                )
                # Kept now; the run's results need not hold it till the end.
                result.page_text = b""
                if had_text:
                    self.texts_added.append(link.pk)
            history.append(
                LinkCheckResult(
                    link=link,
                    checked_at=now,
                    outcome=result.outcome,
                    status_code=result.status_code,
                    final_url=link.final_url,
                    error=result.error,
                    content_changed=changed,
                    seconds=round(result.seconds, 3),
                )
            )
            state = _link_state(result.outcome, reported=link.is_reported_broken)
            for usage in self.usages.get(key, []):
                if usage.is_link_field:
                    model = apps.get_model(usage.model)
                    self.states[model][state].append(usage.pk)
                    if changed:
                        self.page_changes[model].append(usage.pk)
        CheckedLink.objects.save_recorded(recorded)
        LinkCheckResult.objects.bulk_create(history, batch_size=BATCH)
        PageText.objects.bulk_create(texts, batch_size=BATCH)


def _link_state(outcome: str, *, reported: bool) -> str:
    """What a page that links out shows readers about the link (see resources.LinkState).

    A single failure shows as "could not tell" until a second run confirms it, so readers
    and editors are not told a link is broken after one bad night. A page that is probably
    gone is broken to readers too; one whose linked part is missing still opens.
    """
    if outcome in FAILURES:
        return Outcome.BROKEN if reported else Outcome.UNCERTAIN
    if outcome == Outcome.PART_NOT_FOUND:
        return Outcome.OK
    return outcome


def _update_if_has(model, pks: Sequence[int], **values) -> None:
    """update(), not save(): checking a link is not an edit, so no revision and no new
    `updated` date. Only the fields the model has are set."""
    names = {f.name for f in model._meta.concrete_fields}
    values = {name: value for name, value in values.items() if name in names}
    if values:
        model.objects.filter(pk__in=pks).update(**values)


def _trim_history(link_ids: Sequence[int]) -> None:
    for chunk in _chunks(link_ids):
        crowded = (
            LinkCheckResult.objects.filter(link_id__in=chunk)
            .values("link_id")
            .annotate(count=Count("id"))
            .filter(count__gt=HISTORY_LENGTH)
            .values_list("link_id", flat=True)
        )
        for link_id in crowded:
            keep = LinkCheckResult.objects.filter(link_id=link_id).values_list("id", flat=True)
            LinkCheckResult.objects.filter(link_id=link_id).exclude(
                id__in=list(keep[:HISTORY_LENGTH])
            ).delete()


def _trim_texts(link_ids: Sequence[int]) -> None:
    """Keep the last TEXTS_KEPT texts of each of these links."""
    for chunk in _chunks(link_ids):
        crowded = (
            PageText.objects.filter(link_id__in=chunk)
            .values("link_id")
            .annotate(count=Count("id"))
            .filter(count__gt=TEXTS_KEPT)
            .values_list("link_id", flat=True)
        )
        for link_id in crowded:
            keep = PageText.objects.filter(link_id=link_id).values_list("id", flat=True)
            PageText.objects.filter(link_id=link_id).exclude(
                id__in=list(keep[:TEXTS_KEPT])
            ).delete()


@contextlib.contextmanager
def _long_lived():
    """Yields a function that tells Python's cycle collector that every object alive now
    lives until the run ends, so it stops walking them again and again.

    A run builds tens of thousands of objects that live until its end (usages, link rows,
    targets, results). Each full collection walked all of them: about a second of a run of
    10,000 links, much of it while the first checks were waiting to be read. Frozen objects
    are still freed as soon as nothing uses them; only cycles among them wait for the end of
    the run. A process that freezes objects itself (a web server after start-up) is left as
    it is.
    """
    if gc.get_freeze_count() or not gc.isenabled():
        yield lambda: None
        return
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def _no_collections():
    """No automatic cycle collection while the checks run: starting thousands of checks
    made new objects enough for several full collections, each stalling every check in
    flight. The checks themselves leave little garbage in cycles, and the collector runs
    again as soon as they are done."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def check_links(
    *,
    urls: Sequence[str] = (),
    only_due: bool = False,
    config: CheckConfig | None = None,
    progress: Callable[[int, int], None] | None = None,
    now: datetime.datetime | None = None,
    clock: Clock | None = None,
    canary_urls: Sequence[str] | None = None,
) -> LinkReport:
    """Check the hub's external links and store what was found (see the module's docstring).

    Raises AnotherRunIsChecking, having done nothing, when another run holds the lock; and
    NoInternet, having done nothing, when none of `canary_urls` (by default
    HUB_LINKCHECK_CANARY_URLS; none, no such check) answers.
    """
    config = config or CheckConfig.from_settings()
    started = time.monotonic()
    # A run lasts at most its deadline plus the time to store results; a lock row older than
    # that was left by a run that died.
    stale_after = datetime.timedelta(seconds=config.deadline) + datetime.timedelta(minutes=30)
    with (
        exclusive_run(LOCK_NAME, stale_after=stale_after) as acquired,
        _long_lived() as settle,
        contextlib.ExitStack() as stack,
    ):
        if not acquired:
            raise AnotherRunIsChecking
        if canary_urls is None:
            canary_urls = settings.HUB_LINKCHECK_CANARY_URLS
        timeout = settings.HUB_LINKCHECK_CANARY_TIMEOUT
        if canary_urls and not can_reach_any(canary_urls, config=config, timeout=timeout):
            raise NoInternet(canary_urls, timeout)
        found = find_links()
        settle()
        usages = found.usages
        if urls:
            keys = list(dict.fromkeys(link_key(url) for url in urls))
        elif only_due:
            keys = due_keys(usages, now=now or timezone.now())
        else:
            keys = list(usages)
        links, new = _sync_links(usages, keys, prune=not urls)
        held = _texts_held()
        targets = [
            _target(key, links[key], usages.get(key, []), held.get(links[key].pk, ""))
            for key in keys
        ]
        settle()
        # Every check of a run is stored as made at the time the checks began.
        recorder = stack.enter_context(_Recorder(links, new, usages, now=now or timezone.now()))
        done = 0

        def count(result: CheckResult) -> None:
            nonlocal done
            recorder.add(result)
            if progress is not None:
                done += 1
                progress(done, len(targets))

        if progress is not None:
            progress(0, len(targets))
        with _no_collections():
            results = run_checks(
                targets,
                config=config,
                on_result=count,
                clock=clock,
                meanwhile=recorder.meanwhile,
            )
        settle()
        changed = recorder.finish(results)
    return LinkReport(
        results=[
            LinkResult(
                url=key,
                outcome=results[key].outcome,
                status_code=results[key].status_code,
                final_url=results[key].final_url,
                error=results[key].error,
                content_changed=changed[key],
                used_in=usages.get(key, []),
                reported_broken=links[key].is_reported_broken and results[key].finished,
                redirect_kind=results[key].redirect_kind,
                suggested_url=results[key].suggested_url,
                link_id=links[key].pk,
            )
            for key in keys
        ],
        # A run asked for particular addresses says nothing of the rest.
        skipped=[] if urls else found.skipped,
        seconds=time.monotonic() - started,
    )


@dataclass(kw_only=True)
class Replacement:
    changed: list[str] = field(default_factory=list)
    not_changed: list[str] = field(default_factory=list)


def replace_url_everywhere(*, old_url: str, new_url: str, user=None) -> Replacement:
    """Rewrite `old_url` as `new_url` in every link field and Markdown field that uses it.

    Each object is saved through its model (so its HTML is rendered again) inside one
    django-reversion revision with a comment and the user, so the change can be compared and
    undone from each object's history. With a user, only models they may change are touched.
    The old address leaves the link report when every use of it was replaced.
    """
    old_key = link_key(old_url)
    replacement = Replacement()
    comment = f"Link checker: replaced {old_url} with {new_url}, where it moved permanently."
    changed_items = []
    with transaction.atomic(), reversion.create_revision():
        reversion.set_comment(comment)
        if user is not None:
            reversion.set_user(user)
        for model in content_models():
            opts = model._meta
            allowed = user is None or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
            for obj in objects_mentioning(model, old_key):
                label = f"{opts.verbose_name} {str(obj)!r}"
                if not _replace_in_object(obj, old_key=old_key, new_url=new_url):
                    continue
                if not allowed:
                    replacement.not_changed.append(f"{label}: you may not change it")
                    continue
                try:
                    _validate_link_fields(obj)
                except ValidationError as error:
                    replacement.not_changed.append(f"{label}: {' '.join(error.messages)}")
                    continue
                obj.save()
                owner = admin_owner(obj)
                if owner is not None and owner is not obj and reversion.is_registered(type(owner)):
                    reversion.add_to_revision(owner)
                changed_items.append(owner if owner is not None else obj)
                replacement.changed.append(label)
        publishing.changed(*changed_items)
    if replacement.changed and not replacement.not_changed:
        CheckedLink.objects.filter(url=old_key).delete()
    return replacement


def _replace_in_object(obj, *, old_key: str, new_url: str) -> bool:
    """Rewrite the address in memory; returns whether anything changed."""
    changed = False
    for name in link_fields(type(obj)):
        value = getattr(obj, name)
        if value and link_key(value) == old_key:
            setattr(obj, name, replace_url_in_text(value, old_url=old_key, new_url=new_url))
            changed = True
            # The new address has not been checked as this object's link yet.
            for state_field, unchecked in (("link_state", "unchecked"), ("link_checked_at", None)):
                if hasattr(obj, state_field):
                    setattr(obj, state_field, unchecked)
    for name in type(obj).markdown_fields:
        text = getattr(obj, name)
        if not text:
            continue
        new_text = replace_url_in_text(text, old_url=old_key, new_url=new_url)
        if new_text != text:
            setattr(obj, name, new_text)
            changed = True
    return changed


def _validate_link_fields(obj) -> None:
    for name in link_fields(type(obj)):
        obj._meta.get_field(name).clean(getattr(obj, name), obj)
