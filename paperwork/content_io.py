"""content/forms/*.md: forms and letters. The format is described in content/README.md.

Front matter holds the form's details, its fields and, for a letter or outline policy, the
letter's text with ((field-name)) placeholders; the Markdown body says what the form is for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import reversion
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils import timezone

from core.content_files import (
    Counts,
    Guard,
    Known,
    LineDict,
    LineList,
    Problems,
    SourceFile,
    check_glossary_links,
    dump_yaml,
    item_line,
    key_line,
    parse_date,
    parse_nation_notes,
    people_without_accounts,
    register,
    review_state,
    write_text,
)
from core.models import Status
from core.nations import NATION_NAMES
from plain_english.checker import reading_ease
from resources.content_io import read_front_matter
from resources.models import Stage, Topic, Workplace

from .models import PLACEHOLDER, Form, FormField, FormGloss, FormNationNote

FOLDER = "forms"
KEYS = {
    "type", "title", "slug", "kind", "summary", "status", "topics", "stages", "last_reviewed",
    "next_review_due", "reviewed_by", "owner", "review_notes", "when_to_use", "check_note",
    "glosses", "nation_notes", "fields", "letter",
}  # fmt: skip
FIELD_KEYS = {"name", "label", "kind", "required", "help", "choices", "columns", "rows"}
FIELD_KINDS = FormField.Kind.values
DEFAULT_ROWS = 4
MAX_ROWS = 20
TEXT_KEYS = ("summary", "when_to_use", "check_note", "review_notes", "letter")


@dataclass
class FormFile:
    path: Path
    slug: str
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    list_lines: dict[str, list[int]] = field(default_factory=dict)
    text: str = ""

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)


def _text_list(raw) -> list[str] | None:
    if not isinstance(raw, list) or not all(isinstance(v, str | int) for v in raw):
        return None
    return [str(v).strip() for v in raw]


def _parse_fields(raw, path: Path, at, problems: Problems) -> list[dict]:
    if raw is None:
        problems.add(path, 2, "fields is missing: a form needs at least one field")
        return []
    if not isinstance(raw, list) or not raw:
        problems.add(
            path, at("fields"), "fields must be a list of fields, each with name and label"
        )
        return []
    fields, seen = [], {}
    for index, entry in enumerate(raw):
        line = item_line(raw, index, offset=1)
        if not isinstance(entry, dict):
            problems.add(path, line, "each field needs name, label and kind")
            continue

        def field_at(key, entry=entry, line=line):
            return key_line(entry, key, offset=1) if key in entry else line

        for key in sorted(set(entry) - FIELD_KEYS):
            problems.add(path, field_at(key), f"unknown key {key!r} for a field")
        name = str(entry.get("name") or "")
        try:
            validate_slug(name)
        except ValidationError:
            problems.add(
                path,
                field_at("name"),
                f"field name {name!r} must be lower-case letters, numbers and hyphens",
            )
            continue
        if name in seen:
            problems.add(path, line, f"duplicate field name {name!r} (first on line {seen[name]})")
        seen[name] = line
        label = str(entry.get("label") or "").strip()
        if not label:
            problems.add(path, line, f"field {name!r}: label is missing")
        kind = entry.get("kind", FormField.Kind.SHORT_TEXT)
        if kind not in FIELD_KINDS:
            problems.add(
                path,
                field_at("kind"),
                f"field {name!r}: unknown kind {kind!r}: use one of {', '.join(FIELD_KINDS)}",
            )
        required = entry.get("required", False)
        if not isinstance(required, bool):
            problems.add(
                path, field_at("required"), f"field {name!r}: required must be true or false"
            )
        choices = _text_list(entry.get("choices", []))
        if choices is None:
            problems.add(path, field_at("choices"), f"field {name!r}: choices must be a list")
            choices = []
        if kind == FormField.Kind.CHOICE and len(choices) < 2:
            problems.add(
                path, field_at("choices"), f"field {name!r}: a choice needs 2 or more choices"
            )
        if choices and kind != FormField.Kind.CHOICE:
            problems.add(path, field_at("choices"), f"field {name!r}: only a choice has choices")
        columns = _text_list(entry.get("columns", []))
        if columns is None:
            problems.add(path, field_at("columns"), f"field {name!r}: columns must be a list")
            columns = []
        if kind == FormField.Kind.TABLE and not columns:
            problems.add(path, field_at("columns"), f"field {name!r}: a table needs columns")
        if columns and kind != FormField.Kind.TABLE:
            problems.add(path, field_at("columns"), f"field {name!r}: only a table has columns")
        rows = entry.get("rows", DEFAULT_ROWS)
        if not isinstance(rows, int) or isinstance(rows, bool) or not 1 <= rows <= MAX_ROWS:
            problems.add(
                path,
                field_at("rows"),
                f"field {name!r}: rows must be a number from 1 to {MAX_ROWS}",
            )
            rows = DEFAULT_ROWS
        fields.append(
            {
                "name": name,
                "label": label,
                "kind": kind,
                "required": bool(required),
                "help_text": str(entry.get("help") or "").strip(),
                "choices": "\n".join(choices),
                "columns": "\n".join(columns),
                "rows": rows,
            }
        )
    return fields


def _check_letter(item: FormFile, source_text: str, problems: Problems) -> None:
    letter = item.values["letter"]
    names = {f["name"] for f in item.values["fields"]}
    kind = item.values["kind"]
    if kind in {Form.Kind.LETTER, Form.Kind.POLICY} and not letter:
        problems.add(item.path, item.line("kind"), f"a {kind} needs its text under 'letter:'")
    lines = source_text.splitlines()
    start = item.lines.get("letter", 1)
    for placeholder in PLACEHOLDER.finditer(letter):
        name = placeholder.group(1)
        if name in names:
            continue
        written = placeholder.group(0)
        line = next((n for n in range(start, len(lines) + 1) if written in lines[n - 1]), start)
        problems.add(
            item.path,
            line,
            f"the placeholder {written} names no field: use one of "
            + (", ".join(f"(({n}))" for n in sorted(names)) or "the fields you add"),
        )


class FormSection:
    name = "forms"
    order = 25  # after the taxonomies and glossary; before guides and scripts, which link to forms

    def claims(self, relative: Path) -> bool:
        return relative.suffix == ".md" and relative.parent.name == FOLDER

    def known_in_database(self, known: Known) -> None:
        for slug in Form.objects.values_list("slug", flat=True):
            known.add("form", slug)

    def parse(self, source: SourceFile, known: Known, problems: Problems) -> list[FormFile]:
        path = source.path
        read = read_front_matter(source, problems)
        if read is None:
            return []
        data, body, _ = read

        def at(key):
            return key_line(data, key, offset=1)

        if data.get("type") != "form":
            problems.add(path, at("type") if "type" in data else 1, "type must be form")
            return []
        item = FormFile(path=path, slug=str(data.get("slug") or Path(path).stem), text=source.text)
        item.lines = {key: at(key) for key in data}
        for key in sorted(set(data) - KEYS):
            problems.add(path, at(key), f"unknown key {key!r} for a form")
        try:
            validate_slug(item.slug)
        except ValidationError:
            problems.add(
                path,
                at("slug") if "slug" in data else 1,
                f"slug {item.slug!r} must be lower-case letters, numbers and hyphens",
            )
        values = item.values
        title = str(data.get("title") or "").strip()
        if not title:
            problems.add(path, at("title") if "title" in data else 2, "title is missing")
        elif len(title) > 200:
            problems.add(path, at("title"), "title is longer than 200 characters")
        values["title"] = title
        kind = data.get("kind", Form.Kind.FORM)
        if kind not in Form.Kind.values:
            problems.add(path, at("kind"), f"kind must be one of {', '.join(Form.Kind.values)}")
            kind = Form.Kind.FORM
        values["kind"] = kind
        status = data.get("status", Status.DRAFT)
        if status not in Status.values:
            problems.add(path, at("status"), f"status must be published or draft, not {status!r}")
        values["status"] = status
        for key in TEXT_KEYS:
            raw = data.get(key)
            if raw is not None and not isinstance(raw, str):
                problems.add(path, at(key), f"{key} must be text")
                raw = ""
            values[key] = str(raw or "").strip()
        for key in ("last_reviewed", "next_review_due"):
            if data.get(key) is not None:
                try:
                    values[key] = parse_date(data[key])
                except ValueError as error:
                    problems.add(path, at(key), f"{key}: {error}")
        if (
            values.get("last_reviewed")
            and values.get("next_review_due")
            and values["next_review_due"] < values["last_reviewed"]
        ):
            problems.add(path, at("next_review_due"), "next_review_due is before last_reviewed")
        values["reviewed_by"] = str(data.get("reviewed_by") or "")
        values["owner"] = str(data.get("owner") or "")
        for key in ("topics", "stages"):
            raw = data.get(key) or []
            slugs = _text_list(raw)
            if slugs is None:
                problems.add(path, at(key), f"{key} must be a list, like [one, two]")
                slugs = []
            values[key] = slugs
            item.list_lines[key] = (
                [item_line(raw, i, offset=1) for i in range(len(raw))]
                if isinstance(raw, LineList)
                else []
            )
        raw = data.get("glosses") or {}
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            problems.add(
                path, at("glosses"), "glosses must map a workplace slug to text, like 'nhs: ...'"
            )
            raw = {}
        values["glosses"] = {str(k): str(v).strip() for k, v in raw.items()}
        item.list_lines["glosses"] = (
            [key_line(raw, k, offset=1) for k in raw] if isinstance(raw, LineDict) else []
        )
        values["nation_notes"] = parse_nation_notes(
            data.get("nation_notes"), path, at("nation_notes"), problems, offset=1
        )
        values["fields"] = _parse_fields(data.get("fields"), path, at, problems)
        values["body"] = body.strip()
        if not values["body"]:
            problems.add(
                path, 1, "the body is missing: say what the form is for, after the front matter"
            )
        _check_letter(item, source.text, problems)
        return [item]

    def add_known(self, items: list[FormFile], known: Known) -> None:
        for item in items:
            known.add("form", item.slug)

    def check(self, items: list[FormFile], known: Known, problems: Problems) -> None:
        seen: dict[str, Path] = {}
        usernames = {
            i.values[key] for i in items for key in ("reviewed_by", "owner") if i.values.get(key)
        }
        users = set(
            get_user_model()
            .objects.filter(username__in=usernames)
            .values_list("username", flat=True)
        )
        for item in items:
            if item.slug in seen:
                problems.add(
                    item.path,
                    item.line("slug"),
                    f"duplicate slug {item.slug!r}: {seen[item.slug]} has the same form slug",
                )
            seen.setdefault(item.slug, item.path)
            for key, noun in (
                ("topics", "topic"),
                ("stages", "stage"),
                ("glosses", "workplace setting"),
            ):
                kind = "workplaces" if key == "glosses" else key
                for index, slug in enumerate(item.values[key]):
                    if not known.has(kind, slug):
                        lines = item.list_lines.get(key) or []
                        line = lines[index] if index < len(lines) else item.line(key)
                        problems.add(item.path, line, f"unknown {noun} {slug!r} in {key}")
            check_glossary_links(item.path, item.text, known, problems)
            people_without_accounts(item, users, problems)

    # Writing -----------------------------------------------------------------------------

    def _fields(self, item: FormFile, obj: Form | None) -> dict:
        values = item.values
        last_reviewed = values.get("last_reviewed") or (
            obj.last_reviewed if obj else timezone.localdate()
        )
        return {
            "title": values["title"],
            "kind": values["kind"],
            "summary": values["summary"],
            "status": values["status"],
            "body": values["body"],
            "when_to_use": values["when_to_use"],
            "check_note": values["check_note"],
            "letter": values["letter"],
            "last_reviewed": last_reviewed,
            "next_review_due": values.get("next_review_due"),
            "review_notes": values["review_notes"],
        }

    def _wanted(self, item: FormFile, obj: Form | None) -> dict:
        fields = self._fields(item, obj)
        if fields["next_review_due"] is None:
            fields["next_review_due"] = Form(
                last_reviewed=fields["last_reviewed"]
            ).default_next_review_due()
        values = item.values
        return {
            **fields,
            "reviewed_by": values["reviewed_by"],
            "owner": values["owner"],
            "topics": sorted(values["topics"]),
            "stages": sorted(values["stages"]),
            "glosses": values["glosses"],
            "nation_notes": values["nation_notes"],
            "fields": values["fields"],
        }

    def apply(self, items: list[FormFile], counts: Counts, guard: Guard) -> None:
        workplaces = {w.slug: w for w in Workplace.objects.all()}
        topics = {t.slug: t for t in Topic.objects.all()}
        stages = {s.slug: s for s in Stage.objects.all()}
        existing = {f.slug: f for f in with_related().filter(slug__in=[i.slug for i in items])}
        written = []
        for item in items:
            obj = existing.get(item.slug)
            if obj is not None:
                now = snapshot(obj)
                if self._wanted(item, obj) == now:
                    counts.record(self.name, "unchanged")
                    guard.remember(obj, now)
                    continue
                if not guard.may_overwrite(obj, now, item.path):
                    continue
            with reversion.create_revision():
                reversion.set_comment(f"Loaded from {item.path}")
                created = obj is None
                obj = obj or Form(slug=item.slug)
                for name, value in self._fields(item, obj).items():
                    setattr(obj, name, value)
                reviewer = item.values["reviewed_by"]
                obj.reviewed_by = (
                    get_user_model().objects.get(username=reviewer) if reviewer else None
                )
                owner = item.values["owner"]
                obj.owner = get_user_model().objects.get(username=owner) if owner else None
                obj.save()
                obj.topics.set([topics[slug] for slug in item.values["topics"]])
                obj.stages.set([stages[slug] for slug in item.values["stages"]])
                obj.glosses.exclude(workplace__slug__in=item.values["glosses"]).delete()
                for slug, body in item.values["glosses"].items():
                    FormGloss.objects.update_or_create(
                        form=obj, workplace=workplaces[slug], defaults={"body": body}
                    )
                obj.nation_notes.exclude(nation__in=item.values["nation_notes"]).delete()
                for nation, body in item.values["nation_notes"].items():
                    FormNationNote.objects.update_or_create(
                        form=obj, nation=nation, defaults={"body": body}
                    )
                obj.fields.all().delete()
                for position, values in enumerate(item.values["fields"]):
                    FormField.objects.create(form=obj, position=position, **values)
                # The reading ease was scored on save, before the fields were written.
                Form.objects.filter(pk=obj.pk).update(
                    reading_ease=reading_ease(obj.readable_text())
                )
            counts.record(self.name, "created" if created else "updated")
            written.append(obj.slug)
        if written:  # what the written forms now hold, read back in one go
            for obj in with_related().filter(slug__in=written):
                guard.remember(obj, snapshot(obj))

    def export(self, root: Path, guard: Guard) -> None:
        for obj in with_related().order_by("slug"):
            state = snapshot(obj)
            guard.remember(obj, state)
            write_text(root / FOLDER / f"{obj.slug}.md", render_form_file(obj, state))


def with_related():
    """Forms with everything `snapshot` reads, in a few queries for them all."""
    return Form.objects.select_related("reviewed_by", "owner").prefetch_related(
        "topics", "stages", "glosses__workplace", "nation_notes", "fields"
    )


NATION_ORDER = list(NATION_NAMES)


def snapshot(obj: Form) -> dict:
    """Everything a form's file says about it, read from the database."""
    return {
        "title": obj.title,
        "kind": obj.kind,
        "summary": obj.summary,
        "status": obj.status,
        "body": obj.body,
        "when_to_use": obj.when_to_use,
        "check_note": obj.check_note,
        "letter": obj.letter,
        **review_state(obj),
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "kind": f.kind,
                "required": f.required,
                "help_text": f.help_text,
                "choices": f.choices,
                "columns": f.columns,
                "rows": f.rows,
            }
            for f in sorted(obj.fields.all(), key=lambda f: (f.position, f.id))
        ],
    }


def _block(text: str) -> str:
    """Long text is written as a YAML block (`|`), as editors write it."""
    return text + "\n"


def render_form_file(obj: Form, state: dict | None = None) -> str:
    state = state or snapshot(obj)
    front: dict[str, Any] = {"type": "form", "title": state["title"], "kind": state["kind"]}
    if state["summary"]:
        front["summary"] = state["summary"]
    front["status"] = state["status"]
    for key in ("topics", "stages"):
        if state[key]:
            front[key] = state[key]
    front["last_reviewed"] = state["last_reviewed"]
    if state["next_review_due"] != obj.default_next_review_due():
        front["next_review_due"] = state["next_review_due"]
    if state["reviewed_by"]:
        front["reviewed_by"] = state["reviewed_by"]
    if state["owner"]:
        front["owner"] = state["owner"]
    if state["review_notes"]:
        front["review_notes"] = state["review_notes"]
    for key in ("when_to_use", "check_note"):
        if state[key]:
            front[key] = _block(state[key])
    if state["glosses"]:
        front["glosses"] = {slug: _block(body) for slug, body in state["glosses"].items()}
    if state["nation_notes"]:
        front["nation_notes"] = {n: _block(body) for n, body in state["nation_notes"].items()}
    fields = []
    for f in state["fields"]:
        entry: dict[str, Any] = {"name": f["name"], "label": f["label"], "kind": f["kind"]}
        if f["required"]:
            entry["required"] = True
        if f["help_text"]:
            entry["help"] = f["help_text"]
        if f["choices"]:
            entry["choices"] = f["choices"].splitlines()
        if f["columns"]:
            entry["columns"] = f["columns"].splitlines()
        if f["kind"] == FormField.Kind.TABLE and f["rows"] != DEFAULT_ROWS:
            entry["rows"] = f["rows"]
        fields.append(entry)
    front["fields"] = fields
    if state["letter"]:
        front["letter"] = _block(state["letter"])
    return f"---\n{dump_yaml(front)}---\n{state['body']}\n"


register(FormSection())
