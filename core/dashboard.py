"""The editors' dashboard on the admin home page: short lists of what needs doing.

Apps add panels with `register_panel`; each panel is a function of the request that returns
rows (text and, where there is one, the admin address to fix it). core knows nothing of what
the panels hold, so the layers stay as they are: links adds broken links and changed sources,
plain_english the pages that fail its check, and so on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse


@dataclass
class Row:
    text: str
    url: str = ""


@dataclass
class Panel:
    title: str
    rows: list[Row] = field(default_factory=list)
    empty: str = "Nothing here."
    more_url: str = ""


@dataclass(frozen=True)
class _Registered:
    order: int
    title: str
    rows: Callable
    empty: str
    more_url: Callable | None
    who: Callable | None


_panels: list[_Registered] = []
MOST_ROWS = 8


def register_panel(title, rows, *, order=50, empty="Nothing here.", more_url=None, who=None):
    """`rows(request)` lists what needs doing; `who(user)` says whether to show the panel."""
    _panels[:] = [p for p in _panels if p.title != title]
    _panels.append(_Registered(order, title, rows, empty, more_url, who))
    _panels.sort(key=lambda p: (p.order, p.title))


def panels_for(request) -> list[Panel]:
    shown = []
    for panel in _panels:
        if panel.who is not None and not panel.who(request.user):
            continue
        rows = list(panel.rows(request))
        more = panel.more_url(request) if panel.more_url else ""
        shown.append(Panel(panel.title, rows[:MOST_ROWS], panel.empty, more))
    return shown


def admin_url(obj) -> str:
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""
