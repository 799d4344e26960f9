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


def register() -> None:
    register_panel(
        "Broken links",
        _broken,
        order=40,
        empty="None: every link worked on the last check.",
        more_url=lambda request: reverse("admin:links_checkedlink_changelist"),
    )
