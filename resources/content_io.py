"""The content/ files for workplaces, topics, stages, the glossary, synonyms, guides, scripts and
resources. The file format is described in content/README.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import reversion
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db.models.functions import Lower
from django.utils import timezone

from core.content_files import (
    Counts,
    Guard,
    Known,
    LineDict,
    LineList,
    Problems,
    SourceFile,
    check_fact_references,
    check_glossary_links,
    dump_yaml,
    item_line,
    key_line,
    parse_date,
    parse_nation_notes,
    parse_yaml,
    people_without_accounts,
    register,
    review_state,
    write_text,
)
from core.facts import fact_references
from core.models import Status
from core.nations import NATION_NAMES

from .models import (
    Fact,
    GlossaryTerm,
    Guide,
    GuideGloss,
    GuideNationNote,
    Resource,
    ResourceGloss,
    ResourceNationNote,
    ResourceRelevance,
    Script,
    ScriptGloss,
    ScriptNationNote,
    ScriptPart,
    Stage,
    SynonymGroup,
    Topic,
    Workplace,
)

# The comments at the top of files, written back on export so the files explain themselves.
WORKPLACES_HEADER = (
    "# Kinds of workplace that advice is tailored to. Glosses and relevance use these slugs.\n"
)
FACTS_HEADER = (
    "# Named facts that differ between the UK nations. Write {fact:name} in any Markdown field.\n"
    "# `value` is used for every nation that has no value of its own. See content/README.md.\n"
)
SYNONYMS_HEADER = (
    "# Words that should find the same pages. Each line is one group: everyday words next to HR "
    "words.\n"
    "# Every word is text. Quote anything YAML could read as a number, a date or yes/no: "
    '"1:1", "121".\n'
    '# A longer phrase is matched before its words, so "sick note" is not read as "sick" and '
    '"note".\n'
)

# --- Taxonomies: workplaces, topics, stages ------------------------------------------------


class TaxonomySection:
    def __init__(
        self, *, name: str, model, order: int, extra_fields: tuple[str, ...] = (), header=""
    ):
        self.name = name
        self.model = model
        self.order = order
        self.header = header
        self.fields = ("name", *extra_fields, "description")

    def claims(self, relative: Path) -> bool:
        return relative.name in {f"{self.name}.yaml", f"{self.name}.yml"}

    def known_in_database(self, known: Known) -> None:
        for slug in self.model.objects.values_list("slug", flat=True):
            known.add(self.name, slug)

    def parse(self, source: SourceFile, known: Known, problems: Problems) -> list[dict]:
        data = parse_yaml(source.text, source.path, problems)
        if data is None:
            return []
        if not isinstance(data, list):
            problems.add(source.path, 1, f"{self.name}.yaml must be a list of entries")
            return []
        entries = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(data):
            line = item_line(data, index)
            if not isinstance(entry, dict):
                problems.add(source.path, line, "each entry needs slug and name")
                continue
            unknown = set(entry) - {"slug", *self.fields}
            for key in sorted(unknown):
                problems.add(source.path, key_line(entry, key), f"unknown key {key!r}")
            slug = str(entry.get("slug", ""))
            try:
                validate_slug(slug)
            except ValidationError:
                problems.add(
                    source.path,
                    key_line(entry, "slug"),
                    f"slug {slug!r} must be lower-case letters, numbers and hyphens",
                )
                continue
            if not entry.get("name"):
                problems.add(source.path, line, f"{slug}: name is missing")
            if slug in seen:
                problems.add(
                    source.path, line, f"duplicate slug {slug!r} (first on line {seen[slug]})"
                )
            seen[slug] = line
            entries.append(
                {
                    "slug": slug,
                    "position": index,
                    **{f: str(entry.get(f) or "") for f in self.fields},
                }
            )
        return entries

    def add_known(self, items: list[dict], known: Known) -> None:
        for item in items:
            known.add(self.name, item["slug"])

    def check(self, items, known, problems) -> None:
        pass

    def state_of(self, obj) -> dict:
        return {key: getattr(obj, key) for key in ("slug", "position", *self.fields)}

    def apply(self, items: list[dict], counts: Counts, guard: Guard) -> None:
        existing = {obj.slug: obj for obj in self.model.objects.all()}
        for item in items:
            obj = existing.get(item["slug"])
            if obj is None:
                with reversion.create_revision():
                    reversion.set_comment(f"Loaded from {self.name}.yaml")
                    obj = self.model.objects.create(**item)
                counts.record(self.name, "created")
            elif self.state_of(obj) == item:
                counts.record(self.name, "unchanged")
            elif not guard.may_overwrite(obj, self.state_of(obj), f"{self.name}.yaml {obj.slug}"):
                continue
            else:
                with reversion.create_revision():
                    reversion.set_comment(f"Loaded from {self.name}.yaml")
                    for key, value in item.items():
                        setattr(obj, key, value)
                    obj.save()
                counts.record(self.name, "updated")
            guard.remember(obj, self.state_of(obj))

    def export(self, root: Path, guard: Guard) -> None:
        entries = []
        for obj in self.model.objects.order_by("position", "slug"):
            guard.remember(obj, self.state_of(obj))
            entry = {"slug": obj.slug}
            entry.update({f: getattr(obj, f) for f in self.fields if getattr(obj, f)})
            entries.append(entry)
        write_text(root / f"{self.name}.yaml", dump_yaml(entries, self.header))


# --- Facts that differ between the nations ----------------------------------------------------

NATION_ORDER = list(NATION_NAMES)
FACT_NATION_KEYS = {str(nation): field for nation, field in Fact.NATION_FIELDS.items()}


class FactSection:
    """facts.yaml: a list of `name`, `description`, `value` and a value for any nation that
    differs (`england`, `scotland`, `wales`, `northern-ireland`)."""

    name = "facts"
    order = 15

    def claims(self, relative: Path) -> bool:
        return relative.name in {"facts.yaml", "facts.yml"}

    def known_in_database(self, known: Known) -> None:
        for name in Fact.objects.values_list("name", flat=True):
            known.add("facts", name)

    def parse(self, source: SourceFile, known: Known, problems: Problems) -> list[dict]:
        data = parse_yaml(source.text, source.path, problems)
        if data is None:
            return []
        if not isinstance(data, list):
            problems.add(source.path, 1, "facts.yaml must be a list of facts")
            return []
        facts, seen = [], {}
        for index, entry in enumerate(data):
            line = item_line(data, index)
            if not isinstance(entry, dict):
                problems.add(source.path, line, "each fact needs a name and a value")
                continue
            for key in sorted(set(entry) - {"name", "description", "value", *NATION_NAMES}):
                problems.add(source.path, key_line(entry, key), f"unknown key {key!r}")
            name = str(entry.get("name") or "")
            try:
                validate_slug(name)
            except ValidationError:
                problems.add(
                    source.path,
                    key_line(entry, "name"),
                    f"fact name {name!r} must be lower-case letters, numbers and hyphens",
                )
                continue
            if not str(entry.get("value") or "").strip():
                problems.add(source.path, line, f"{name}: value is missing")
            if name in seen:
                problems.add(
                    source.path, line, f"duplicate fact {name!r} (first on line {seen[name]})"
                )
            seen[name] = line
            fact = {
                "name": name,
                "description": str(entry.get("description") or "").strip(),
                "value": str(entry.get("value") or "").strip(),
                **{
                    field: str(entry.get(nation) or "").strip()
                    for nation, field in FACT_NATION_KEYS.items()
                },
            }
            fact["path"] = source.path
            fact["lines"] = {
                key: key_line(entry, key) for key in ("value", *NATION_NAMES) if key in entry
            }
            facts.append(fact)
        return facts

    def add_known(self, items, known) -> None:
        for item in items:
            known.add("facts", item["name"])

    def check(self, items: list[dict], known: Known, problems: Problems) -> None:
        # A fact's value may use other facts, one level deep: those must use none themselves.
        nested = {
            item["name"]
            for item in items
            if any(fact_references(item[field]) for field in ("value", *FACT_NATION_KEYS.values()))
        }
        for item in items:
            for key, column in {"value": "value", **FACT_NATION_KEYS}.items():
                for name in fact_references(item[column]):
                    path, line = item["path"], item["lines"].get(key, 1)
                    if not known.has("facts", name):
                        problems.add(path, line, f"{{fact:{name}}} names no fact")
                    elif name in nested:
                        problems.add(
                            path,
                            line,
                            f"{{fact:{name}}} itself uses another fact: a fact may only use "
                            "facts that use none",
                        )

    @staticmethod
    def state_of(fact: Fact) -> dict:
        return {k: getattr(fact, k) for k in ("description", "value", *FACT_NATION_KEYS.values())}

    def apply(self, items: list[dict], counts: Counts, guard: Guard) -> None:
        existing = {fact.name: fact for fact in Fact.objects.all()}
        for item in items:
            values = {k: v for k, v in item.items() if k not in {"name", "path", "lines"}}
            fact = existing.get(item["name"])
            if fact is not None and self.state_of(fact) == values:
                counts.record(self.name, "unchanged")
                guard.remember(fact, values)
                continue
            if fact is not None and not guard.may_overwrite(
                fact, self.state_of(fact), f"{item['path']} {fact.name}"
            ):
                continue
            with reversion.create_revision():
                reversion.set_comment("Loaded from facts.yaml")
                if fact is None:
                    fact = Fact.objects.create(name=item["name"], **values)
                    counts.record(self.name, "created")
                else:
                    for key, value in values.items():
                        setattr(fact, key, value)
                    fact.save()
                    counts.record(self.name, "updated")
            guard.remember(fact, self.state_of(fact))

    def export(self, root: Path, guard: Guard) -> None:
        entries = []
        for fact in Fact.objects.order_by("pk"):  # file order: a load creates rows in it
            guard.remember(fact, self.state_of(fact))
            entry = {"name": fact.name}
            if fact.description:
                entry["description"] = fact.description
            entry["value"] = fact.value
            entry.update(
                {
                    nation: getattr(fact, field)
                    for nation, field in FACT_NATION_KEYS.items()
                    if getattr(fact, field)
                }
            )
            entries.append(entry)
        write_text(root / "facts.yaml", dump_yaml(entries, FACTS_HEADER))


# --- Glossary and synonyms -----------------------------------------------------------------


class GlossarySection:
    name = "glossary"
    order = 20

    def claims(self, relative: Path) -> bool:
        return relative.name in {"glossary.yaml", "glossary.yml"}

    def known_in_database(self, known: Known) -> None:
        for slug in GlossaryTerm.objects.values_list("slug", flat=True):
            known.add("glossary", slug)

    def parse(self, source: SourceFile, known: Known, problems: Problems) -> list[dict]:
        from django.utils.text import slugify

        data = parse_yaml(source.text, source.path, problems)
        if data is None:
            return []
        if not isinstance(data, list):
            problems.add(source.path, 1, "glossary.yaml must be a list of terms")
            return []
        terms, seen = [], {}
        for index, entry in enumerate(data):
            line = item_line(data, index)
            if not isinstance(entry, dict):
                problems.add(source.path, line, "each entry needs term and definition")
                continue
            for key in sorted(set(entry) - {"term", "slug", "definition"}):
                problems.add(source.path, key_line(entry, key), f"unknown key {key!r}")
            if not entry.get("term"):
                problems.add(source.path, line, "term is missing")
                continue
            if not entry.get("definition"):
                problems.add(source.path, line, f"{entry['term']}: definition is missing")
            slug = str(entry.get("slug") or slugify(entry["term"]))
            if slug in seen:
                problems.add(
                    source.path,
                    line,
                    f"duplicate glossary slug {slug!r} (first on line {seen[slug]})",
                )
            seen[slug] = line
            terms.append(
                {
                    "slug": slug,
                    "term": str(entry["term"]),
                    "definition": str(entry.get("definition", "")).strip(),
                }
            )
        return terms

    def add_known(self, items, known) -> None:
        for item in items:
            known.add("glossary", item["slug"])

    def check(self, items, known, problems) -> None:
        pass

    @staticmethod
    def state_of(term: GlossaryTerm) -> dict:
        return {"slug": term.slug, "term": term.term, "definition": term.definition}

    def apply(self, items: list[dict], counts: Counts, guard: Guard) -> None:
        existing = {term.slug: term for term in GlossaryTerm.objects.all()}
        for item in items:
            term = existing.get(item["slug"])
            if term and self.state_of(term) == item:
                counts.record(self.name, "unchanged")
                guard.remember(term, item)
                continue
            if term and not guard.may_overwrite(
                term, self.state_of(term), f"glossary.yaml {term.slug}"
            ):
                continue
            with reversion.create_revision():
                reversion.set_comment("Loaded from glossary.yaml")
                if term is None:
                    term = GlossaryTerm.objects.create(**item)
                    counts.record(self.name, "created")
                else:
                    term.term, term.definition = item["term"], item["definition"]
                    term.save()
                    counts.record(self.name, "updated")
            guard.remember(term, self.state_of(term))

    def export(self, root: Path, guard: Guard) -> None:
        entries = []
        for t in GlossaryTerm.objects.order_by(Lower("term"), "slug"):
            guard.remember(t, self.state_of(t))
            entries.append({"term": t.term, "slug": t.slug, "definition": t.definition})
        write_text(root / "glossary.yaml", dump_yaml(entries))


class SynonymSection:
    name = "synonyms"
    order = 21

    def claims(self, relative: Path) -> bool:
        return relative.name in {"synonyms.yaml", "synonyms.yml"}

    def known_in_database(self, known: Known) -> None:
        pass

    def parse(self, source: SourceFile, known: Known, problems: Problems) -> list[str]:
        data = parse_yaml(source.text, source.path, problems)
        if data is None:
            return []
        if not isinstance(data, list):
            problems.add(source.path, 1, "synonyms.yaml must be a list of lists of words")
            return []
        groups = []
        for index, group in enumerate(data):
            if not isinstance(group, list) or len(group) < 2:
                problems.add(
                    source.path,
                    item_line(data, index),
                    "each group needs at least two words, like [sick, absence]",
                )
                continue
            words = self._words(group, item_line(data, index), source, problems)
            longest = SynonymGroup._meta.get_field("words").max_length
            if words and len(", ".join(words)) > longest:
                problems.add(
                    source.path,
                    item_line(data, index),
                    f"this group is {len(', '.join(words))} characters long; a group can hold "
                    f"{longest}: split it into two groups",
                )
            elif words:
                groups.append(", ".join(words))
        return groups

    @staticmethod
    def _words(group: list, line: int, source: SourceFile, problems: Problems) -> list[str]:
        """Every word must be written as text: YAML reads 1:1 as the number 61, and yes as true."""
        words = []
        for position, word in enumerate(group):
            word_line = item_line(group, position) or line
            if not isinstance(word, str):
                problems.add(
                    source.path,
                    word_line,
                    f"{word!r} is not a word: YAML read it as a {type(word).__name__}; "
                    f'put it in quotes, like "{word}"',
                )
            elif not word.strip() or "," in word:
                problems.add(
                    source.path, word_line, f"{word!r}: a word must not be empty or hold a comma"
                )
            else:
                words.append(word.strip())
        return words if len(words) == len(group) else []

    def add_known(self, items, known) -> None:
        pass

    def check(self, items, known, problems) -> None:
        pass

    def apply(self, items: list[str], counts: Counts, guard: Guard) -> None:
        # Groups have no name to follow between loads, so the guard does not watch them.
        existing = {group.words: group for group in SynonymGroup.objects.all()}
        for words in items:
            if words in existing:
                counts.record(self.name, "unchanged")
                continue
            # An earlier version of this group (one sharing a word with it) is replaced, so that
            # editing a line of synonyms.yaml never leaves the old line behind.
            new_words = set(SynonymGroup(words=words).word_list)
            older = [
                existing.pop(text)
                for text, group in list(existing.items())
                if text not in items and new_words & set(group.word_list)
            ]
            with reversion.create_revision():
                reversion.set_comment("Loaded from synonyms.yaml")
                if older:
                    older[0].words = words
                    older[0].save()
                    for group in older[1:]:
                        group.delete()
                else:
                    SynonymGroup.objects.create(words=words)
            counts.record(self.name, "updated" if older else "created")

    def export(self, root: Path, guard: Guard) -> None:
        groups = [group.word_list for group in SynonymGroup.objects.order_by("pk")]  # file order
        write_text(root / "synonyms.yaml", dump_yaml(groups, SYNONYMS_HEADER))


# --- Guides, scripts and resources -----------------------------------------------------------

MODELS = {"guide": Guide, "script": Script, "resource": Resource}
GLOSS_MODELS = {"guide": GuideGloss, "script": ScriptGloss, "resource": ResourceGloss}
NATION_NOTE_MODELS = {
    "guide": GuideNationNote,
    "script": ScriptNationNote,
    "resource": ResourceNationNote,
}
COMMON_KEYS = {
    "type", "title", "slug", "summary", "status", "topics", "stages", "tags", "last_reviewed",
    "next_review_due", "reviewed_by", "owner", "review_notes", "glosses", "nation_notes",
}  # fmt: skip
KEYS = {
    "guide": COMMON_KEYS
    | {
        "check_policy_first",
        "policy_note",
        "related_guides",
        "related_scripts",
        "related_resources",
        "related_forms",
        "urgent_route",
    },
    "script": COMMON_KEYS
    | {"check_policy_first", "policy_note", "related_guides", "related_resources", "related_forms"},
    "resource": COMMON_KEYS | {"url", "publisher", "kind", "relevance", "licence", "nations"},
}
# Kinds that carry the "check your organisation's own policy first" reminder.
WITH_POLICY_SIGNPOST = {"guide", "script"}
RELATED = {
    "related_guides": "guide",
    "related_scripts": "script",
    "related_resources": "resource",
    "related_forms": "form",  # forms and letters: the paperwork app's content/forms/ section
}
PART_KINDS = {label.lower(): kind for kind, label in ScriptPart.Kind.choices}
PART_LABELS = dict(ScriptPart.Kind.choices)
_url_validator = URLValidator(schemes=["http", "https"])


@dataclass
class ItemFile:
    """One guide, script or resource as read from its file, with where each value came from."""

    path: Path
    type: str
    slug: str
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    list_lines: dict[str, list[int]] = field(default_factory=dict)
    text: str = ""

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Returns (front matter, body, line number of the body's first line)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return None


def read_front_matter(source: SourceFile, problems: Problems):
    """(front matter as a LineDict, body, line number of the body's first line), or None with
    the problem recorded: the opening every Markdown content file shares."""
    split = split_front_matter(source.text)
    if split is None:
        problems.add(
            source.path, 1, "the file must start with YAML front matter between two '---' lines"
        )
        return None
    front, body, body_line = split
    data = parse_yaml(front, source.path, problems, first_line=2)
    if data is None:
        return None
    if not isinstance(data, LineDict):
        problems.add(source.path, 2, "the front matter must be a set of 'key: value' lines")
        return None
    return data, body, body_line


def split_script_parts(body: str, first_line: int, path: Path, problems: Problems):
    intro: list[str] = []
    parts: list[tuple[str, list[str]]] = []
    for offset, line in enumerate(body.splitlines()):
        if line.startswith("## "):
            label = line[3:].strip()
            kind = PART_KINDS.get(label.lower())
            if kind is None:
                problems.add(
                    path,
                    first_line + offset,
                    f"unknown script part {label!r}: use one of " + ", ".join(PART_LABELS.values()),
                )
                continue
            if any(existing == kind for existing, _ in parts):
                problems.add(path, first_line + offset, f"the part {label!r} appears twice")
                continue
            parts.append((kind, []))
        elif parts:
            parts[-1][1].append(line)
        else:
            intro.append(line)
    return "\n".join(intro).strip(), [(kind, "\n".join(lines).strip()) for kind, lines in parts]


class ItemSection:
    name = "items"
    order = 30

    def claims(self, relative: Path) -> bool:
        return relative.suffix == ".md" and relative.parent.name != "forms"

    def known_in_database(self, known: Known) -> None:
        for kind, model in MODELS.items():
            for slug in model.objects.values_list("slug", flat=True):
                known.add(kind, slug)

    # Reading -----------------------------------------------------------------------------

    def parse(self, source: SourceFile, known: Known, problems: Problems) -> list[ItemFile]:
        path = source.path
        read = read_front_matter(source, problems)
        if read is None:
            return []
        data, body, body_line = read

        def at(key):
            return key_line(data, key, offset=1)

        kind = data.get("type")
        if kind not in MODELS:
            problems.add(
                path, at("type") if "type" in data else 1, "type must be guide, script or resource"
            )
            return []
        item = ItemFile(
            path=path, type=kind, slug=str(data.get("slug") or Path(path).stem), text=source.text
        )
        item.lines = {key: at(key) for key in data}
        for key in sorted(set(data) - KEYS[kind]):
            problems.add(path, at(key), f"unknown key {key!r} for a {kind}")
        try:
            validate_slug(item.slug)
        except ValidationError:
            problems.add(
                path,
                at("slug") if "slug" in data else 1,
                f"slug {item.slug!r} must be lower-case letters, numbers and hyphens",
            )

        values = item.values
        title = data.get("title")
        if not title or not str(title).strip():
            problems.add(path, 2 if "title" not in data else at("title"), "title is missing")
        elif len(str(title)) > 200:
            problems.add(path, at("title"), "title is longer than 200 characters")
        values["title"] = str(title or "").strip()
        values["summary"] = str(data.get("summary") or "").strip()
        status = data.get("status", Status.DRAFT)
        if status not in Status.values:
            problems.add(path, at("status"), f"status must be published or draft, not {status!r}")
        values["status"] = status
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
        values["review_notes"] = str(data.get("review_notes") or "").strip()

        for key in ("topics", "stages", "tags", *RELATED):
            raw = data.get(key) or []
            if not isinstance(raw, list) or not all(isinstance(v, str | int) for v in raw):
                problems.add(path, at(key), f"{key} must be a list, like [one, two]")
                raw = []
            values[key] = [str(v) for v in raw]
            item.list_lines[key] = (
                [item_line(raw, i, offset=1) for i in range(len(raw))]
                if isinstance(raw, LineList)
                else []
            )

        for key in ("glosses", "relevance"):
            raw = data.get(key) or {}
            if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
                problems.add(
                    path, at(key), f"{key} must map a workplace slug to text, like 'nhs: ...'"
                )
                raw = {}
            values[key] = {str(k): str(v).strip() for k, v in raw.items()}
            item.list_lines[key] = (
                [key_line(raw, k, offset=1) for k in raw] if isinstance(raw, LineDict) else []
            )

        values["nation_notes"] = parse_nation_notes(
            data.get("nation_notes"), path, at("nation_notes"), problems, offset=1
        )
        body = body.strip()
        if kind == "script":
            values["body"], values["parts"] = split_script_parts(body, body_line, path, problems)
        else:
            values["body"] = body
        if kind in WITH_POLICY_SIGNPOST:
            check_policy = data.get("check_policy_first", True)
            if not isinstance(check_policy, bool):
                problems.add(
                    path, at("check_policy_first"), "check_policy_first must be true or false"
                )
            values["check_policy_first"] = bool(check_policy)
            values["policy_note"] = str(data.get("policy_note") or "").strip()
        if kind == "guide":
            urgent = data.get("urgent_route", False)
            if not isinstance(urgent, bool):
                problems.add(path, at("urgent_route"), "urgent_route must be true or false")
            values["urgent_route"] = urgent is True
        if kind == "resource":
            url = str(data.get("url") or "")
            if not url:
                problems.add(path, 2, "url is missing: a resource needs the address of the page")
            else:
                try:
                    _url_validator(url)
                except ValidationError:
                    problems.add(
                        path, at("url"), f"url {url!r} is not a valid http:// or https:// address"
                    )
            values["url"] = url
            values["publisher"] = str(data.get("publisher") or "")
            kind_value = data.get("kind", Resource.Kind.ADVICE)
            if kind_value not in Resource.Kind.values:
                problems.add(
                    path, at("kind"), f"kind must be one of {', '.join(Resource.Kind.values)}"
                )
            values["kind"] = kind_value
            values["licence_note"] = str(data.get("licence") or "")
            nations = data.get("nations") or []
            if not isinstance(nations, list):
                problems.add(path, at("nations"), "nations must be a list, like [wales]")
                nations = []
            for nation in nations:
                if nation not in NATION_NAMES:
                    problems.add(
                        path,
                        at("nations"),
                        f"unknown nation {nation!r} in nations: use " + ", ".join(NATION_NAMES),
                    )
            # Stored in the order the hub lists the nations; all four is the same as none.
            chosen = [slug for slug in NATION_NAMES if slug in nations]
            values["nations"] = "" if len(chosen) == len(NATION_NAMES) else " ".join(chosen)
        return [item]

    def add_known(self, items: list[ItemFile], known: Known) -> None:
        for item in items:
            known.add(item.type, item.slug)

    def check(self, items: list[ItemFile], known: Known, problems: Problems) -> None:
        files_by_slug: dict[tuple[str, str], list[ItemFile]] = {}
        for item in items:
            files_by_slug.setdefault((item.type, item.slug), []).append(item)
        usernames = {
            item.values[key]
            for item in items
            for key in ("reviewed_by", "owner")
            if item.values.get(key)
        }
        users = set(
            get_user_model()
            .objects.filter(username__in=usernames)
            .values_list("username", flat=True)
        )
        urgent_routes: list[ItemFile] = []
        for item in items:
            others = [f.path for f in files_by_slug[(item.type, item.slug)] if f is not item]
            if others:
                problems.add(
                    item.path,
                    item.line("slug"),
                    f"duplicate slug {item.slug!r}: {', '.join(map(str, others))} has the same "
                    f"{item.type} slug",
                )
            references = {"topics": "topics", "stages": "stages", **RELATED}
            for key_name, kind in references.items():
                for index, slug in enumerate(item.values.get(key_name, [])):
                    if not known.has(kind, slug):
                        lines = item.list_lines.get(key_name) or []
                        line = lines[index] if index < len(lines) else item.line(key_name)
                        noun = {"topics": "topic", "stages": "stage"}.get(kind, kind)
                        problems.add(item.path, line, f"unknown {noun} {slug!r} in {key_name}")
            for key_name in ("glosses", "relevance"):
                for index, slug in enumerate(item.values.get(key_name, {})):
                    if not known.has("workplaces", slug):
                        lines = item.list_lines.get(key_name) or []
                        line = lines[index] if index < len(lines) else item.line(key_name)
                        problems.add(
                            item.path, line, f"unknown workplace setting {slug!r} in {key_name}"
                        )
            check_glossary_links(item.path, item.text, known, problems)
            check_fact_references(item.path, item.text, known, problems)
            if item.values.get("urgent_route"):
                urgent_routes.append(item)
            people_without_accounts(item, users, problems)
        for item in urgent_routes[1:]:
            problems.add(
                item.path,
                item.line("urgent_route"),
                f"urgent_route: only one guide can be the urgent route, and "
                f"{urgent_routes[0].path} already is",
            )

    # Writing -----------------------------------------------------------------------------

    def apply(self, items: list[ItemFile], counts: Counts, guard: Guard) -> None:
        workplaces = {w.slug: w for w in Workplace.objects.all()}
        taxonomy = {
            "topics": {t.slug: t for t in Topic.objects.all()},
            "stages": {s.slug: s for s in Stage.objects.all()},
        }
        existing = {
            kind: {
                o.slug: o
                for o in with_related(kind).filter(
                    slug__in=[i.slug for i in items if i.type == kind]
                )
            }
            for kind in MODELS
        }
        # Moving the urgent route to another guide: unset the old one first (one at a time).
        urgent = [i.slug for i in items if i.type == "guide" and i.values.get("urgent_route")]
        if urgent:
            Guide.objects.urgent_route().exclude(slug__in=urgent).update(urgent_route=False)
        created = set()
        for item in items:
            if item.slug not in existing[item.type]:
                obj = MODELS[item.type](slug=item.slug, **self._fields(item, None))
                obj.save()
                existing[item.type][item.slug] = obj
                created.add((item.type, item.slug))
        written: dict[str, list[str]] = {kind: [] for kind in MODELS}
        for item in items:
            obj = existing[item.type][item.slug]
            is_new = (item.type, item.slug) in created
            wanted = self._snapshot_from_file(item, obj)
            if not is_new:
                now = snapshot(obj)
                if wanted == now:
                    counts.record(f"{item.type}s", "unchanged")
                    guard.remember(obj, now)
                    continue
                if not guard.may_overwrite(obj, now, item.path):
                    continue
            with reversion.create_revision():
                reversion.set_comment(f"Loaded from {item.path}")
                self._write(obj, item, workplaces, taxonomy, existing)
            counts.record(f"{item.type}s", "created" if is_new else "updated")
            written[item.type].append(item.slug)
        # What the written items now hold, read back in one go a kind.
        for kind, slugs in written.items():
            if slugs:
                for obj in with_related(kind).filter(slug__in=slugs):
                    guard.remember(obj, snapshot(obj))

    def _fields(self, item: ItemFile, obj) -> dict:
        values = item.values
        today = timezone.localdate()
        last_reviewed = values.get("last_reviewed") or (obj.last_reviewed if obj else today)
        fields = {
            "title": values["title"],
            "summary": values["summary"],
            "status": values["status"],
            "body": values["body"],
            "last_reviewed": last_reviewed,
            "next_review_due": values.get("next_review_due"),
            "review_notes": values["review_notes"],
        }
        if item.type in WITH_POLICY_SIGNPOST:
            fields.update(
                check_policy_first=values["check_policy_first"], policy_note=values["policy_note"]
            )
        if item.type == "guide":
            fields["urgent_route"] = values["urgent_route"]
        if item.type == "resource":
            fields.update(
                {k: values[k] for k in ("url", "publisher", "kind", "licence_note", "nations")}
            )
        return fields

    def _snapshot_from_file(self, item: ItemFile, obj) -> dict:
        fields = self._fields(item, obj)
        model = MODELS[item.type]
        if fields["next_review_due"] is None:
            fields["next_review_due"] = model(
                last_reviewed=fields["last_reviewed"]
            ).default_next_review_due()
        values = item.values
        state = {
            **fields,
            "reviewed_by": values["reviewed_by"],
            "owner": values["owner"],
            "topics": sorted(values["topics"]),
            "stages": sorted(values["stages"]),
            "tags": sorted(values["tags"]),
            "glosses": values["glosses"],
            "nation_notes": values["nation_notes"],
        }
        for key in RELATED:
            if key in KEYS[item.type]:
                state[key] = sorted(values[key])
        if item.type == "script":
            state["parts"] = values["parts"]
        if item.type == "resource":
            state["relevance"] = values["relevance"]
        return state

    def _write(self, obj, item: ItemFile, workplaces, taxonomy, existing) -> None:
        values = item.values
        for name, value in self._fields(item, obj).items():
            setattr(obj, name, value)
        if values["reviewed_by"]:
            obj.reviewed_by = get_user_model().objects.get(username=values["reviewed_by"])
        else:
            obj.reviewed_by = None
        obj.owner = (
            get_user_model().objects.get(username=values["owner"]) if values["owner"] else None
        )
        obj.save()
        obj.topics.set([taxonomy["topics"][slug] for slug in values["topics"]])
        obj.stages.set([taxonomy["stages"][slug] for slug in values["stages"]])
        obj.tags.set(values["tags"], clear=True)
        for key in RELATED:
            if key in KEYS[item.type]:
                related = getattr(obj, key)
                related.set(related.model.objects.filter(slug__in=values[key]))
        gloss_model = GLOSS_MODELS[item.type]
        parent = item.type
        gloss_model.objects.filter(**{parent: obj}).exclude(
            workplace__slug__in=values["glosses"]
        ).delete()
        for slug, body in values["glosses"].items():
            gloss, _ = gloss_model.objects.get_or_create(
                **{parent: obj, "workplace": workplaces[slug]}, defaults={"body": body}
            )
            if gloss.body != body:
                gloss.body = body
                gloss.save()
        note_model = NATION_NOTE_MODELS[item.type]
        note_model.objects.filter(**{parent: obj}).exclude(
            nation__in=values["nation_notes"]
        ).delete()
        for nation, body in values["nation_notes"].items():
            note, _ = note_model.objects.get_or_create(
                **{parent: obj, "nation": nation}, defaults={"body": body}
            )
            if note.body != body:
                note.body = body
                note.save()
        if item.type == "script":
            obj.parts.all().delete()
            for position, (kind, body) in enumerate(values["parts"]):
                ScriptPart.objects.create(script=obj, kind=kind, position=position, body=body)
        if item.type == "resource":
            obj.relevance.exclude(workplace__slug__in=values["relevance"]).delete()
            for slug, note in values["relevance"].items():
                ResourceRelevance.objects.update_or_create(
                    resource=obj, workplace=workplaces[slug], defaults={"note": note}
                )

    # Exporting ---------------------------------------------------------------------------

    def export(self, root: Path, guard: Guard) -> None:
        folders = {"guide": "guides", "script": "scripts", "resource": "resources"}
        for kind in MODELS:
            for obj in with_related(kind).order_by("slug"):
                state = snapshot(obj)
                guard.remember(obj, state)
                text = render_item_file(kind, obj, state)
                write_text(root / folders[kind] / f"{obj.slug}.md", text)


def with_related(kind: str):
    """Items of one kind with everything `snapshot` reads, in a few queries for them all."""
    return (
        MODELS[kind]
        .objects.select_related("reviewed_by", "owner")
        .prefetch_related(
            "topics",
            "stages",
            "tags",
            "glosses__workplace",
            "nation_notes",
            *(["parts"] if kind == "script" else []),
            *(["relevance__workplace"] if kind == "resource" else []),
            *[key for key in RELATED if key in KEYS[kind]],
        )
    )


def snapshot(obj) -> dict:
    """Everything a content file says about an item, read from the database."""
    kind = {Guide: "guide", Script: "script", Resource: "resource"}[type(obj)]
    state = {
        "title": obj.title,
        "summary": obj.summary,
        "status": obj.status,
        "body": obj.body,
        **review_state(obj),
        "tags": sorted(tag.name for tag in obj.tags.all()),
    }
    if kind in WITH_POLICY_SIGNPOST:
        state.update(check_policy_first=obj.check_policy_first, policy_note=obj.policy_note)
    if kind == "guide":
        state["urgent_route"] = obj.urgent_route
    if kind == "resource":
        state.update(
            url=obj.url,
            publisher=obj.publisher,
            kind=obj.kind,
            licence_note=obj.licence_note,
            nations=obj.nations,
        )
        state["relevance"] = {
            r.workplace.slug: r.note
            for r in sorted(
                obj.relevance.all(), key=lambda r: (r.workplace.position, r.workplace.slug)
            )
        }
    for key in RELATED:
        if key in KEYS[kind]:
            state[key] = sorted(o.slug for o in getattr(obj, key).all())
    if kind == "script":
        state["parts"] = [
            (p.kind, p.body) for p in sorted(obj.parts.all(), key=lambda p: (p.position, p.id))
        ]
    return state


def render_item_file(kind: str, obj, state: dict | None = None) -> str:
    state = state or snapshot(obj)
    front: dict[str, Any] = {"type": kind, "title": state["title"]}
    if state["summary"]:
        front["summary"] = state["summary"]
    front["status"] = state["status"]
    if kind == "resource":
        front["url"] = state["url"]
        if state["publisher"]:
            front["publisher"] = state["publisher"]
        front["kind"] = state["kind"]
        if state["nations"]:
            front["nations"] = state["nations"].split()
    if kind == "guide" and state["urgent_route"]:
        front["urgent_route"] = True
    for key in ("topics", "stages", "tags"):
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
    if kind == "resource" and state["relevance"]:
        front["relevance"] = state["relevance"]
    if state["glosses"]:
        front["glosses"] = {slug: body + "\n" for slug, body in state["glosses"].items()}
    if kind == "resource" and state["licence_note"]:
        front["licence"] = state["licence_note"]
    if kind in WITH_POLICY_SIGNPOST:
        if not state["check_policy_first"]:
            front["check_policy_first"] = False
        if state["policy_note"]:
            front["policy_note"] = state["policy_note"] + "\n"  # a block (`|`), as editors write it
    for key in RELATED:
        if state.get(key):
            front[key] = state[key]
    if state["nation_notes"]:
        front["nation_notes"] = {slug: body + "\n" for slug, body in state["nation_notes"].items()}
    body = state["body"]
    if kind == "script":
        sections = [body] if body else []
        sections += [f"## {PART_LABELS[part]}\n\n{text}" for part, text in state["parts"]]
        body = "\n\n".join(sections)
    return f"---\n{dump_yaml(front)}---\n{body}\n" if body else f"---\n{dump_yaml(front)}---\n"


for section in (
    TaxonomySection(
        name="workplaces",
        model=Workplace,
        order=10,
        extra_fields=("short_name",),
        header=WORKPLACES_HEADER,
    ),
    TaxonomySection(name="topics", model=Topic, order=11),
    TaxonomySection(name="stages", model=Stage, order=12, extra_fields=("situation",)),
    FactSection(),
    GlossarySection(),
    SynonymSection(),
    ItemSection(),
):
    register(section)
