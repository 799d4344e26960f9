"""The one path by which an item goes live, changes live or comes off the site.

The admin form, the list's actions, approval, the schedule, restoring an old version and loading
content files all call these functions, so the same rules hold whichever button was pressed:

- `problems(item)`: why the item may not be live as it is now in the database (an empty list when
  nothing stands in the way). Apps add rules with `register_rule` (a decision tool with a fault,
  a page failing the plain-English check...).
- `publish_draft`, `publish`, `unpublish`: make it so, check the rules on the result, keep a
  version in the item's history, and do the side work once.
- `changed(*items)` / `removed(*items)`: the side work after any change readers can see: hooks
  apps register (reading ease, the search index) run once per item, and the public pages' cache
  generation is bumped once, after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from . import drafts
from .models import Draft, Status, TakeDown

Rule = Callable[[models.Model], list[str]]
Hook = Callable[[list[models.Model]], None]


@dataclass(frozen=True)
class _Rule:
    model: type | None
    check: Rule
    may_override: bool


_rules: list[_Rule] = []
_after_change: list[Hook] = []
_after_removal: list[Hook] = []
_after_everything: list[Callable[[], None]] = []


def register_rule(check: Rule, *, model: type | None = None, may_override=False) -> Rule:
    """Add a rule every way of publishing checks. `may_override`: a publisher allowed to may
    publish despite it, giving a reason (the plain-English check)."""
    _rules.append(_Rule(model, check, may_override))
    return check


def register_after_change(
    hook: Hook, *, on_removal: Hook | None = None, on_everything: Callable[[], None] | None = None
) -> None:
    """Side work an app needs after items change (`hook`), are deleted (`on_removal`), or all
    change at once, as when content files are loaded (`on_everything`; else `hook` gets them)."""
    _after_change.append(hook)
    if on_removal is not None:
        _after_removal.append(on_removal)
    _after_everything.append(on_everything or (lambda: hook(_every_item())))


@dataclass
class Result:
    """What happened when an item was to go live."""

    published: bool
    problems: list[str] = field(default_factory=list)
    overridable: list[str] = field(default_factory=list)

    @property
    def all_problems(self) -> list[str]:
        return [*self.problems, *self.overridable]


def problems(item: models.Model) -> list[str]:
    return check(item).all_problems


def check(item: models.Model, *, overridable: bool = True) -> Result:
    """The rules' findings; `overridable=False` leaves out the rules a publisher may
    override (the plain-English check), for callers that only ask what stops an item."""
    hard, soft = [], []
    for rule in _rules:
        if rule.may_override and not overridable:
            continue
        if rule.model is None or isinstance(item, rule.model):
            (soft if rule.may_override else hard).extend(rule.check(item))
    return Result(published=False, problems=hard, overridable=soft)


def changed(*items: models.Model) -> None:
    """Side work after items readers can see were saved: once per item, and one cache bump."""
    items = [item for item in items if item is not None]
    for hook in _after_change:
        hook(items)
    _bump_after_commit()


def changed_everything() -> None:
    """Side work after a load of content files: each app's once, and one cache bump."""
    for hook in _after_everything:
        hook()
    _bump_after_commit()


def _every_item() -> list[models.Model]:
    from django.apps import apps

    from .models import ReviewedContent

    return [
        item
        for model in apps.get_models()
        if issubclass(model, ReviewedContent)
        for item in model._default_manager.all()
    ]


def removed(*items: models.Model) -> None:
    """Side work before items are deleted: their drafts and schedules go with them."""
    items = [item for item in items if item is not None]
    for item in items:
        Draft.objects.for_object(item).delete()
        TakeDown.objects.filter(
            content_type=ContentType.objects.get_for_model(type(item)), object_id=str(item.pk)
        ).delete()
    for hook in _after_removal:
        hook(items)
    _bump_after_commit()


def _bump_after_commit() -> None:
    from .cache import bump_content_generation

    transaction.on_commit(bump_content_generation)


def _record(root: models.Model, *, by, comment: str) -> None:
    """Keep the item as it now is in its history."""
    with reversion.create_revision():
        if by is not None:
            reversion.set_user(by)
        reversion.set_comment(comment)
        for obj in drafts.graph_of(root):
            reversion.add_to_revision(obj)


def note_in_history(root: models.Model, *, by, comment: str) -> None:
    """An event (a draft submitted, changes requested...) in the item's history."""
    _record(root, by=by, comment=comment)


def _go_live(root: models.Model, *, by, comment: str, override_reason: str, overrider) -> Result:
    """Inside a transaction: the item as now written must pass the rules to stay live."""
    if getattr(root, "status", Status.PUBLISHED) != Status.PUBLISHED:
        root.status = Status.PUBLISHED
        if hasattr(root, "first_published") and root.first_published is None:
            root.first_published = timezone.now()
        root.save()
    result = check(root)
    soft = result.overridable if not (override_reason and overrider) else []
    if result.problems or soft:
        return Result(published=False, problems=result.problems, overridable=soft)
    if result.overridable:
        comment = f"{comment} Published despite the plain-English check. Reason: {override_reason}"
    _record(root, by=by, comment=comment.strip())
    changed(root)
    return Result(published=True)


def publish_draft(
    draft: Draft, *, by, comment: str = "", override_reason: str = "", overrider=False
) -> Result:
    """Put a draft live. Publishes once however many callers race for it: the first to remove
    the draft row wins; the others find nothing to do (`published` False, no problems)."""
    root_model = draft.content_type.model_class()
    outcome = None
    with transaction.atomic():
        claimed, _ = Draft.objects.filter(pk=draft.pk, updated=draft.updated).delete()
        if not claimed:
            return Result(published=False)
        sid = transaction.savepoint()
        root = drafts.write(root_model, draft.object_id, draft.versions)
        outcome = _go_live(
            root,
            by=by,
            comment=comment or "Published the draft.",
            override_reason=override_reason,
            overrider=overrider,
        )
        if outcome.published:
            transaction.savepoint_commit(sid)
            return outcome
        transaction.savepoint_rollback(sid)
        # Refused: the draft stays, sent back with the reasons; the live item is unchanged.
        draft.state = Draft.State.CHANGES_REQUESTED
        draft.comment = "Could not go live: " + " ".join(outcome.all_problems)
        draft.go_live_at = None
        draft.save(force_insert=True)
    return outcome


def publish(
    item: models.Model, *, by, comment: str = "", override_reason="", overrider=False
) -> Result:
    """Put an item live as it is saved now (or, if it has a draft, as its draft has it)."""
    draft = drafts.draft_for(item)
    if draft is not None:
        return publish_draft(
            draft, by=by, comment=comment, override_reason=override_reason, overrider=overrider
        )
    with transaction.atomic():
        sid = transaction.savepoint()
        outcome = _go_live(
            type(item)._default_manager.get(pk=item.pk),
            by=by,
            comment=comment or "Published.",
            override_reason=override_reason,
            overrider=overrider,
        )
        if outcome.published:
            transaction.savepoint_commit(sid)
        else:
            transaction.savepoint_rollback(sid)
    return outcome


def keep_live_changes(root: models.Model, *, by, comment: str, override_reason="") -> Result:
    """An editor's changes to a live item were just saved (inside a transaction the caller
    rolls back when this says no): they stay only if the item still passes the rules. The
    plain-English check is passed over when the editor's form accepted a reason to publish."""
    result = check(root)
    soft = [] if override_reason else result.overridable
    if result.problems or soft:
        return Result(published=False, problems=result.problems, overridable=soft)
    _record(root, by=by, comment=comment)
    changed(root)
    return Result(published=True)


def unpublished(item: models.Model, *, by, comment: str = "Taken off the site.") -> None:
    """An item was just saved as Draft where it was live: keep that in its history, and do
    the side work."""
    _record(item, by=by, comment=comment)
    changed(item)


def unpublish(item: models.Model, *, by, comment: str = "") -> None:
    with transaction.atomic():
        item = type(item)._default_manager.select_for_update().get(pk=item.pk)
        if item.status == Status.DRAFT:
            return
        item.status = Status.DRAFT
        item.save()
        _record(item, by=by, comment=comment or "Taken off the site.")
        changed(item)


@dataclass
class ScheduleReport:
    published: list[str] = field(default_factory=list)
    taken_down: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)


def run_schedule(now=None) -> ScheduleReport:
    """Publish every draft whose time has come and take down every page whose time has come.
    Safe to run on several servers at once: each draft and take-down is claimed by deleting its
    row, so only one run acts on it."""
    now = now or timezone.now()
    report = ScheduleReport()
    for draft in Draft.objects.due(now).order_by("go_live_at", "pk"):
        outcome = publish_draft(draft, by=draft.edited_by, comment="Published on schedule.")
        if outcome.published:
            report.published.append(draft.object_repr)
        elif outcome.all_problems:
            report.failed.append({"item": draft.object_repr, "problems": outcome.all_problems})
    for take_down in TakeDown.objects.filter(at__lte=now).order_by("at", "pk"):
        with transaction.atomic():
            claimed, _ = TakeDown.objects.filter(pk=take_down.pk).delete()
            if not claimed:
                continue
            item = take_down.content_type.model_class()._default_manager.filter(
                pk=take_down.object_id
            )
            item = item.first()
            if item is not None:
                unpublish(item, by=take_down.set_by, comment="Taken off the site on schedule.")
                report.taken_down.append(take_down.object_repr)
    return report
