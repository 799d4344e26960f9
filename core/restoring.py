"""Restore an older version of an item, or recover a deleted one, safely.

django-reversion's own revert saves one object at a time, each with its many-to-many links, and
deletes what the old version lacks with one deletion per model. That breaks on our content:

- a decision tool's answers point at questions and outcomes (RESTRICT), so deleting the new
  questions one model at a time is refused, or fails inside Django's collector;
- a guide linked to another deleted guide is saved with a link to a row that is not there, and
  the database refuses it when the transaction ends (a 500).

`revert` does it in one transaction, in an order that cannot trip over itself:

1. deserialise every object of the version (the item and everything it follows);
2. delete what the item owns now but the version did not have (the new questions, answers...);
3. save every object without its many-to-many links (foreign keys are checked when the
   transaction ends, on SQLite and PostgreSQL alike, so the order of saving does not matter);
4. set the many-to-many links, leaving out (and naming) those whose target no longer exists;
5. check the foreign keys before committing, so a broken link is a plain error, not a 500.

`restore` wraps it for editors: a new revision with a comment, and the publication rules. A live
item whose restored version breaks the rules is left as it is (`RestoreRefused`).
`SafeRestoreAdmin` makes the admin's restore and recover pages use `restore`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

import reversion
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import IntegrityError, connections, models, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import template_localtime
from reversion.errors import RevertError
from reversion.models import Revision, Version
from reversion.revisions import _follow_relations_recursive, _get_options
from reversion.utils import mute_signals

from . import publishing, redirects

# Whether an item is live is decided by publishing, never by restoring an older version.
PUBLICATION_FIELDS = ("status", "first_published")


class RestoreError(Exception):
    """The version could not be restored. Nothing was changed."""


class RestoreRefused(RestoreError):
    """The restored version breaks the publication rules, so the live item was left as it is."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass
class Restored:
    """What a restore did."""

    root: models.Model | None
    objects: list[models.Model] = field(default_factory=list)
    deleted: int = 0
    # Links not put back because what they pointed to no longer exists, in words.
    left_out: list[str] = field(default_factory=list)
    # Items whose links to a recovered item were put back, in words.
    relinked: list[str] = field(default_factory=list)
    # Problems of a restored draft (it may be saved; it cannot go live until they are fixed).
    problems: list[str] = field(default_factory=list)
    # A recovered item that was published but breaks the rules comes back as a draft.
    made_draft: bool = False


# --- Reverting ---------------------------------------------------------------------------------


def revert(target: Version | Revision, *, delete: bool = True, keep: tuple = ()) -> Restored:
    """Put back `target`: a whole Revision, or one object's Version plus what it follows.

    With `delete`, what the object follows now but the version lacks is deleted (as reversion's
    `Revision.revert(delete=True)`). The fields named in `keep` keep their current values on the
    root object, if it exists. Returns the restored root (None for a whole Revision)."""
    if isinstance(target, Revision):
        root_version, versions = None, list(target.version_set.all())
    else:
        root_version, versions = target, _followed_versions(target)
    if not versions:
        raise RestoreError("This version holds nothing to restore.")
    db = versions[0].db
    try:
        loaded = [version._object_version for version in versions]
    except RevertError as error:
        raise RestoreError(str(error)) from error
    root = loaded[versions.index(root_version)].object if root_version else None
    try:
        with transaction.atomic(using=db):
            if root is not None and keep:
                _keep_current_values(root, keep, db)
            deleted_models, deleted = (
                _delete_what_the_version_lacks(loaded, db) if delete else (set(), 0)
            )
            _save_all([item.object for item in loaded], db)
            left_out = [text for item in loaded for text in _set_links(item, db)]
            _check_foreign_keys(db, {type(item.object) for item in loaded} | deleted_models)
    except (ProtectedError, RestrictedError) as error:
        raise RestoreError(
            "This version cannot be restored, because something else still needs a part that it "
            "would remove. Nothing was changed."
        ) from error
    except IntegrityError as error:
        raise RestoreError(
            "This version cannot be restored, because it points to something that no longer "
            f"exists or clashes with another item. Nothing was changed. ({error})"
        ) from error
    return Restored(
        root=root, objects=[item.object for item in loaded], deleted=deleted, left_out=left_out
    )


def _followed_versions(version: Version) -> list[Version]:
    """The version and, from the same revision, the versions of everything it follows."""
    everything = list(version.revision.version_set.all())
    by_model: dict[type, list[Version]] = {}
    for each in everything:
        by_model.setdefault(each._model, []).append(each)
    wanted, waiting = [version], [version]
    while waiting:
        here = waiting.pop()
        obj = here._object_version.object
        for name in _get_options(type(obj)).follow:
            try:
                relation = type(obj)._meta.get_field(name)
            except FieldDoesNotExist:
                return everything  # followed through a property: take the whole revision
            if relation.one_to_many or (relation.one_to_one and relation.auto_created):
                candidates = by_model.get(relation.related_model, [])
                attname = relation.field.attname
                found = [
                    v
                    for v in candidates
                    if str(getattr(v._object_version.object, attname)) == str(obj.pk)
                ]
            elif relation.many_to_one or relation.one_to_one:
                pk = str(getattr(obj, relation.attname))
                found = [v for v in by_model.get(relation.related_model, []) if v.object_id == pk]
            else:
                return everything
            for each in found:
                if each not in wanted:
                    wanted.append(each)
                    waiting.append(each)
    return wanted


def _keep_current_values(root: models.Model, names: tuple, db: str) -> None:
    names = [name for name in names if _has_field(type(root), name)]
    if not names:
        return
    live = type(root)._default_manager.using(db).filter(pk=root.pk).values(*names).first()
    for name, value in (live or {}).items():
        setattr(root, name, value)


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _delete_what_the_version_lacks(loaded, db: str) -> tuple[set, int]:
    """Delete what the restored objects follow now (their questions, answers, glosses...) but
    the version did not have. Restricted foreign keys are not checked here: the restored rows
    are saved next and stop pointing at what is deleted, and any row that still does is caught
    by the foreign-key check at the end."""
    kept = {(type(item.object), str(item.object.pk)) for item in loaded}
    now = set()
    for item in loaded:
        obj = item.object
        live = type(obj)._default_manager.using(db).filter(pk=obj.pk).first()
        if live is not None:
            now |= _follow_relations_recursive(live)
    lacking = [obj for obj in now if (type(obj), str(obj.pk)) not in kept]
    if not lacking:
        return set(), 0
    collector = Collector(using=db)
    lacking.sort(key=lambda obj: obj._meta.label)
    for _, group in groupby(lacking, type):
        collector.collect(list(group), fail_on_restricted=False)
    deleted, _ = collector.delete()
    return {type(obj) for obj in lacking}, deleted


def _save_all(objects: list[models.Model], db: str) -> None:
    """Save with each model's own save() (Markdown rendered, signals sent), links left for later.
    A row that clashes with another not saved yet (a unique slug) is tried again after it."""
    waiting = list(objects)
    while waiting:
        failed, last_error = [], None
        for obj in waiting:
            try:
                with transaction.atomic(using=db):
                    _save(obj, db)
            except IntegrityError as error:
                failed.append(obj)
                last_error = error
        if len(failed) == len(waiting):
            raise last_error
        waiting = failed


def _save(obj: models.Model, db: str) -> None:
    created = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if getattr(f, "auto_now_add", False) and getattr(obj, f.attname) is not None
    }
    obj.save(using=db)
    if created and any(getattr(obj, name) != value for name, value in created.items()):
        # A recovered row keeps the date it was first made.
        type(obj)._base_manager.using(db).filter(pk=obj.pk).update(**created)
        for name, value in created.items():
            setattr(obj, name, value)


def _set_links(item, db: str) -> list[str]:
    """Set the version's many-to-many links; return, in words, those left out."""
    obj, left_out = item.object, []
    for name, ids in (item.m2m_data or {}).items():
        relation = type(obj)._meta.get_field(name)
        target = relation.remote_field.model
        ids = list(ids)
        there = set(target._base_manager.using(db).filter(pk__in=ids).values_list("pk", flat=True))
        for pk in ids:
            if pk not in there:
                left_out.append(f"{relation.verbose_name} of “{obj}”: {_name_of(target, pk, db)}")
        getattr(obj, name).set([pk for pk in ids if pk in there])
    return left_out


def _name_of(model, pk, db: str) -> str:
    last = Version.objects.get_for_object_reference(model, pk, model_db=db).first()
    return f"“{last.object_repr}”" if last else f"{model._meta.verbose_name} {pk}"


def _check_foreign_keys(db: str, touched: set) -> None:
    """Check now, while a failure can still be told to the editor, what the database would
    otherwise check at commit. SQLite checks the named tables; PostgreSQL checks everything."""
    tables = set()
    for model in touched:
        tables.add(model._meta.db_table)
        tables |= {f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many}
        tables |= {rel.related_model._meta.db_table for rel in model._meta.related_objects}
    connections[db].check_constraints(table_names=sorted(tables))


def relink_to_recovered(root: models.Model, db: str) -> list[str]:
    """Deleting an item cuts the links other items had to it, without a new version of them.
    Put back each link that the other item's latest version from before the deletion has."""
    relinked, deleted_at = [], _deleted_at(root)
    for rel in root._meta.related_objects:
        if not rel.many_to_many or not rel.field.remote_field.through._meta.auto_created:
            continue
        source, name = rel.related_model, rel.field.name
        if not reversion.is_registered(source):
            continue
        mentioning = (
            Version.objects.get_for_model(source, model_db=db)
            .filter(serialized_data__contains=str(root.pk))
            .values_list("object_id", flat=True)
            .distinct()
        )
        others = source._default_manager.using(db).filter(pk__in=list(mentioning))
        for other in others.exclude(**{name: root}):
            if other == root:
                continue
            versions = Version.objects.get_for_object(other, model_db=db)
            if deleted_at is not None:  # its versions since were saved without the root there
                versions = versions.filter(revision__date_created__lte=deleted_at)
            latest = versions.first()
            if latest and root.pk in (latest._object_version.m2m_data or {}).get(name, []):
                getattr(other, name).add(root)
                relinked.append(f"“{other}”")
    return relinked


def _deleted_at(obj: models.Model):
    """When the admin last deleted `obj`, if it did."""
    from django.contrib.admin.models import DELETION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=str(obj.pk),
            action_flag=DELETION,
        )
        .order_by("-action_time")
        .first()
    )
    return entry.action_time if entry else None


# --- Restoring, as editors do it ---------------------------------------------------------------


def restore(version: Version, *, user=None) -> Restored:
    """Restore `version` (and what it follows) as a new revision, or recover it if deleted.

    Restoring changes an item's content, never whether it is live: the live item keeps its
    publication status. A published item whose restored version breaks the publication rules is
    left untouched (`RestoreRefused`). A recovered item that was published but breaks them comes
    back as a draft."""
    model, db = version._model, version.db
    before = model._default_manager.using(db).filter(pk=version.object_id).first()
    was_there = before is not None
    when = version_date(version)
    comment = f"{'Restored' if was_there else 'Recovered'} the version from {when}."
    with transaction.atomic(using=db), reversion.create_revision(using=db):
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)
        result = revert(version, keep=PUBLICATION_FIELDS if was_there else ())
        root = result.root
        if not was_there:
            result.relinked = relink_to_recovered(root, db)
        item = _item_that_goes_live(root)
        problems = _rules_allow(item)
        if problems and getattr(item, "is_published", False):
            if was_there or item is not root:
                raise RestoreRefused(problems)
            from core.models import Status

            root.status = Status.DRAFT
            root.save(using=db)
            result.made_draft = True
        result.problems = problems
        reversion.add_to_revision(root, model_db=db)
        if item is root:  # an old version may have had another address: keep this one too
            redirects.remember_loaded_slug(item, before)
        publishing.changed(item)
    return result


def version_date(version: Version) -> str:
    """When the version was saved, as editors read dates: "27 November 2026 at 09:31"."""
    return date_format(template_localtime(version.revision.date_created), "j F Y \\a\\t H:i")


def _item_that_goes_live(obj: models.Model) -> models.Model:
    """The item readers see: the object itself, or the decision tool a question belongs to."""
    if not _has_field(type(obj), "status") and _has_field(type(obj), "tree"):
        return obj.tree
    return obj


def _rules_allow(obj) -> list[str]:
    """What stops `obj` going live, in words; empty when nothing does: the publishing rules
    (core.publishing), less the plain-English check, which an old version may have been
    published despite, with a reason kept in its history."""
    return publishing.check(obj, overridable=False).problems


# --- The admin's restore and recover pages -----------------------------------------------------


class _ShowOnly(Exception):
    def __init__(self, response):
        self.response = response


class SafeRestoreAdmin:
    """Mix into a reversion VersionAdmin (before it): its restore and recover pages show the
    version as today, and saving them restores it through `restore`."""

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        if version._model is not self.model:
            raise Http404("That version is of something else.")
        if request.method == "POST":
            return self._restore_version(request, version)
        return self._show_version(request, version, template_name, extra_context)

    def _show_version(self, request, version, template_name, extra_context):
        """The change form filled in with the version, as reversion shows it; nothing is kept."""
        signals = mute_signals(pre_save, post_save, pre_delete, post_delete, m2m_changed)
        try:
            with transaction.atomic(using=version.db), signals:
                restored = revert(version, keep=PUBLICATION_FIELDS)
                response = self.changeform_view(
                    request, quote(str(restored.root.pk)), request.path, extra_context
                )
                if response.status_code == 200:
                    response.template_name = template_name
                    response.render()
                raise _ShowOnly(response)
        except _ShowOnly as shown:
            return shown.response
        except RestoreError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(self._admin_url("changelist"))

    def _restore_version(self, request, version):
        live = self.model._default_manager.filter(pk=version.object_id).first()
        if not self.has_change_permission(request, live):
            raise PermissionDenied
        when = version_date(version)
        name = self.model._meta.verbose_name
        try:
            result = restore(version, user=request.user)
        except RestoreRefused as refused:
            self.message_user(
                request,
                f"The version from {when} was not restored, because readers could get stuck: "
                f"{' '.join(refused.problems)} The live {name} has not changed.",
                messages.ERROR,
            )
            return redirect(self._admin_url("history", live.pk) if live else self._recover_list())
        except RestoreError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(self._admin_url("history", live.pk) if live else self._recover_list())
        root = result.root
        done = "Restored" if live else "Recovered"
        self.log_change(request, root, f"{done} the version from {when}.")
        self.message_user(request, f"{done} the version from {when}.", messages.SUCCESS)
        if result.left_out:
            self.message_user(
                request,
                "These links were not put back, because what they linked to has been deleted: "
                f"{'; '.join(result.left_out)}.",
                messages.WARNING,
            )
        if result.relinked:
            self.message_user(
                request,
                f"Links to it were put back on: {', '.join(result.relinked)}.",
                messages.INFO,
            )
        if result.made_draft:
            self.message_user(
                request,
                f"It is back as a draft, because readers could get stuck: "
                f"{' '.join(result.problems)}",
                messages.WARNING,
            )
        elif result.problems:
            self.message_user(
                request,
                f"This draft cannot be published yet: {' '.join(result.problems)}",
                messages.WARNING,
            )
        return redirect(self._admin_url("change", root.pk))

    def _admin_url(self, view: str, *args) -> str:
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{view}",
            args=[quote(str(arg)) for arg in args],
        )

    def _recover_list(self) -> str:
        return self._admin_url("recoverlist")


__all__ = [
    "RestoreError",
    "RestoreRefused",
    "Restored",
    "SafeRestoreAdmin",
    "restore",
    "revert",
    "relink_to_recovered",
]
