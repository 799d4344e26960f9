"""The dashboard's list of links reported broken."""

from django.urls import reverse

from core.dashboard import Row, register_panel

from .models import CheckedLink


def _broken(request):
    for link in CheckedLink.objects.reported_broken().order_by("url"):
        places = len(link.used_in or [])
        where = f", used in {places} {'place' if places == 1 else 'places'}" if places else ""
        yield Row(
            f"{link.url} ({link.get_outcome_display().lower()}{where})",
            reverse("admin:links_checkedlink_change", args=[link.pk]),
        )


def _changed_sources(request):
    """Items with an unread source change: the page they rely on changed after their review."""
    from django.apps import apps

    from . import sources

    for (label, pk), links in sorted(sources.changed_links_by_item().items()):
        model = apps.get_model(label)
        item = model._default_manager.filter(pk=pk).only("title", "last_reviewed").first()
        if item is None:
            continue
        unread = [link for link in links if sources.changed_on(link) > item.last_reviewed]
        if not unread:
            continue
        newest = max(unread, key=lambda link: link.content_changed_at)
        yield Row(
            f"{item} ({model._meta.verbose_name}): {newest.url} changed on "
            f"{sources.changed_on(newest):%d %B %Y}",
            reverse("admin:links_checkedlink_changes", args=[newest.pk])
            + f"?since={item.last_reviewed.isoformat()}",
        )


def register() -> None:
    register_panel(
        "Sources that changed since their pages were reviewed",
        _changed_sources,
        order=45,
        empty="None: no page the hub relies on has changed since its review.",
    )
    register_panel(
        "Broken links",
        _broken,
        order=40,
        empty="None: every link worked on the last check.",
        more_url=lambda request: reverse("admin:links_checkedlink_changelist"),
    )
