"""Drafts of live items: an item's changed state, held apart from what readers see.

A draft holds the item and everything it owns (glosses, nation notes, script parts, a decision
tool's questions and answers...) in django-reversion's serialised form, exactly as a version in
the item's history would. So a draft is made by saving the editor's changes inside a transaction,
reading the saved state back, and rolling the transaction back; and it is shown (in the admin
form, or in a preview) by writing it into the database inside a transaction that is rolled back
once the page is rendered. Publishing writes it for good (core.publishing).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import connection, models, transaction
from django.db.models.deletion import Collector
from reversion.revisions import _follow_relations_recursive, _get_options

from .models import Draft


class _RolledBack(Exception):
    pass


def graph_of(root: models.Model) -> list[models.Model]:
    """The item and every object its history follows, in a steady order."""
    return sorted(
        _follow_relations_recursive(root), key=lambda obj: (obj._meta.label_lower, str(obj.pk))
    )


def serialise(root: models.Model) -> list[dict]:
    """The item's saved state, one entry per object, as reversion would keep it."""
    state = []
    for obj in graph_of(root):
        options = _get_options(type(obj))
        state.append(
            {
                "model": obj._meta.label_lower,
                "pk": str(obj.pk),
                "format": options.format,
                "data": serializers.serialize(
                    options.format,
                    (obj,),
                    fields=options.fields,
                    use_natural_foreign_keys=options.use_natural_foreign_keys,
                ),
            }
        )
    return state


def fingerprint(state: list[dict]) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def fields_of(state: list[dict]) -> dict[tuple[str, str], dict]:
    """{(model, pk): {field: value}} for comparing two states."""
    result = {}
    for entry in state:
        for record in json.loads(entry["data"]):
            result[(entry["model"], entry["pk"])] = record["fields"]
    return result


def write(root_model: type[models.Model], root_pk, state: list[dict]) -> models.Model:
    """Make the database hold `state` for the item: objects the item no longer owns are deleted,
    every object in the state is saved, then its many-to-many links are set (links to items that
    no longer exist are dropped). Call inside a transaction; foreign keys are checked at its end,
    so the order objects are saved in does not matter."""
    restored = [
        next(serializers.deserialize(entry["format"], entry["data"], ignorenonexistent=True))
        for entry in state
    ]
    keep = {(obj.object._meta.label_lower, str(obj.object.pk)) for obj in restored}
    current = root_model._default_manager.filter(pk=root_pk).first()
    if current is not None:
        gone = [
            obj
            for obj in _follow_relations_recursive(current)
            if (obj._meta.label_lower, str(obj.pk)) not in keep
        ]
        if gone:
            collector = Collector(using=connection.alias)
            collector.collect(gone)
            collector.delete()
    for obj in restored:
        models.Model.save_base(obj.object, raw=True)
    for obj in restored:
        for name, values in (obj.m2m_data or {}).items():
            field = obj.object._meta.get_field(name)
            target = field.remote_field.model
            existing = target._default_manager.filter(pk__in=values).values_list("pk", flat=True)
            getattr(obj.object, name).set(list(existing))
    written = root_model._default_manager.get(pk=root_pk)
    if current is not None and hasattr(current, "slug"):
        # What it was called before, so a rename leaves a redirect when it goes live.
        written._loaded_slug = current.slug
    return written


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run a block whose database writes are all undone at its end (as a savepoint, if a
    transaction is already open). Work queued with on_commit inside it is dropped too."""
    try:
        with transaction.atomic():
            yield
            raise _RolledBack
    except _RolledBack:
        pass


def draft_for(root: models.Model) -> Draft | None:
    return Draft.objects.for_object(root).first()


def current_state(root: models.Model) -> list[dict]:
    """What an editor opening the item sees: its draft if it has one, or else the live item."""
    draft = draft_for(root)
    return draft.versions if draft is not None else serialise(root)


@contextlib.contextmanager
def showing(root: models.Model, draft: Draft | None = None) -> Iterator[models.Model]:
    """Inside the block, the database holds the item as its draft has it; nothing is kept."""
    draft = draft if draft is not None else draft_for(root)
    with rolled_back():
        if draft is None:
            yield root
        else:
            yield write(type(root), root.pk, draft.versions)


def keep(
    root: models.Model, state: list[dict], *, by, state_name: str = Draft.State.EDITING, note=""
) -> Draft:
    """Store `state` as the item's draft, replacing any earlier draft of it."""
    draft, _ = Draft.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(type(root)),
        object_id=str(root.pk),
        defaults={
            "object_repr": str(root)[:200],
            "versions": state,
            "edited_by": by,
            "state": state_name,
        },
    )
    if note:
        draft.note = note
        draft.save(update_fields=["note"])
    _reserve_new_ids(state)
    return draft


def _reserve_new_ids(state: list[dict]) -> None:
    if connection.vendor != "sqlite":
        return
    highest: dict[str, int] = {}
    for entry in state:
        model = _model_of(entry["model"])
        if model is None or not entry["pk"].isdigit():
            continue
        highest[model._meta.db_table] = max(highest.get(model._meta.db_table, 0), int(entry["pk"]))
    with connection.cursor() as cursor:
        for table, pk in highest.items():
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [pk, table]
            )


def _model_of(label: str):
    from django.apps import apps

    try:
        return apps.get_model(label)
    except LookupError:
        return None


def changes_between(before: list[dict], after: list[dict]) -> list[str]:
    """What differs between two states of an item, one plain line per change."""
    old, new = fields_of(before), fields_of(after)
    lines = []
    for key in sorted(old.keys() | new.keys()):
        model, pk = key
        label = _label(model)
        if key not in old:
            lines.append(f"Added a {label}.")
            continue
        if key not in new:
            lines.append(f"Removed a {label}.")
            continue
        for field in sorted(old[key].keys() | new[key].keys()):
            if field.endswith("_html") or field in {"updated", "reading_ease"}:
                continue
            was, now = old[key].get(field), new[key].get(field)
            if was != now:
                lines.append(
                    f"{label.capitalize()}, {_field_label(model, field)}: "
                    f"was “{_short(was)}”, now “{_short(now)}”."
                )
    return lines


def _label(model_label: str) -> str:
    model = _model_of(model_label)
    return str(model._meta.verbose_name) if model else model_label


def _field_label(model_label: str, field: str) -> str:
    model = _model_of(model_label)
    try:
        return str(model._meta.get_field(field).verbose_name)
    except Exception:
        return field


def _short(value, most: int = 120) -> str:
    text = " ".join(str(value if value is not None else "").split())
    return text if len(text) <= most else text[: most - 1] + "…"
