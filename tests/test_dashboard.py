"""The editors' dashboard: the admin home page says what needs doing."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from links.models import CheckedLink, Outcome
from tests import factories
from tests.test_plain_english import HARD

pytestmark = pytest.mark.django_db


def home(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_page_lists_broken_links_hard_pages_reviews_due_and_recent_changes():
    me = factories.editor()
    factories.guide("Hard to read", body=HARD)
    due = factories.guide("Due soon", body="Say thank you.")
    due.reviewed_by = me
    due.next_review_due = timezone.localdate() + datetime.timedelta(days=3)
    due.save()
    CheckedLink.objects.create(
        url="https://example.org/gone", outcome=Outcome.BROKEN, consecutive_failures=2
    )
    client = Client()
    client.force_login(me)
    change = reverse("admin:resources_guide_change", args=[due.pk])
    from tests.admin_pages import change_form

    client.post(change, change_form(client, change, summary="A new summary."))

    page = home(me)

    assert "Broken links" in page and "https://example.org/gone" in page
    assert "Live pages failing the plain-English check" in page and "Hard to read" in page
    assert "Your reviews due in the next 30 days" in page and "Due soon" in page
    assert "Recent changes by everyone" in page and "Due soon" in page
    unlinked = page[page.index("Live pages no other page links to") :]
    assert "Hard to read" in unlinked.split("</section>")[0]


def test_an_author_does_not_see_the_approval_list():
    assert "Waiting for your approval" not in home(factories.author())
    assert "Waiting for your approval" in home(factories.editor())


def test_the_home_page_lists_pages_whose_source_changed_since_their_review():
    guide = factories.guide("Sick pay", last_reviewed=datetime.date(2026, 1, 5))
    CheckedLink.objects.create(
        url="https://www.acas.org.uk/sick-pay",
        outcome=Outcome.OK,
        content_changed_at=timezone.now(),
        used_in=[{"model": "resources.guide", "pk": guide.pk}],
    )

    page = home(factories.editor())

    panel = page[page.index("Sources that changed since their pages were reviewed") :]
    panel = panel.split("</section>")[0]
    assert "Sick pay" in panel and "https://www.acas.org.uk/sick-pay" in panel
    assert "?since=2026-01-05" in panel
