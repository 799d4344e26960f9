"""Review reminders: what is overdue for review or falls due soon, grouped by who reviews it.

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

NO_REVIEWER = "No reviewer"


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

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
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
class ReviewerGroup:
    reviewer: str
    email: str = ""
    items: list[DueItem] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "reviewer": self.reviewer,
            "email": self.email or None,
            "items": [item.as_json() for item in self.items],
        }


@dataclass(kw_only=True)
class ReviewReport:
    days: int
    today: datetime.date
    groups: list[ReviewerGroup] = field(default_factory=list)

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
        reviewers = len(self.groups)
        return (
            f"{self.overdue} overdue for review and {self.due_soon} due in the next "
            f"{self.days} days, for {reviewers} {'reviewer' if reviewers == 1 else 'reviewers'}."
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
            "Mark an item reviewed in admin once you have checked it is still right.",
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


def _reviewer(user) -> tuple[str, str]:
    if user is None:
        return NO_REVIEWER, ""
    name = user.get_full_name() or user.get_username()
    return name, user.email


def review_due(*, days: int = 30, today: datetime.date | None = None) -> ReviewReport:
    """Items overdue for review or due within `days` days, soonest first, by reviewer; the
    reviewers in alphabetical order and items with no reviewer last."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=days)
    groups: dict[tuple[str, str], ReviewerGroup] = {}
    for model in reviewed_models():
        has_reviewer = any(f.name == "reviewed_by" for f in model._meta.concrete_fields)
        items = model.objects.filter(next_review_due__lte=until)
        if has_reviewer:
            items = items.select_related("reviewed_by")
        for obj in items:
            name, email = _reviewer(obj.reviewed_by if has_reviewer else None)
            group = groups.setdefault((name, email), ReviewerGroup(reviewer=name, email=email))
            group.items.append(
                DueItem(
                    kind=str(model._meta.verbose_name),
                    title=str(obj),
                    status=obj.get_status_display() if hasattr(obj, "get_status_display") else "",
                    next_review_due=obj.next_review_due,
                    overdue=obj.next_review_due < today,
                    admin_url=admin_url(obj),
                    public_url=public_url(obj),
                )
            )
    for group in groups.values():
        group.items.sort(key=lambda item: (item.next_review_due, item.kind, item.title))
    ordered = sorted(
        groups.values(), key=lambda group: (group.reviewer == NO_REVIEWER, group.reviewer.lower())
    )
    return ReviewReport(days=days, today=today, groups=ordered)
