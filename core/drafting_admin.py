"""Admin behaviour for content that goes live: drafts of live items, approval, and no lost edits.

Mixed into a content type's ModelAdmin before django-reversion's VersionAdmin:

- Editing a live item saves a draft: the live page stays as it is. A publisher's "Save" puts
  the change live at once, through core.publishing, which checks the rules first; if they fail,
  the change is kept as a draft with the reasons shown and the live item stays as it was.
- An author "submits for approval" with a note; publishers see it on their admin home page and
  get an email; they approve (publish) or request changes with a comment.
- Each form carries the state the editor opened; a save made after someone else changed the item
  is refused, showing what they changed, and the editor's own changes stay in the form.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import drafts, publishing, redirects, usage
from .models import Draft, Status, TakeDown
from .roles import can_publish

SNAPSHOT_FIELD = "_hub_opened"
SAVE_DRAFT = "_save_draft"
SUBMIT = "_submit_for_approval"
NOTE_FIELD = "_approval_note"
SNAPSHOT_SALT = "hub.drafting.opened"
UNPUBLISH_CONFIRM = "_unpublish_although_used"


class DraftingAdmin:
    """See the module's docstring. `draft_root` names the item a change belongs to (a decision
    tool's question belongs to its tool)."""

    def draft_root(self, obj):
        return obj

    # --- Opening the form -----------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return super().change_view(request, object_id, form_url, extra_context)
        root = self.draft_root(obj)
        draft = drafts.draft_for(root)
        if request.method == "POST":
            return self._save(request, object_id, root, draft, form_url, extra_context)
        if draft is None:
            return super().change_view(request, object_id, form_url, extra_context)
        with drafts.showing(root, draft):
            response = super().change_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            root = self.draft_root(obj)
            draft = drafts.draft_for(root)
            opened = request.POST.get(SNAPSHOT_FIELD) if request.method == "POST" else None
            context["drafting"] = {
                "draft": draft,
                "live": _is_live(root),
                "can_publish": can_publish(request.user),
                "opened": opened or _sign(drafts.current_state(root)),
                "snapshot_field": SNAPSHOT_FIELD,
                "note_field": NOTE_FIELD,
                "preview_url": _admin_url(root, "preview"),
                "compare_url": _admin_url(root, "draft_compare") if draft else "",
                "publish_url": _admin_url(root, "draft_publish") if draft else "",
                "request_changes_url": _admin_url(root, "draft_request_changes") if draft else "",
                "discard_url": _admin_url(root, "draft_discard") if draft else "",
                "schedule_url": _admin_url(root, "schedule"),
                "used": live_and_used(root),
                "unpublish_confirm": UNPUBLISH_CONFIRM,
                "take_down": TakeDown.objects.filter(
                    content_type=ContentType.objects.get_for_model(type(root)),
                    object_id=str(root.pk),
                ).first(),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        stale = getattr(request, "hub_stale", None)
        if not stale:
            return form_class

        def clean(form):
            form_class.clean(form)
            raise ValidationError(stale)

        return type(form_class.__name__, (form_class,), {"clean": clean})

    # --- Saving ---------------------------------------------------------------------------

    def _save(self, request, object_id, root, draft, form_url, extra_context):
        request.hub_stale = _changed_since_opened(request, root)
        if request.hub_stale:
            # Shown again with the editor's changes still in it, and the other person's listed.
            return self._in_rolled_back_save(request, object_id, form_url, extra_context, draft)
        live = _is_live(root)
        submitting = SUBMIT in request.POST
        wants_draft = SAVE_DRAFT in request.POST or submitting
        if draft is None and not live and not submitting:
            return self._save_unpublished(request, object_id, root, form_url, extra_context)
        wants_live = can_publish(request.user) and not wants_draft
        request.hub_saving_draft = not wants_live  # the plain-English gate waits for publishing
        request.hub_drafting = True  # the side work is done here, once, if the change goes live
        reasons: list[str] = []
        blocked: list[str] = []
        with transaction.atomic():
            sid = transaction.savepoint()
            if draft is not None:
                drafts.write(type(root), root.pk, draft.versions)
            response = admin.ModelAdmin.change_view(
                self, request, object_id, form_url, extra_context
            )
            if not isinstance(response, HttpResponseRedirect):
                response.render()
                transaction.savepoint_rollback(sid)
                return response
            saved = type(root)._default_manager.get(pk=root.pk)
            redirects.remember_loaded_slug(saved, root)
            if wants_live and live and getattr(saved, "status", None) == Status.DRAFT:
                # A publisher set the live page to Draft: it comes off the site, once they have
                # said they know which pages still use it.
                uses = usage.where_used(saved)
                if not uses or request.POST.get(UNPUBLISH_CONFIRM):
                    transaction.savepoint_commit(sid)
                    Draft.objects.filter(pk=getattr(draft, "pk", None)).delete()
                    publishing.unpublished(saved, by=request.user)
                    return response
                transaction.savepoint_rollback(sid)
                blocked = [
                    f"Other pages use “{saved}”: {usage.describe(uses)} Change them first, or "
                    "tick “Take it off the site even though other pages use it”."
                ]
            if wants_live and not blocked:
                if hasattr(saved, "status"):
                    saved.status = Status.PUBLISHED
                    saved.save()
                outcome = publishing.keep_live_changes(
                    saved,
                    by=request.user,
                    comment=_change_comment(request, draft),
                    override_reason=getattr(request, "plain_english_override", ""),
                )
                if outcome.published:
                    transaction.savepoint_commit(sid)
                    Draft.objects.filter(pk=getattr(draft, "pk", None)).delete()
                    return response
                reasons = outcome.all_problems
            if not blocked:
                state = drafts.serialise(saved)
                transaction.savepoint_rollback(sid)
        if blocked:
            request.hub_stale = blocked
            return self._in_rolled_back_save(request, object_id, form_url, extra_context, draft)
        note = request.POST.get(NOTE_FIELD, "").strip()
        kept = drafts.keep(
            root,
            state,
            by=request.user,
            state_name=Draft.State.SUBMITTED if submitting else Draft.State.EDITING,
            note=note,
        )
        if submitting:
            kept.submitted_by = request.user
            kept.save(update_fields=["submitted_by"])
            publishing.note_in_history(
                root,
                by=request.user,
                comment=f"Draft submitted for approval. {note}".strip(),
            )
            _tell_publishers(request, root, kept)
        if reasons:
            self.message_user(
                request,
                "Saved as a draft. The live page has not changed, because the change cannot go "
                "live yet: " + " ".join(reasons),
                messages.ERROR,
            )
        elif submitting:
            self.message_user(
                request,
                "Saved and sent to the publishers for approval. The live page has not changed.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                "Saved as a draft. The live page has not changed. Preview it, then publish it "
                "or submit it for approval.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(_admin_url(self_object(self, request, object_id), "change"))

    def _save_unpublished(self, request, object_id, root, form_url, extra_context):
        """An item readers have never seen is saved as it is; if the save would put it live,
        the rules are checked first and, when they fail, it stays off the site."""
        request.hub_drafting = True
        with transaction.atomic():
            response = super().change_view(request, object_id, form_url, extra_context)
            if not isinstance(response, HttpResponseRedirect):
                return response
            saved = type(root)._default_manager.get(pk=root.pk)
            redirects.remember_loaded_slug(saved, root)
            if _is_live(saved):
                outcome = publishing.check(saved, overridable=False)
                if outcome.problems:
                    type(saved)._default_manager.filter(pk=saved.pk).update(status=Status.DRAFT)
                    self.message_user(
                        request,
                        "Saved, but kept off the site, because it cannot go live yet: "
                        + " ".join(outcome.problems),
                        messages.ERROR,
                    )
            publishing.changed(saved)
        return response

    def _in_rolled_back_save(self, request, object_id, form_url, extra_context, draft):
        request.hub_drafting = True
        root = self.draft_root(self.get_object(request, unquote(object_id)))
        with drafts.showing(root, draft):
            response = admin.ModelAdmin.change_view(
                self, request, object_id, form_url, extra_context
            )
            if hasattr(response, "render"):
                response.render()
        return response

    # --- Draft pages ----------------------------------------------------------------------

    def get_urls(self):
        info = (self.opts.app_label, self.opts.model_name)
        views = [
            ("draft/compare/", self.draft_compare_view, "draft_compare"),
            ("draft/publish/", self.draft_publish_view, "draft_publish"),
            ("draft/request-changes/", self.draft_request_changes_view, "draft_request_changes"),
            ("draft/discard/", self.draft_discard_view, "draft_discard"),
            ("schedule/", self.schedule_view, "schedule"),
        ]
        return [
            path(
                f"<path:object_id>/{route}",
                self.admin_site.admin_view(view),
                name="{}_{}_{}".format(*info, name),
            )
            for route, view, name in views
        ] + super().get_urls()

    def _draft_or_back(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            return None, None, self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        root = self.draft_root(obj)
        draft = drafts.draft_for(root)
        if draft is None:
            self.message_user(request, "There is no draft of this page.", messages.INFO)
            return root, None, HttpResponseRedirect(_admin_url(root, "change"))
        return root, draft, None

    def draft_compare_view(self, request, object_id):
        root, draft, back = self._draft_or_back(request, object_id)
        if back:
            return back
        context = {
            **self.admin_site.each_context(request),
            "title": f"What the draft of “{root}” changes",
            "opts": self.opts,
            "original": root,
            "draft": draft,
            "changes": drafts.changes_between(drafts.serialise(root), draft.versions),
            "change_url": _admin_url(root, "change"),
        }
        return TemplateResponse(request, "admin/core/draft_compare.html", context)

    def draft_publish_view(self, request, object_id):
        root, draft, back = self._draft_or_back(request, object_id)
        if back:
            return back
        if request.method != "POST" or not can_publish(request.user):
            return _forbidden(request, self, root)
        outcome = publishing.publish_draft(
            draft,
            by=request.user,
            comment=f"Approved and published by {request.user}.",
        )
        if outcome.published:
            self.message_user(request, f"Published “{root}”.", messages.SUCCESS)
            _tell_author(request, root, draft, "was published")
        elif outcome.all_problems:
            self.message_user(
                request,
                "Not published: " + " ".join(outcome.all_problems),
                messages.ERROR,
            )
        else:
            self.message_user(
                request, "Someone changed or published this draft first.", messages.WARNING
            )
        return HttpResponseRedirect(_admin_url(root, "change"))

    def draft_request_changes_view(self, request, object_id):
        root, draft, back = self._draft_or_back(request, object_id)
        if back:
            return back
        if request.method != "POST" or not can_publish(request.user):
            return _forbidden(request, self, root)
        comment = request.POST.get("comment", "").strip()
        draft.state = Draft.State.CHANGES_REQUESTED
        draft.comment = comment
        draft.save(update_fields=["state", "comment", "updated"])
        publishing.note_in_history(
            root, by=request.user, comment=f"Changes requested. {comment}".strip()
        )
        _tell_author(request, root, draft, f"needs changes: {comment}")
        self.message_user(request, "Sent back to the author with your comment.", messages.SUCCESS)
        return HttpResponseRedirect(_admin_url(root, "change"))

    def schedule_view(self, request, object_id):
        """A publisher sets when the draft goes live and when the live page comes down (cron
        runs `publish_scheduled` to make it so). An empty field clears that time."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        root = self.draft_root(obj)
        if request.method != "POST" or not can_publish(request.user):
            return _forbidden(request, self, root)
        try:
            go_live, take_down = _when(request, "go_live_at"), _when(request, "take_down_at")
        except ValueError as error:
            self.message_user(request, f"Not scheduled: {error}", messages.ERROR)
            return HttpResponseRedirect(_admin_url(root, "change"))
        done = []
        draft = drafts.draft_for(root)
        if draft is not None:
            draft.go_live_at = go_live
            draft.save(update_fields=["go_live_at", "updated"])
            if go_live:
                done.append(f"the draft goes live at {go_live:%d %B %Y, %H:%M}")
        elif go_live:
            self.message_user(
                request, "Save a draft first: only a draft can be set to go live.", messages.ERROR
            )
        where = {
            "content_type": ContentType.objects.get_for_model(type(root)),
            "object_id": str(root.pk),
        }
        if take_down:
            TakeDown.objects.update_or_create(
                **where,
                defaults={"at": take_down, "object_repr": str(root)[:200], "set_by": request.user},
            )
            done.append(f"the page comes off the site at {take_down:%d %B %Y, %H:%M}")
            warn_if_used(self, request, root, "When it comes off the site")
        else:
            TakeDown.objects.filter(**where).delete()
        publishing.note_in_history(
            root,
            by=request.user,
            comment=("Scheduled: " + "; ".join(done) + ".") if done else "Schedule cleared.",
        )
        self.message_user(
            request,
            ("Scheduled: " + "; ".join(done) + ".") if done else "Nothing is scheduled now.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(_admin_url(root, "change"))

    def draft_discard_view(self, request, object_id):
        root, draft, back = self._draft_or_back(request, object_id)
        if back:
            return back
        if request.method != "POST":
            return _forbidden(request, self, root)
        draft.delete()
        publishing.note_in_history(root, by=request.user, comment="Draft thrown away.")
        self.message_user(request, "The draft is gone. The live page is as it was.")
        return HttpResponseRedirect(_admin_url(root, "change"))


def warn_if_used(model_admin, request, root, when: str) -> None:
    """Taking a page off the site leaves the pages that link to it or list it pointing at
    nothing: say which they are."""
    uses = usage.where_used(root)
    if uses:
        model_admin.message_user(
            request,
            f"{when}, these pages will link to a page readers cannot see, or list it: "
            f"{usage.describe(uses)} Change them first if you can.",
            messages.WARNING,
        )


def publishers():
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__codename="publish_content")
            | Q(groups__permissions__codename="publish_content")
        )
        .distinct()
    )


def _when(request, name: str):
    """A time from a `datetime-local` field, in the hub's time zone; None when left empty."""
    text = request.POST.get(name, "").strip()
    if not text:
        return None
    value = parse_datetime(text)
    if value is None:
        raise ValueError(f"“{text}” is not a date and time.")
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def self_object(model_admin, request, object_id):
    return model_admin.draft_root(model_admin.get_object(request, unquote(object_id)))


def live_and_used(root) -> bool:
    return _is_live(root) and bool(usage.where_used(root))


def _is_live(root) -> bool:
    return getattr(root, "status", None) == Status.PUBLISHED


def _admin_url(obj, view: str) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


def _forbidden(request, model_admin, root):
    model_admin.message_user(request, "Only a publisher can do that.", messages.ERROR)
    return HttpResponseRedirect(_admin_url(root, "change"))


def _sign(state: list[dict]) -> str:
    return signing.dumps(state, salt=SNAPSHOT_SALT, compress=True)


def _changed_since_opened(request, root) -> list[str]:
    """What someone else changed since this editor opened the form (nothing if unknown)."""
    token = request.POST.get(SNAPSHOT_FIELD)
    if not token:
        return []
    try:
        opened = signing.loads(token, salt=SNAPSHOT_SALT)
    except signing.BadSignature:
        return []
    now = drafts.current_state(root)
    if drafts.fingerprint(opened) == drafts.fingerprint(now):
        return []
    who = _last_editor(root)
    lines = drafts.changes_between(opened, now) or ["Its history or draft was changed."]
    return [
        f"{who} changed this page after you opened it, so your changes are not saved yet. "
        "They are still in the form. What changed: " + " ".join(lines) + " Open the page again "
        "in a new tab to see the latest version, then make your changes there."
    ]


def _last_editor(root) -> str:
    draft = drafts.draft_for(root)
    if draft is not None and draft.edited_by:
        return str(draft.edited_by)
    from reversion.models import Version

    version = Version.objects.get_for_object(root).select_related("revision__user").first()
    if version is not None and version.revision.user:
        return str(version.revision.user)
    return "Someone"


def _change_comment(request, draft) -> str:
    return "Published a draft." if draft is not None else "Changed."


def _tell_publishers(request, root, draft) -> None:
    recipients = [user.email for user in publishers() if user.email]
    if not recipients:
        return
    url = request.build_absolute_uri(_admin_url(root, "change"))
    send_mail(
        subject=f"Waiting for your approval: {root}",
        message=(
            f"{request.user} has sent a change to “{root}” for approval.\n\n"
            f"Their note: {draft.note or '(none)'}\n\nSee it, preview it and approve it here:\n"
            f"{url}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )


def _tell_author(request, root, draft, what: str) -> None:
    author = draft.submitted_by or draft.edited_by
    if author is None or not author.email or author == request.user:
        return
    send_mail(
        subject=f"Your change to “{root}” {what.split(':')[0]}",
        message=f"Your change to “{root}” {what}\n\n"
        f"{request.build_absolute_uri(_admin_url(root, 'change'))}\n",
        from_email=None,
        recipient_list=[author.email],
    )


def waiting_for_approval():
    """Drafts submitted for approval, oldest first, for the publishers' admin home page."""
    return [
        (draft, _admin_url_or_none(draft))
        for draft in Draft.objects.submitted().select_related("content_type", "submitted_by")
    ]


def _admin_url_or_none(draft) -> str | None:
    model = draft.content_type.model_class()
    try:
        return reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
            args=[draft.object_id],
        )
    except Exception:
        return None
