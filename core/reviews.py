"""Recording a review: the editor says what they checked, and it is kept in the item's history.

A review is refused while something stands in the way (a broken link, a source page that
changed since the last review, a plain-English problem), unless the editor says why it should
be recorded anyway. Apps above core add what to look at with `register_check`: core knows
nothing of links or plain English.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model

from . import drafts, publishing

Check = Callable[[Model], list[str]]

_checks: list[tuple[type | None, Check]] = []

# What the editor ticks on the review form, in the words kept in the history.
TICKS = {
    "checked_links": "I checked the links",
    "checked_sources": "I looked at changes to the sources",
    "plain_english": "It passes the plain-English check",
}


def register_check(check: Check, *, model: type | None = None) -> Check:
    """Add something a review looks at: `check(item)` returns what stands in the way, in plain
    words (an empty list when nothing does)."""
    _checks.append((model, check))
    return check


def what_stands_in_the_way(item: Model) -> list[str]:
    found: list[str] = []
    for model, check in _checks:
        if model is None or isinstance(item, model):
            found.extend(check(item))
    return found


@dataclass
class Outcome:
    recorded: bool
    problems: list[str]


def history_comment(*, notes: str, ticked: list[str], problems: list[str], reason: str) -> str:
    lines = [f"Reviewed. Notes: {notes.strip()}"]
    done = [TICKS[key] for key in TICKS if key in ticked]
    not_done = [TICKS[key] for key in TICKS if key not in ticked]
    if done:
        lines.append("Ticked: " + "; ".join(done) + ".")
    if not_done:
        lines.append("Not ticked: " + "; ".join(not_done) + ".")
    if problems:
        lines.append("Recorded despite: " + " ".join(problems) + f" Reason: {reason.strip()}")
    return " ".join(lines)


def record(item: Model, *, by, notes: str, ticked: list[str], reason: str = "") -> Outcome:
    """Record a review of `item` by `by` today: the dates, the reviewer and the notes, and an
    entry in its history. Refused (nothing changes) while something stands in the way and no
    reason is given."""
    problems = what_stands_in_the_way(item)
    if problems and not reason.strip():
        return Outcome(recorded=False, problems=problems)
    comment = history_comment(notes=notes, ticked=ticked, problems=problems, reason=reason)
    with transaction.atomic():
        item.mark_reviewed(by=by, notes=notes.strip())
        _keep_in_draft(item)
        publishing.note_in_history(item, by=by, comment=comment)
        publishing.changed(item)
    return Outcome(recorded=True, problems=problems)


def _keep_in_draft(item: Model) -> None:
    """A draft of the item holds its review fields too; without this, publishing the draft
    later would put back the old review dates."""
    draft = drafts.draft_for(item)
    if draft is None:
        return
    values = {name: getattr(item, name) for name in item.REVIEW_FIELDS}
    with drafts.showing(item, draft) as shown:
        type(shown)._default_manager.filter(pk=shown.pk).update(**values)
        state = drafts.serialise(type(shown)._default_manager.get(pk=shown.pk))
    draft.versions = state
    type(draft).objects.filter(pk=draft.pk).update(versions=state)
