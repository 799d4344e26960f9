"""Review reminders: what is overdue for review or falls due soon, grouped by its owner.

Every model with a `next_review_due` date is included, from any app: today the
ReviewedContent kinds (guides, scripts, resources), and whatever kind comes next. Drafts are
included too: they are reviewed before they are published.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.utils import timezone

from .usage import admin_url, public_url

NO_OWNER = "No owner"


def _when(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True, kw_only=True)
class DueItem:
    kind: str
    title: str
    status: str
    next_review_due: datetime.date
    overdue: bool
    admin_url: str
    public_url: str
    owner: str = ""

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "owner": self.owner or None,
            "status": self.status,
            "next_review_due": self.next_review_due.isoformat(),
            "overdue": self.overdue,
            "admin_url": self.admin_url,
            "public_url": self.public_url,
        }

    def line(self) -> str:
        day = _when(self.next_review_due)
        when = f"OVERDUE since {day}" if self.overdue else f"due {day}"
        return f"- {when}: {self.kind} {self.title!r} ({self.status}) {self.admin_url}".rstrip()


@dataclass(kw_only=True)
class OwnerGroup:
    """The items one editor owns; `reviewer` is their name (NO_OWNER for items nobody owns),
    kept under that name in the JSON for the scripts that read it."""

    reviewer: str
    email: str = ""
    items: list[DueItem] = field(default_factory=list)

    @property
    def has_owner(self) -> bool:
        return self.reviewer != NO_OWNER

    def as_json(self) -> dict:
        return {
            "reviewer": self.reviewer,
            "owner": self.reviewer if self.has_owner else None,
            "email": self.email or None,
            "items": [item.as_json() for item in self.items],
        }


@dataclass(kw_only=True)
class ReviewReport:
    days: int
    today: datetime.date
    groups: list[OwnerGroup] = field(default_factory=list)

    @property
    def items(self) -> list[DueItem]:
        return [item for group in self.groups for item in group.items]

    @property
    def overdue(self) -> int:
        return sum(item.overdue for item in self.items)

    @property
    def due_soon(self) -> int:
        return len(self.items) - self.overdue

    def as_json(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "days": self.days,
            "overdue": self.overdue,
            "due_soon": self.due_soon,
            "groups": [group.as_json() for group in self.groups],
        }

    def summary(self) -> str:
        if not self.items:
            return f"Nothing is overdue for review or due in the next {self.days} days."
        owners = sum(group.has_owner for group in self.groups)
        unowned = sum(len(group.items) for group in self.groups if not group.has_owner)
        whose = []
        if owners:
            whose.append(f"for {owners} {'owner' if owners == 1 else 'owners'}")
        if unowned:
            whose.append(f"{unowned} with no owner")
        return (
            f"{self.overdue} overdue for review and {self.due_soon} due in the next "
            f"{self.days} days, {' and '.join(whose)}."
        )

    def lines(self) -> list[str]:
        lines = []
        for group in self.groups:
            who = f"{group.reviewer} <{group.email}>" if group.email else group.reviewer
            lines += [f"{who}:", *(item.line() for item in group.items), ""]
        return lines

    def digest(self) -> tuple[str, str] | None:
        """Subject and body of the editors' reminder, or None when nothing is due."""
        if not self.items:
            return None
        body = [
            f"Reviews as of {_when(self.today)}: {self.summary()}",
            "",
            *self.lines(),
            "Once you have checked an item is still right, open it in admin and choose "
            '"Record a review".',
        ]
        subject = f"Reviews: {self.overdue} overdue, {self.due_soon} due soon"
        return subject, "\n".join(body)


def reviewed_models() -> list[type]:
    """Every concrete model with a review date, in every installed app."""
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and any(f.name == "next_review_due" for f in model._meta.concrete_fields)
    ]


def _owner(user) -> tuple[str, str]:
    if user is None:
        return NO_OWNER, ""
    name = user.get_full_name() or user.get_username()
    return name, user.email


def review_due(*, days: int = 30, today: datetime.date | None = None) -> ReviewReport:
    """Items overdue for review or due within `days` days, soonest first, by owner; the owners
    in alphabetical order and items with no owner last."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=days)
    groups: dict[tuple[str, str], OwnerGroup] = {}
    for model in reviewed_models():
        has_owner = any(f.name == "owner" for f in model._meta.concrete_fields)
        items = model.objects.filter(next_review_due__lte=until)
        if has_owner:
            items = items.select_related("owner")
        for obj in items:
            name, email = _owner(obj.owner if has_owner else None)
            group = groups.setdefault((name, email), OwnerGroup(reviewer=name, email=email))
            group.items.append(
                DueItem(
                    kind=str(model._meta.verbose_name),
                    title=str(obj),
                    status=obj.get_status_display() if hasattr(obj, "get_status_display") else "",
                    next_review_due=obj.next_review_due,
                    overdue=obj.next_review_due < today,
                    admin_url=admin_url(obj),
                    public_url=public_url(obj),
                    owner=name if name != NO_OWNER else "",
                )
            )
    for group in groups.values():
        group.items.sort(key=lambda item: (item.next_review_due, item.kind, item.title))
    ordered = sorted(
        groups.values(), key=lambda group: (not group.has_owner, group.reviewer.lower())
    )
    return ReviewReport(days=days, today=today, groups=ordered)
