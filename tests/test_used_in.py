"""Editors see where an item is used before they delete, unpublish or rename it; renamed pages
keep their old addresses; links to hub pages that do not exist are caught on save."""

import io
import json

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.admin_mixins import CONFIRM_FIELD
from core.models import Redirect
from decisions.models import Outcome
from resources.models import GlossaryTerm, Guide
from tests import factories
from tests.admin_pages import change_form

pytestmark = pytest.mark.django_db


class EditorsBrowser(Client):
    """Each request's work is committed, as on a real server: the public pages' cache is
    cleared when a change commits."""

    capture = None

    def request(self, **request):
        with EditorsBrowser.capture(execute=True):
            return super().request(**request)


@pytest.fixture
def publisher_client(django_capture_on_commit_callbacks):
    EditorsBrowser.capture = staticmethod(django_capture_on_commit_callbacks)
    client = EditorsBrowser()
    client.force_login(factories.editor())
    return client


def guide_admin(guide, view="change") -> str:
    return reverse(f"admin:resources_guide_{view}", args=[guide.pk])


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def used_in(client, url) -> str:
    """The "Used in" list of an admin change page (the page's other lists name every guide)."""
    page = client.get(url).content.decode()
    assert "Used in" in page
    start = page.find('<ul class="hub-used-in">')
    return page[start : page.index("</ul>", start)] if start >= 0 else ""


# --- Used in ------------------------------------------------------------------------------------


def test_used_in_lists_a_linking_guide_and_a_decision_outcome(publisher_client):
    target = factories.guide("Sick pay", slug="sick-pay")
    linking = factories.guide("Long absence", body="Read [the sick pay guide](/guides/sick-pay/).")
    listing = factories.guide("Short absence")
    listing.related_guides.add(target)
    tree = factories.decision_tree()
    outcome = Outcome.objects.get(tree=tree)
    outcome.guides.add(target)
    factories.guide("Not related at all")

    page = used_in(publisher_client, guide_admin(target))

    assert guide_admin(linking) in page and "Long absence" in page
    assert "links to it in its text" in page
    assert guide_admin(listing) in page and "Short absence" in page
    assert reverse("admin:decisions_decisiontree_change", args=[tree.pk]) in page
    assert "A small tool" in page and "Tell them" in page
    assert "Not related at all" not in page


def test_used_in_finds_links_in_glosses_and_outcome_bodies(publisher_client):
    target = factories.guide("Sick pay", slug="sick-pay")
    place = factories.workplace("care-home")
    factories.guide("Night shifts", glosses={place: "See [sick pay](/guides/sick-pay/#rules)."})
    tree = factories.decision_tree()
    Outcome.objects.filter(tree=tree).update(body="Read [this](/guides/sick-pay/).")

    page = used_in(publisher_client, guide_admin(target))

    assert "Night shifts" in page and "A small tool" in page


def test_a_glossary_terms_used_in_lists_the_pages_that_use_the_word(publisher_client):
    term = factories.glossary_term("Capability", slug="capability")
    user = factories.guide("Poor performance", body="A [[capability]] process.")
    factories.guide("Something else", body="No glossary words.")

    page = used_in(publisher_client, reverse("admin:resources_glossaryterm_change", args=[term.pk]))

    assert "Poor performance" in page and guide_admin(user) in page
    assert "Something else" not in page


# --- Safe delete ----------------------------------------------------------------------------------


def test_deleting_a_used_glossary_term_is_refused(publisher_client):
    term = factories.glossary_term("Capability", slug="capability")
    factories.guide("Poor performance", body="A [[capability]] process.")
    delete_url = reverse("admin:resources_glossaryterm_delete", args=[term.pk])

    response = publisher_client.post(delete_url, {"post": "yes", CONFIRM_FIELD: "yes"})

    assert response.status_code == 302
    assert "You cannot delete “Capability”" in messages_of(response)
    assert "Poor performance" in messages_of(response)
    assert GlossaryTerm.objects.filter(pk=term.pk).exists()

    # Nor from the list.
    listing = reverse("admin:resources_glossaryterm_changelist")
    response = publisher_client.post(
        listing, {"action": "delete_selected", "_selected_action": [term.pk], "post": "yes"}
    )
    assert "You cannot delete “Capability”" in messages_of(response)
    assert GlossaryTerm.objects.filter(pk=term.pk).exists()


def test_an_unused_glossary_term_can_be_deleted(publisher_client):
    term = factories.glossary_term("Capability", slug="capability")
    delete_url = reverse("admin:resources_glossaryterm_delete", args=[term.pk])

    response = publisher_client.post(delete_url, {"post": "yes"})

    assert response.status_code == 302
    assert not GlossaryTerm.objects.filter(pk=term.pk).exists()


@pytest.mark.both_databases  # savepoints roll a refused save back
def test_deleting_a_used_guide_shows_the_places_and_needs_confirmation(publisher_client):
    target = factories.guide("Sick pay", slug="sick-pay")
    factories.guide("Long absence", body="Read [the sick pay guide](/guides/sick-pay/).")

    page = publisher_client.get(guide_admin(target, "delete")).content.decode()
    assert "These pages use it" in page and "Long absence" in page
    assert CONFIRM_FIELD in page

    # "Yes, I'm sure" without the tick deletes nothing.
    refused = publisher_client.post(guide_admin(target, "delete"), {"post": "yes"})
    assert refused.status_code == 200
    assert "Tick the box" in refused.content.decode()
    assert Guide.objects.filter(pk=target.pk).exists()

    done = publisher_client.post(
        guide_admin(target, "delete"), {"post": "yes", CONFIRM_FIELD: "yes"}
    )
    assert done.status_code == 302
    assert not Guide.objects.filter(pk=target.pk).exists()


def test_deleting_used_guides_from_the_list_needs_confirmation(publisher_client):
    target = factories.guide("Sick pay", slug="sick-pay")
    factories.guide("Long absence", body="Read [the sick pay guide](/guides/sick-pay/).")
    listing = reverse("admin:resources_guide_changelist")
    chosen = {"action": "delete_selected", "_selected_action": [target.pk]}

    asked = publisher_client.post(listing, chosen).content.decode()
    assert "Long absence" in asked and CONFIRM_FIELD in asked

    refused = publisher_client.post(listing, {**chosen, "post": "yes"})
    assert refused.status_code == 200 and "Tick the box" in refused.content.decode()
    assert Guide.objects.filter(pk=target.pk).exists()

    publisher_client.post(listing, {**chosen, "post": "yes", CONFIRM_FIELD: "yes"})
    assert not Guide.objects.filter(pk=target.pk).exists()


def test_an_unused_guide_is_deleted_as_before(publisher_client):
    target = factories.guide("Sick pay", slug="sick-pay")
    assert publisher_client.post(guide_admin(target, "delete"), {"post": "yes"}).status_code == 302
    assert not Guide.objects.filter(pk=target.pk).exists()


def test_taking_down_a_used_page_warns_which_pages_use_it(publisher_client):
    target = factories.guide("Sick pay", slug="sick-pay")
    factories.guide("Long absence", body="Read [the sick pay guide](/guides/sick-pay/).")
    soon = timezone.localtime() + timezone.timedelta(hours=1)

    response = publisher_client.post(
        guide_admin(target, "schedule"), {"take_down_at": soon.strftime("%Y-%m-%dT%H:%M")}
    )

    said = messages_of(response)
    assert "readers cannot see" in said and "Long absence" in said


# --- Renamed pages keep their old addresses -------------------------------------------------------


@pytest.mark.both_databases  # savepoints roll a refused save back
def test_a_guide_renamed_in_admin_redirects_from_its_old_address(publisher_client):
    guide = factories.guide("Sick pay", slug="sick-pay")
    old = guide.get_absolute_url()

    form = change_form(publisher_client, guide_admin(guide), slug="statutory-sick-pay")
    assert publisher_client.post(guide_admin(guide), form).status_code == 302

    guide.refresh_from_db()
    assert guide.slug == "statutory-sick-pay"
    reader = Client()
    response = reader.get(old)
    assert response.status_code == 301
    assert response["Location"] == guide.get_absolute_url()
    assert reader.get(guide.get_absolute_url()).status_code == 200

    # Renamed again: the first address leads to the newest one.
    form = change_form(publisher_client, guide_admin(guide), slug="sick-pay-rules")
    assert publisher_client.post(guide_admin(guide), form).status_code == 302
    assert reader.get(old)["Location"] == "/guides/sick-pay-rules/"
    assert reader.get("/guides/statutory-sick-pay/")["Location"] == "/guides/sick-pay-rules/"

    # A page linking to an old address still passes: the address leads to the page.
    linking = factories.guide("Long absence", body="See [sick pay](/guides/sick-pay/).")
    form = change_form(publisher_client, guide_admin(linking), summary="Changed.")
    assert publisher_client.post(guide_admin(linking), form).status_code == 302
    linking.refresh_from_db()
    assert linking.summary == "Changed."


@pytest.mark.both_databases  # savepoints roll a refused save back
def test_a_rename_saved_as_a_draft_redirects_once_the_draft_is_published(publisher_client):
    guide = factories.guide("Sick pay", slug="sick-pay")
    form = change_form(publisher_client, guide_admin(guide), slug="statutory-sick-pay")
    form["_save_draft"] = ["Save as draft"]
    publisher_client.post(guide_admin(guide), form)
    assert not Redirect.objects.exists()
    assert Client().get("/guides/sick-pay/").status_code == 200

    publisher_client.post(guide_admin(guide, "draft_publish"))

    response = Client().get("/guides/sick-pay/")
    assert response.status_code == 301
    assert response["Location"] == "/guides/statutory-sick-pay/"


def test_an_old_address_of_a_page_taken_off_the_site_is_not_found():
    guide = factories.guide("Sick pay", slug="sick-pay")
    guide.slug = "statutory-sick-pay"
    guide.status = "draft"
    guide.save()
    from core import publishing

    publishing.changed(guide)

    assert Redirect.objects.filter(old_path="/guides/sick-pay/").exists()
    assert Client().get("/guides/sick-pay/").status_code == 404


# --- Links to hub pages ---------------------------------------------------------------------------


@pytest.mark.both_databases  # savepoints roll a refused save back
def test_a_save_linking_to_a_hub_page_that_does_not_exist_is_refused(publisher_client):
    guide = factories.guide("Sick pay", slug="sick-pay", body="Old body.")
    factories.guide("A draft", slug="a-draft", status="draft")

    form = change_form(
        publisher_client, guide_admin(guide), body="See [nothing](/guides/no-such-guide/)."
    )
    refused = publisher_client.post(guide_admin(guide), form)

    assert refused.status_code == 200
    assert "/guides/no-such-guide/: there is no such page" in refused.content.decode()
    guide.refresh_from_db()
    assert guide.body == "Old body."

    # A link to a draft is fine in a draft, but the live page cannot go live with it.
    draft_form = change_form(
        publisher_client, guide_admin(guide), body="See [d](/guides/a-draft/)."
    )
    draft_form["_save_draft"] = ["Save as draft"]
    assert publisher_client.post(guide_admin(guide), draft_form).status_code == 302
    live_form = change_form(publisher_client, guide_admin(guide), body="See [d](/guides/a-draft/).")
    publisher_client.post(guide_admin(guide), live_form)
    guide.refresh_from_db()
    assert guide.body == "Old body."


def test_check_links_reports_internal_links_with_an_outcome():
    factories.guide("Sick pay", slug="sick-pay")
    factories.guide("A draft", slug="a-draft", status="draft")
    factories.guide(
        "Long absence",
        body="[a](/guides/sick-pay/) [b](/guides/a-draft/) [c](/guides/gone/) [d](/glossary/)",
    )
    out = io.StringIO()

    call_command("check_links", "--json", stdout=out)

    report = json.loads(out.getvalue())
    assert report["checked"] == 0  # the external links' keys are as they were
    internal = report["internal_links"]
    outcomes = {result["url"]: result["outcome"] for result in internal["results"]}
    assert outcomes == {
        "/guides/sick-pay/": "ok",
        "/guides/a-draft/": "not_live",
        "/guides/gone/": "missing",
        "/glossary/": "ok",
    }
    assert (internal["ok"], internal["missing"], internal["not_live"]) == (2, 1, 1)
    assert internal["results"][0]["used_in"][0]["object"] == "Long absence"
