"""Reading and writing the content/ folder: the pieces every kind of content file shares.

A load happens in two steps. First every file is read and checked, and each problem is
recorded as `path:line: message`; nothing is written. Only when there are no problems
is anything written, all in one transaction, with a revision for every changed item.

Each kind of content is a `Section`. Apps register their own (decision trees, the
jargon list) with `register()`, so `load_content` and `export_content` know them all.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from .nations import NATION_NAMES

# --- Problems and counts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        if not self.line:  # about a whole item, not a line of its file
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class Problems(list):
    """What stops a load. `warnings` are worth saying but stop nothing."""

    def __init__(self, *args):
        super().__init__(*args)
        self.warnings: list[Problem] = []

    def add(self, path: Path, line: int, message: str) -> None:
        self.append(Problem(path, max(line, 1), message))

    def warn(self, path: Path, line: int, message: str) -> None:
        self.warnings.append(Problem(path, max(line, 1), message))


class ContentError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class Counts:
    by_kind: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: {"created": 0, "updated": 0, "unchanged": 0})
    )
    notes: list[Problem] = field(default_factory=list)

    warnings: list[Problem] = field(default_factory=list)

    def record(self, kind: str, outcome: str) -> None:
        self.by_kind[kind][outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(counts[outcome] for counts in self.by_kind.values())

    @property
    def changed(self) -> bool:
        return bool(self.total("created") or self.total("updated"))


# --- Items changed in admin since they were last loaded or exported --------------------------

CHANGED_IN_ADMIN = (
    "changed in admin since it was last loaded; use --force to overwrite "
    "(the admin version stays in its history)"
)


def fingerprint(state: Any) -> str:
    """A short digest of everything a content file says about an item."""
    text = json.dumps(state, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class Guard:
    """Keeps a load from writing over editors' work, and remembers what was loaded or exported.

    Before a section overwrites an existing item it asks `may_overwrite(obj, state_now, path)`:
    no, when the item's state now differs from its state when last loaded or exported (so it
    was changed in admin since), unless the load is forced. After writing, a section tells
    `remember(obj, state)` the state each item in its files now has; `save()` keeps it
    (core.models.LoadedState). An item never loaded or exported before may be overwritten."""

    def __init__(self, *, force: bool = False):
        self.force = force
        self.refused: list[Problem] = []
        self._recorded: dict[type, dict[str, str]] = {}
        self._states: dict[type, dict[str, str]] = defaultdict(dict)

    def _recorded_for(self, model: type) -> dict[str, str]:
        if model not in self._recorded:
            from django.contrib.contenttypes.models import ContentType

            from .models import LoadedState

            self._recorded[model] = dict(
                LoadedState.objects.filter(
                    content_type=ContentType.objects.get_for_model(model)
                ).values_list("object_id", "fingerprint")
            )
        return self._recorded[model]

    def may_overwrite(self, obj, state_now: Any, path: Path | str) -> bool:
        if self.force:
            return True
        last = self._recorded_for(type(obj)).get(str(obj.pk))
        if last is None or last == fingerprint(state_now):
            return True
        self.refused.append(Problem(Path(path), 0, CHANGED_IN_ADMIN))
        return False

    def remember(self, obj, state: Any) -> None:
        self._states[type(obj)][str(obj.pk)] = fingerprint(state)

    def save(self) -> None:
        """Keep the remembered states: one query a kind of item, and only for what changed."""
        from django.contrib.contenttypes.models import ContentType
        from django.utils import timezone

        from .models import LoadedState

        now = timezone.now()
        for model, states in self._states.items():
            recorded = self._recorded_for(model)
            changed = {pk: print_ for pk, print_ in states.items() if recorded.get(pk) != print_}
            if not changed:
                continue
            content_type = ContentType.objects.get_for_model(model)
            LoadedState.objects.bulk_create(
                [
                    LoadedState(content_type=content_type, object_id=pk, fingerprint=fp, at=now)
                    for pk, fp in changed.items()
                ],
                update_conflicts=True,
                unique_fields=["content_type", "object_id"],
                update_fields=["fingerprint", "at"],
            )
            recorded.update(changed)
        self._states.clear()


# --- Known slugs, from the database and from the files being loaded ---------------------------


@dataclass
class Known:
    slugs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, kind: str, slug: str) -> None:
        self.slugs[kind].add(slug)

    def has(self, kind: str, slug: str) -> bool:
        return slug in self.slugs[kind]


def check_glossary_links(path: Path, text: str, known: Known, problems: Problems) -> None:
    """Every [[term]] in a file must name a glossary entry, or readers meet a dead link."""
    from .rendering import glossary_links

    for number, line in enumerate(text.splitlines(), start=1):
        for written, slug in glossary_links(line):
            if not known.has("glossary", slug):
                problems.add(
                    path,
                    number,
                    f"[[{written}]] links to no glossary entry: add {slug!r} to "
                    "glossary.yaml or change the link",
                )


def check_fact_references(path: Path, text: str, known: Known, problems: Problems) -> None:
    """Every {fact:name} in a file must name a fact in facts.yaml or the database."""
    from .facts import fact_references

    for number, line in enumerate(text.splitlines(), start=1):
        for name in fact_references(line):
            if not known.has("facts", name):
                problems.add(
                    path,
                    number,
                    f"{{fact:{name}}} names no fact: add {name!r} to facts.yaml "
                    "or check the spelling",
                )


def parse_nation_notes(
    raw: Any, path: Path, line: int, problems: Problems, *, offset: int = 0
) -> dict[str, str]:
    """A `nation_notes:` mapping of nation slug to Markdown, checked."""
    if not raw:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        problems.add(path, line, "nation_notes must map a nation to text, like 'wales: ...'")
        return {}
    notes = {}
    for nation, body in raw.items():
        if nation not in NATION_NAMES:
            problems.add(
                path,
                key_line(raw, nation, offset),
                f"unknown nation {nation!r} in nation_notes: use " + ", ".join(NATION_NAMES),
            )
            continue
        notes[str(nation)] = str(body).strip()
    return notes


# --- YAML that remembers line numbers --------------------------------------------------------


class LineDict(dict):
    line: int = 1
    key_lines: dict


class LineList(list):
    line: int = 1
    item_lines: list


class _LineLoader(yaml.SafeLoader):
    """A safe loader that keeps line numbers and leaves dates as text, to check them ourselves."""


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.MarkedYAMLError(
                problem=f"the key {key!r} appears twice", problem_mark=key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader, node):
    sequence = LineList(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def parse_yaml(text: str, path: Path, problems: Problems, first_line: int = 1) -> Any:
    """Parse YAML; on error record `path:line: message` and return None."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        problems.add(path, line, f"invalid YAML: {error.problem or error}")
    except yaml.YAMLError as error:
        problems.add(path, first_line, f"invalid YAML: {error}")
    return None


def key_line(mapping: LineDict, key: str, offset: int = 0) -> int:
    return offset + getattr(mapping, "key_lines", {}).get(key, getattr(mapping, "line", 1))


def item_line(sequence: LineList, index: int, offset: int = 0) -> int:
    lines = getattr(sequence, "item_lines", [])
    return offset + (lines[index] if index < len(lines) else getattr(sequence, "line", 1))


def reviewer_without_account(item_values: dict, path: Path, line: int, problems: Problems) -> None:
    """A file exported from another hub may name a reviewer with no account in this one. The
    name is kept in the review notes, with a warning, so the file still loads."""
    reviewer = item_values["reviewed_by"]
    note = f"Reviewed by {reviewer} (no account here)."
    notes = item_values.get("review_notes", "")
    if note not in notes:
        item_values["review_notes"] = "\n\n".join(part for part in (notes, note) if part)
    item_values["reviewed_by"] = ""
    problems.warn(
        path,
        line,
        f"reviewed_by: no user called {reviewer!r} here, so it is kept in the review notes",
    )


def people_without_accounts(item, users: set[str], problems: Problems) -> None:
    """A file exported from another hub may name a reviewer or an owner with no account in
    this one. Neither stops the load: the reviewer is kept in the review notes and the owner
    left empty, each with a warning."""
    reviewer = item.values.get("reviewed_by")
    if reviewer and reviewer not in users:
        reviewer_without_account(item.values, item.path, item.line("reviewed_by"), problems)
    owner = item.values.get("owner")
    if owner and owner not in users:
        problems.warn(
            item.path,
            item.line("owner"),
            f"owner: no user called {owner!r}, so it is loaded with no owner",
        )
        item.values["owner"] = ""


def review_state(obj) -> dict[str, Any]:
    """What every reviewed item's file says about its review, its glosses and its notes."""
    return {
        "last_reviewed": obj.last_reviewed,
        "next_review_due": obj.next_review_due,
        "review_notes": obj.review_notes,
        "reviewed_by": obj.reviewed_by.get_username() if obj.reviewed_by else "",
        "owner": obj.owner.get_username() if obj.owner else "",
        "topics": sorted(t.slug for t in obj.topics.all()),
        "stages": sorted(s.slug for s in obj.stages.all()),
        "glosses": {
            g.workplace.slug: g.body
            for g in sorted(
                obj.glosses.all(), key=lambda g: (g.workplace.position, g.workplace.slug)
            )
        },
        "nation_notes": {
            n.nation: n.body
            for n in sorted(
                obj.nation_notes.all(), key=lambda n: list(NATION_NAMES).index(n.nation)
            )
        },
    }


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a date: write it as YYYY-MM-DD") from None


# --- Writing YAML that reads well and never changes byte for byte ----------------------------


class _Dumper(yaml.SafeDumper):
    def choose_scalar_style(self):
        # Text of more than one line is always a block (`|`), as editors write it. PyYAML would
        # fall back to an escaped "..." string for a line ending in a space, or a tab; a block
        # keeps both exactly, so that is safe.
        if (
            self.event.style == "|"
            and not (self.flow_level or self.simple_key_context)
            and not _CONTROL_CHARACTERS.search(self.event.value)
        ):
            if self.analysis is None:
                self.analysis = self.analyze_scalar(self.event.value)
            return "|"
        style = super().choose_scalar_style()
        return '"' if style == "'" else style  # quoted as editors quote: "Yes", "1:1"


# Characters a block cannot hold (all but tab and line feed below space, DEL, and the like).
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029]")

# Dates are written plainly (2026-03-02), not quoted, as editors write them.
_Dumper.yaml_implicit_resolvers = _LineLoader.yaml_implicit_resolvers


def _represent_str(dumper, value: str):
    value = value.replace("\r\n", "\n").replace("\r", "\n")  # as core.models keeps text
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper, value: list):
    flow = all(isinstance(item, str) and "\n" not in item for item in value) and bool(value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _represent_date(dumper, value: datetime.date):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value.isoformat())


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(datetime.date, _represent_date)


class _IndentedListDumper(_Dumper):
    """Lists inside a mapping indented under their key, as decision tool files are written."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def dump_yaml(data: Any, header: str = "", *, indented_lists: bool = False) -> str:
    """YAML as editors write it: long lines kept whole, text of several lines as a block.

    `header` is a comment written above the data (each line starting with '# '), so that a
    file's explanation survives being exported."""
    text = yaml.dump(
        data,
        Dumper=_IndentedListDumper if indented_lists else _Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,  # never fold a long line: editors read and change whole sentences
        default_flow_style=False,
    )
    return header + text


def write_text(path: Path, text: str) -> None:
    """Write a content file as UTF-8 with `\\n` line endings, on any system."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


# --- Sections ------------------------------------------------------------------------------


@dataclass
class SourceFile:
    path: Path  # as given or found, used in messages
    relative: Path  # relative to the folder being loaded, used to decide which section reads it
    text: str


class Section(Protocol):
    """One kind of content file. Sections run in `order`: lower first."""

    name: str
    order: int

    def claims(self, relative: Path) -> bool: ...

    def parse(self, source: SourceFile, known: Known, problems: Problems) -> list[Any]:
        """Read and check one file. Record problems; never write to the database."""

    def add_known(self, items: list[Any], known: Known) -> None:
        """Tell later sections which slugs these files define."""

    def check(self, items: list[Any], known: Known, problems: Problems) -> None:
        """Checks that need every file read first (references between files)."""

    def apply(self, items: list[Any], counts: Counts, guard: Guard) -> None:
        """Write to the database. Runs inside the load's transaction. Ask the guard before
        overwriting an item that exists, and tell it each item's state after."""

    def export(self, root: Path, guard: Guard) -> None:
        """Write the files, telling the guard the state of each item written."""

    def known_in_database(self, known: Known) -> None: ...


_sections: list[Section] = []


def register(section: Section) -> Section:
    if all(existing.name != section.name for existing in _sections):
        _sections.append(section)
        _sections.sort(key=lambda s: s.order)
    return section


def sections() -> list[Section]:
    return list(_sections)


# --- Loading and exporting -------------------------------------------------------------------


def _discover(paths: list[Path]) -> list[SourceFile]:
    found: list[SourceFile] = []
    for given in paths:
        if given.is_dir():
            for path in sorted(given.rglob("*")):
                if (
                    path.is_file()
                    and path.suffix in {".md", ".yaml", ".yml"}
                    and path.name != "README.md"
                ):
                    found.append(SourceFile(path, path.relative_to(given), ""))
        else:
            found.append(SourceFile(given, Path(given.parent.name) / given.name, ""))
    return found


def load(paths: list[Path], *, dry_run: bool = False, force: bool = False) -> Counts:
    """Load content files into the database, all or nothing.

    Raises ContentError listing every problem found; the database is then unchanged. Items
    changed in admin since they were last loaded or exported are problems too, unless `force`.
    """
    from django.db import transaction

    from . import publishing

    problems = Problems()
    known = Known()
    for section in sections():
        section.known_in_database(known)

    parsed: dict[str, list[Any]] = {section.name: [] for section in sections()}
    files = _discover(paths)
    for given in paths:
        if not given.exists():
            problems.add(given, 1, "no such file or folder")
    for section in sections():
        for source in files:
            if section.claims(source.relative):
                try:
                    source.text = source.text or source.path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    problems.add(source.path, 1, "the file is not UTF-8 text")
                    continue
                parsed[section.name] += section.parse(source, known, problems)
        section.add_known(parsed[section.name], known)
    unclaimed = [s for s in files if not any(sec.claims(s.relative) for sec in sections())]
    for source in unclaimed:
        problems.add(
            source.path, 1, "the hub does not know what this file is (see content/README.md)"
        )
    for section in sections():
        section.check(parsed[section.name], known, problems)
    if problems:
        raise ContentError(problems)

    counts = Counts(warnings=list(problems.warnings))
    guard = Guard(force=force)
    with transaction.atomic():
        for section in sections():
            section.apply(parsed[section.name], counts, guard)
        if guard.refused:
            transaction.set_rollback(True)
            raise ContentError(guard.refused)
        for problem in _live_items_breaking_the_rules():
            problems.append(problem)
        if problems:
            transaction.set_rollback(True)
            raise ContentError(problems)
        if dry_run:
            transaction.set_rollback(True)
            return counts
        guard.save()
        if counts.changed:
            # Reading ease, the search index and the page cache: once for the whole load.
            publishing.changed_everything()
    return counts


def _live_items_breaking_the_rules() -> list[Problem]:
    """Content files put items live too, so they meet the same rules (core.publishing)."""
    from django.apps import apps

    from . import internal_links, publishing
    from .models import ReviewedContent

    found = []
    with internal_links.same_pages():
        for model in apps.get_models():
            if not issubclass(model, ReviewedContent):
                continue
            for item in model.objects.published():
                for message in publishing.check(item, overridable=False).problems:
                    where = Path(model._meta.verbose_name_plural.replace(" ", "-")) / item.slug
                    found.append(Problem(where, 1, message))
    return found


def export(root: Path) -> None:
    """Write every item to files under `root`, and remember each item's state as exported."""
    from django.db import transaction

    root.mkdir(parents=True, exist_ok=True)
    guard = Guard()
    with transaction.atomic():
        for section in sections():
            section.export(root, guard)
        guard.save()
