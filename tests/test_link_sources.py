"""What changed on a source page; a machine that is offline is not a web of broken links; the
link report's rows can be opened by keyboard and screen reader.

A real HTTP server runs on 127.0.0.1 in a thread (tests/linkserver.py); nothing is mocked and
nothing reaches the internet.
"""

import datetime
import io
import json
import socket
import time
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from links import sources
from links.diffs import word_diff
from links.models import TEXTS_KEPT, CheckedLink, LinkCheckResult, PageText
from links.pages import unpack_text
from resources.models import Guide, Resource
from tests import factories
from tests.linkserver import LinkServer, running

pytestmark = pytest.mark.django_db

BEFORE = (
    "Sick pay starts on day four. Tell your manager before 10am on your first day off. "
    "Send a fit note after seven days."
)
AFTER = (
    "Sick pay starts on day one. Tell your manager before 10am on your first day off. "
    "Send a fit note after seven days."
)


@pytest.fixture(scope="module")
def server():
    with running(LinkServer()) as server:
        yield server


@pytest.fixture
def web(server):
    with server.lock:
        server.hits.clear()
    server.policy = BEFORE
    server.clock = time.monotonic
    return server


@pytest.fixture(autouse=True)
def quick_checker(settings):
    settings.LINKCHECK_ALLOW_PRIVATE = True
    settings.LINKCHECK_TIMEOUT = 0.5
    settings.LINKCHECK_DEADLINE = 20
    settings.LINKCHECK_RETRIES = 0
    settings.LINKCHECK_HOST_DELAY = 0
    settings.EDITOR_EMAILS = []
    return settings


def check_links(*args):
    """Runs the command as cron would; returns (exit status, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("check_links", *args, stdout=stdout, stderr=stderr)
    except CommandError as error:
        stderr.write(str(error))
        return error.returncode, stdout.getvalue(), stderr.getvalue()
    return 0, stdout.getvalue(), stderr.getvalue()


def reviewed_days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def closed_port_url() -> str:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# --- What changed on a source ---------------------------------------------------------------


def test_a_changed_source_marks_the_resource_and_a_guide_that_links_to_it(web, client, settings):
    url = web.url("/policy")
    resource = factories.resource(url=url, last_reviewed=reviewed_days_ago(60))
    guide = factories.guide(
        body=f"Read [the sick pay policy]({url}).", last_reviewed=reviewed_days_ago(60)
    )
    other = factories.guide(body="No links here.", last_reviewed=reviewed_days_ago(60))

    check_links()
    link = CheckedLink.objects.get(url=url)
    [first] = PageText.objects.filter(link=link)
    assert unpack_text(first.packed) == f"Guidance {BEFORE}"
    assert sources.unread_changes(resource) == sources.unread_changes(guide) == []

    web.policy = AFTER
    settings.EDITOR_EMAILS = ["lead@example.org"]
    _, out, _ = check_links("--json", "--email")

    assert json.loads(out)["results"][0]["content_changed"] is True
    link.refresh_from_db()
    [message] = mail.outbox
    changes_path = reverse("admin:links_checkedlink_changes", args=[link.pk])
    assert f"what changed: {settings.SITE_URL}{changes_path}" in message.body
    assert resource.title in message.body and guide.title in message.body
    assert link.content_changed_at is not None
    assert [text.text for text in link.texts.all()] == [f"Guidance {AFTER}", f"Guidance {BEFORE}"]
    assert [change.link for change in sources.unread_changes(resource)] == [link]
    assert [change.link for change in sources.unread_changes(guide)] == [link]
    assert sources.unread_changes(other) == []
    assert list(sources.with_unread_changes(Guide.objects.all())) == [guide]
    assert list(sources.with_unread_changes(Resource.objects.all())) == [resource]

    client.force_login(factories.editor())
    for model, item in (("resource", resource), ("guide", guide)):
        listed = client.get(f"/admin/resources/{model}/?source_changed=yes").text
        assert item.title in listed
        assert "Source changed: needs review" in listed, "the filter is offered"
        page = client.get(f"/admin/resources/{model}/{item.pk}/change/").text
        assert "Source changed: needs review." in page
        since = reviewed_days_ago(60).isoformat()
        diff_url = reverse("admin:links_checkedlink_changes", args=[link.pk]) + f"?since={since}"
        assert f'href="{diff_url}"' in page
    assert other.title not in client.get("/admin/resources/guide/?source_changed=yes").text

    diff = client.get(diff_url)
    assert diff.status_code == 200
    assert "<del>" in diff.text and "four." in diff.text
    assert "<ins>" in diff.text and "one." in diff.text
    assert '<th scope="col">Before' in diff.text and '<th scope="col">Now' in diff.text
    assert "<script" not in diff.text.split('id="content-main"')[1], "no JavaScript needed"
    report = client.get(reverse("admin:links_checkedlink_change", args=[link.pk])).text
    assert reverse("admin:links_checkedlink_changes", args=[link.pk]) in report

    # Reviewing the guide clears its flag; the resource still waits for its review.
    guide.mark_reviewed(by=None)
    assert sources.unread_changes(guide) == []
    assert list(sources.with_unread_changes(Guide.objects.all())) == []
    assert list(sources.with_unread_changes(Resource.objects.all())) == [resource]
    page = client.get(f"/admin/resources/guide/{guide.pk}/change/").text
    assert "Source changed: needs review." not in page


def test_a_script_whose_part_links_to_a_changed_page_is_flagged_and_other_kinds_show_the_field(
    web, client
):
    url = web.url("/policy")
    factories.resource(url=url, last_reviewed=reviewed_days_ago(60))
    script = factories.script(
        parts={"opening": f"- Say the [policy]({url}) has changed."},
        last_reviewed=reviewed_days_ago(60),
    )
    tree = factories.decision_tree()
    check_links()
    web.policy = AFTER
    check_links()

    assert len(sources.unread_changes(script)) == 1, "an inline part counts for its script"
    client.force_login(factories.superuser())
    page = client.get(f"/admin/resources/script/{script.pk}/change/").text
    assert "Source changed: needs review." in page
    tree_page = client.get(reverse("admin:decisions_decisiontree_change", args=[tree.pk]))
    assert tree_page.status_code == 200
    assert "No page this links to has changed since it was last reviewed." in tree_page.text
    assert client.get(reverse("admin:resources_guide_add")).status_code == 200


def test_an_unchanged_page_keeps_one_text_and_costs_a_304(web):
    url = web.url("/policy")
    factories.resource(url=url, last_reviewed=reviewed_days_ago(60))

    check_links()
    check_links()

    assert PageText.objects.count() == 1
    assert [hit.headers.get("If-None-Match") is not None for hit in web.hits_for("/policy")] == [
        False,
        True,
    ]


def test_a_page_checked_before_texts_were_kept_is_read_whole_once(web):
    url = web.url("/policy")
    factories.resource(url=url, last_reviewed=reviewed_days_ago(60))
    check_links()
    PageText.objects.all().delete()

    check_links()

    assert web.hits_for("/policy")[-1].headers.get("If-None-Match") is None
    assert PageText.objects.count() == 1


def test_only_pages_the_checker_reads_keep_their_text(web):
    factories.guide(body=f"See [this]({web.url('/ok')}).")

    check_links()

    assert CheckedLink.objects.filter(url=web.url("/ok")).exists()
    assert PageText.objects.count() == 0


def test_a_page_keeps_its_last_few_texts_and_any_can_be_compared_with_now(web, client):
    factories.resource(url=web.url("/policy"), last_reviewed=reviewed_days_ago(60))

    for version in range(TEXTS_KEPT + 2):
        web.policy = f"Version {version} of the policy."
        check_links()

    texts = list(PageText.objects.all())
    assert len(texts) == TEXTS_KEPT
    assert texts[0].text == f"Guidance Version {TEXTS_KEPT + 1} of the policy."
    client.force_login(factories.editor())
    changes = reverse("admin:links_checkedlink_changes", args=[texts[0].link_id])
    page = client.get(changes).text
    removed = '<span class="visually-hidden">[removed: </span>{}<'
    assert removed.format(TEXTS_KEPT) in page, "by default, the version before"
    assert f'href="{changes}?version={texts[-1].pk}"' in page, "any kept version can be compared"
    oldest = client.get(f"{changes}?version={texts[-1].pk}").text
    assert removed.format(2) in oldest


def test_the_word_diff_marks_only_the_changed_words_and_leaves_out_long_same_stretches():
    same = " ".join(f"word{n}" for n in range(100))
    diff = word_diff(f"Start here. {same} Old ending.", f"Begin here. {same} New ending.")

    assert (diff.removed, diff.added) == (2, 2)
    first, gap, last = diff.parts
    assert "<del>" in first.before and "Start" in first.before and "<ins>" not in first.before
    assert "<ins>" in first.after and "Begin" in first.after
    assert gap.words == 100 - 2 * 12 + 1  # "here." is shared too
    assert "Old" in last.before and "New" in last.after
    assert word_diff("Same words.", "Same  words.").parts == []
    assert "&lt;b&gt;" in word_diff("a", "<b>").parts[0].after, "page text is escaped"


# --- Offline is not broken ------------------------------------------------------------------


@pytest.mark.parametrize("canary", ["closed port", "unknown name"])
def test_with_no_internet_nothing_is_recorded_and_cron_hears_exit_2(web, settings, canary):
    settings.EDITOR_EMAILS = ["lead@example.org"]
    missing = web.url("/missing")
    factories.resource(url=missing, last_reviewed=reviewed_days_ago(60))
    factories.guide(body=f"See [this]({web.url('/ok')}).")
    check_links()  # broken once
    before = list(CheckedLink.objects.order_by("url").values())
    checks = LinkCheckResult.objects.count()
    with web.lock:
        web.hits.clear()
    settings.HUB_LINKCHECK_CANARY_URLS = [
        closed_port_url() if canary == "closed port" else "http://no-such-host.invalid/",
        closed_port_url(),
    ]
    settings.HUB_LINKCHECK_CANARY_TIMEOUT = 0.5

    status, out, err = check_links("--email")
    json_status, json_out, _ = check_links("--email", "--json")

    assert (status, out) == (2, "")
    assert "cannot reach the internet" in err and err.strip().count("\n") == 0
    assert json_status == 2 and json.loads(json_out)["internet"] is False
    assert list(CheckedLink.objects.order_by("url").values()) == before, "no strikes, no results"
    assert CheckedLink.objects.get(url=missing).consecutive_failures == 1
    assert LinkCheckResult.objects.count() == checks
    assert mail.outbox == []
    assert web.hits == [], "no link was checked"


def test_a_canary_that_answers_lets_the_run_go_ahead(web, settings):
    settings.HUB_LINKCHECK_CANARY_URLS = [closed_port_url(), web.url("/missing?canary")]
    factories.guide(body=f"See [this]({web.url('/ok')}).")

    status, out, _ = check_links("--json")

    assert status == 0, "any answer, even a 404, means the internet is there"
    report = json.loads(out)
    assert report["internet"] is True and report["checked"] == 1
    assert not CheckedLink.objects.filter(url__contains="canary").exists()


# --- The report's row link ------------------------------------------------------------------


class _Links(HTMLParser):
    """Each <a> in the page: its href and its text, and whether links were nested."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.open: list[list] = []
        self.nested = False

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.nested = self.nested or bool(self.open)
            self.open.append([dict(attrs).get("href", ""), ""])

    def handle_data(self, data):
        for link in self.open:
            link[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self.open:
            href, text = self.open.pop()
            self.links.append((href, text.strip()))


def test_each_row_of_the_link_report_is_a_named_link_to_its_details(client):
    link = CheckedLink.objects.create(
        url="https://www.acas.org.uk/sick-pay", outcome="ok", checked_at=timezone.now()
    )
    client.force_login(factories.editor())

    page = client.get(reverse("admin:links_checkedlink_changelist")).text

    parser = _Links()
    parser.feed(page)
    details = reverse("admin:links_checkedlink_change", args=[link.pk])
    assert (details, link.url) in parser.links
    assert all(text for href, text in parser.links if href == details), "no empty row link"
    assert not parser.nested
    detail = client.get(details).text
    assert f'href="{link.url}"' in detail, "the page itself opens from the details"
