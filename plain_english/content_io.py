"""content/jargon.yaml: the editors' list of HR words and their plainer alternatives.

A list of entries with `term`, and optionally `alternative` (a plainer word; leave it out when the
word must be explained instead) and `note`.
"""

from pathlib import Path

import reversion

from core.content_files import (
    Counts,
    Guard,
    Known,
    Problems,
    SourceFile,
    dump_yaml,
    item_line,
    key_line,
    parse_yaml,
    register,
    write_text,
)

from .models import JargonTerm

KEYS = {"term", "alternative", "note"}
HEADER = (
    "# HR and office words that readers may not know. Each is matched with its word family\n"
    '# ("utilise" also finds "utilising"). With `alternative`, the checker suggests the plainer '
    "word\n"
    "# in every field that uses it. Without one, the word must be explained, or linked to the\n"
    "# glossary with [[term]], somewhere on the page.\n"
)


class JargonSection:
    name = "jargon"
    order = 15

    def claims(self, relative: Path) -> bool:
        return relative.name in {"jargon.yaml", "jargon.yml"}

    def known_in_database(self, known: Known) -> None:
        pass

    def parse(self, source: SourceFile, known: Known, problems: Problems) -> list[dict]:
        data = parse_yaml(source.text, source.path, problems)
        if data is None:
            return []
        if not isinstance(data, list):
            problems.add(source.path, 1, "jargon.yaml must be a list of terms")
            return []
        entries, seen = [], {}
        for index, entry in enumerate(data):
            line = item_line(data, index)
            if not isinstance(entry, dict) or not str(entry.get("term") or "").strip():
                problems.add(source.path, line, "each entry needs a term")
                continue
            for key in sorted(set(entry) - KEYS):
                problems.add(source.path, key_line(entry, key), f"unknown key {key!r}")
            term = str(entry["term"]).strip()
            if term.lower() in seen:
                problems.add(
                    source.path,
                    line,
                    f"{term!r} is listed twice (first on line {seen[term.lower()]})",
                )
            seen[term.lower()] = line
            entries.append(
                {
                    "term": term,
                    "alternative": str(entry.get("alternative") or "").strip(),
                    "note": str(entry.get("note") or "").strip(),
                }
            )
        return entries

    def add_known(self, items, known) -> None:
        pass

    def check(self, items, known, problems) -> None:
        pass

    @staticmethod
    def state_of(term: JargonTerm) -> dict:
        return {"term": term.term, "alternative": term.alternative, "note": term.note}

    def apply(self, items: list[dict], counts: Counts, guard: Guard) -> None:
        existing = {t.term: t for t in JargonTerm.objects.all()}
        for item in items:
            term = existing.get(item["term"])
            if term is not None and self.state_of(term) == item:
                counts.record(self.name, "unchanged")
                guard.remember(term, item)
                continue
            if term is not None and not guard.may_overwrite(
                term, self.state_of(term), f"jargon.yaml {term.term!r}"
            ):
                continue
            with reversion.create_revision():
                reversion.set_comment("Loaded from jargon.yaml")
                if term is None:
                    term = JargonTerm.objects.create(**item)
                    counts.record(self.name, "created")
                else:
                    term.alternative, term.note = item["alternative"], item["note"]
                    term.save()
                    counts.record(self.name, "updated")
            guard.remember(term, self.state_of(term))

    def export(self, root: Path, guard: Guard) -> None:
        entries = []
        for term in JargonTerm.objects.order_by("pk"):  # file order: a load creates rows in it
            guard.remember(term, self.state_of(term))
            entry = {"term": term.term}
            if term.alternative:
                entry["alternative"] = term.alternative
            if term.note:
                entry["note"] = term.note
            entries.append(entry)
        write_text(root / "jargon.yaml", dump_yaml(entries, HEADER))


register(JargonSection())
