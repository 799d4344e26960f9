"""content/decisions/<slug>.yaml: decision tools as files. The format is in content/README.md."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import reversion
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils import timezone

from core.content_files import (
    Counts,
    Guard,
    Known,
    LineDict,
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
    register,
    write_text,
)
from core.models import Status
from resources.models import Guide, Resource, Script, Workplace

from .models import (
    Answer,
    DecisionTree,
    Outcome,
    OutcomeGloss,
    Question,
    QuestionGloss,
    TreeNationNote,
)
from .validation import AnswerShape, TreeShape, problems_in

TREE_KEYS = {
    "title",
    "slug",
    "summary",
    "status",
    "last_reviewed",
    "next_review_due",
    "introduction",
    "nation_notes",
    "start",
    "questions",
    "outcomes",
}
QUESTION_KEYS = {"slug", "prompt", "help", "glosses", "answers"}
ANSWER_KEYS = {"label", "next", "outcome"}
OUTCOME_KEYS = {
    "slug",
    "title",
    "body",
    "talk_to_hr",
    "acas_helpline",
    "guides",
    "scripts",
    "resources",
    "glosses",
}
READING = {
    "guides": ("guide", Guide),
    "scripts": ("script", Script),
    "resources": ("resource", Resource),
}


@dataclass
class TreeFile:
    path: Path
    slug: str
    data: dict[str, Any] = field(default_factory=dict)
    text: str = ""


def _text(value) -> str:
    return str(value or "").strip()


def _glosses(raw: dict, path: Path, line: int, known: Known, problems: Problems) -> dict:
    """A question's or an outcome's workplace glosses: workplace slug to Markdown."""
    glosses = raw.get("glosses") or {}
    if not isinstance(glosses, dict):
        problems.add(path, line, "glosses must map a workplace slug to text, like 'nhs: ...'")
        return {}
    for place in glosses:
        if not known.has("workplaces", place):
            problems.add(path, key_line(glosses, place), f"unknown workplace setting {place!r}")
    return glosses


class DecisionSection:
    name = "decisions"
    order = 40

    def claims(self, relative: Path) -> bool:
        return relative.parent.name == "decisions" and relative.suffix in {".yaml", ".yml"}

    def known_in_database(self, known: Known) -> None:
        pass

    def parse(self, source: SourceFile, known: Known, problems: Problems) -> list[TreeFile]:
        path = source.path
        raw = parse_yaml(source.text, path, problems)
        if raw is None:
            return []
        if not isinstance(raw, LineDict):
            problems.add(path, 1, "a decision tool file must be a set of 'key: value' lines")
            return []
        for key in sorted(set(raw) - TREE_KEYS):
            problems.add(path, key_line(raw, key), f"unknown key {key!r}")
        tree = TreeFile(path=path, slug=_text(raw.get("slug")) or Path(path).stem, text=source.text)
        if not _text(raw.get("title")):
            problems.add(path, 1, "title is missing")
        status = raw.get("status", Status.DRAFT)
        if status not in Status.values:
            problems.add(path, key_line(raw, "status"), "status must be published or draft")
        dates = {}
        for key in ("last_reviewed", "next_review_due"):
            if raw.get(key) is not None:
                try:
                    dates[key] = parse_date(raw[key])
                except ValueError as error:
                    problems.add(path, key_line(raw, key), f"{key}: {error}")
        tree.data = {
            "title": _text(raw.get("title")),
            "summary": _text(raw.get("summary")),
            "status": status,
            "introduction": _text(raw.get("introduction")),
            "nation_notes": parse_nation_notes(
                raw.get("nation_notes"), path, key_line(raw, "nation_notes"), problems
            ),
            "start": _text(raw.get("start")),
            **dates,
            "questions": [],
            "outcomes": [],
        }
        shape = TreeShape(start=tree.data["start"] or None)
        question_lines: dict[str, int] = {}
        answer_lines: dict[tuple[str, int], int] = {}
        outcome_lines: dict[str, int] = {}
        for index, question in enumerate(raw.get("questions") or []):
            line = item_line(raw["questions"], index)
            if not isinstance(question, dict) or not question.get("slug"):
                problems.add(path, line, "each question needs a slug, a prompt and answers")
                continue
            for key in sorted(set(question) - QUESTION_KEYS):
                problems.add(path, key_line(question, key), f"unknown key {key!r} in a question")
            slug = _text(question["slug"])
            if slug in question_lines:
                problems.add(path, line, f"the question slug {slug!r} appears twice")
            question_lines[slug] = line
            if not _text(question.get("prompt")):
                problems.add(path, line, f"question '{slug}' has no prompt")
            glosses = _glosses(question, path, line, known, problems)
            answers = []
            for number, answer in enumerate(question.get("answers") or []):
                answer_line = item_line(question["answers"], number)
                if not isinstance(answer, dict) or not _text(answer.get("label")):
                    problems.add(path, answer_line, f"an answer on question '{slug}' has no label")
                    continue
                for key in sorted(set(answer) - ANSWER_KEYS):
                    problems.add(path, key_line(answer, key), f"unknown key {key!r} in an answer")
                answer_lines[(slug, len(answers))] = answer_line
                answers.append(
                    {
                        "label": _text(answer["label"]),
                        "next": _text(answer.get("next")),
                        "outcome": _text(answer.get("outcome")),
                    }
                )
            shape.questions[slug] = [
                AnswerShape(a["label"], a["next"] or None, a["outcome"] or None) for a in answers
            ]
            tree.data["questions"].append(
                {
                    "slug": slug,
                    "prompt": _text(question.get("prompt")),
                    "help": _text(question.get("help")),
                    "glosses": {str(k): _text(v) for k, v in glosses.items()},
                    "answers": answers,
                }
            )
        for index, outcome in enumerate(raw.get("outcomes") or []):
            line = item_line(raw["outcomes"], index)
            if not isinstance(outcome, dict) or not outcome.get("slug"):
                problems.add(path, line, "each outcome needs a slug, a title and a body")
                continue
            for key in sorted(set(outcome) - OUTCOME_KEYS):
                problems.add(path, key_line(outcome, key), f"unknown key {key!r} in an outcome")
            slug = _text(outcome["slug"])
            if slug in outcome_lines:
                problems.add(path, line, f"the outcome slug {slug!r} appears twice")
            outcome_lines[slug] = line
            outcome_glosses = _glosses(outcome, path, line, known, problems)
            reading = {}
            for key, (kind, _) in READING.items():
                targets = [str(target) for target in outcome.get(key) or []]
                for position, target in enumerate(targets):
                    if not known.has(kind, target):
                        problems.add(
                            path, item_line(outcome[key], position), f"unknown {kind} {target!r}"
                        )
                reading[key] = sorted(targets)
            shape.outcomes[slug] = bool(reading["guides"] or reading["scripts"])
            tree.data["outcomes"].append(
                {
                    "slug": slug,
                    "title": _text(outcome.get("title")),
                    "body": _text(outcome.get("body")),
                    "talk_to_hr": bool(outcome.get("talk_to_hr")),
                    "acas_helpline": bool(outcome.get("acas_helpline")),
                    "glosses": {str(k): _text(v) for k, v in outcome_glosses.items()},
                    **reading,
                }
            )
        for fault in problems_in(shape):
            if fault.answer is not None:
                line = answer_lines[(fault.question, fault.answer)]
            elif fault.question is not None:
                line = question_lines[fault.question]
            elif fault.outcome is not None:
                line = outcome_lines[fault.outcome]
            else:
                line = key_line(raw, "start")
            problems.add(path, line, fault.message)
        slug_lines = {tree.slug: 1, **question_lines, **outcome_lines}
        for slug, line in slug_lines.items():
            try:
                validate_slug(slug)
            except ValidationError:
                problems.add(
                    path,
                    line,
                    f"slug {slug!r} must be lower-case letters, numbers and hyphens",
                )
        return [tree]

    def add_known(self, items, known) -> None:
        pass

    def check(self, items: list[TreeFile], known: Known, problems: Problems) -> None:
        seen: dict[str, Path] = {}
        for tree in items:
            check_glossary_links(tree.path, tree.text, known, problems)
            check_fact_references(tree.path, tree.text, known, problems)
            if tree.slug in seen:
                problems.add(
                    tree.path, 1, f"duplicate slug {tree.slug!r}: {seen[tree.slug]} has it too"
                )
            seen.setdefault(tree.slug, tree.path)

    def apply(self, items: list[TreeFile], counts: Counts, guard: Guard) -> None:
        for tree_file in items:
            existing = DecisionTree.objects.filter(slug=tree_file.slug).first()
            wanted = self._canonical(tree_file, existing)
            if existing is not None:
                now = self._canonical_from_db(existing)
                if now == wanted:
                    counts.record(self.name, "unchanged")
                    guard.remember(existing, now)
                    continue
                if not guard.may_overwrite(existing, now, tree_file.path):
                    continue
            with reversion.create_revision():
                reversion.set_comment(f"Loaded from {tree_file.path}")
                tree = self._write(existing, tree_file.slug, wanted)
            counts.record(self.name, "updated" if existing else "created")
            guard.remember(tree, self._canonical_from_db(tree))

    @staticmethod
    def _canonical(tree_file: TreeFile, existing: DecisionTree | None) -> dict:
        """The file's tree with the same defaults the database would fill in."""
        data = dict(tree_file.data)
        if data.get("last_reviewed") is None:
            data["last_reviewed"] = existing.last_reviewed if existing else timezone.localdate()
        if data.get("next_review_due") is None:
            data["next_review_due"] = DecisionTree(
                last_reviewed=data["last_reviewed"]
            ).default_next_review_due()
        return data

    @staticmethod
    def _canonical_from_db(tree: DecisionTree) -> dict:
        questions = tree.questions.prefetch_related(
            "answers__next_question", "answers__outcome", "glosses__workplace"
        )
        outcomes = tree.outcomes.prefetch_related(
            "guides", "scripts", "resources", "glosses__workplace"
        ).order_by("id")
        data = {
            "title": tree.title,
            "summary": tree.summary,
            "status": tree.status,
            "introduction": tree.introduction,
            "nation_notes": {n.nation: n.body for n in tree.nation_notes.order_by("id")},
            "start": tree.start_question.slug if tree.start_question_id else "",
            "last_reviewed": tree.last_reviewed,
            "next_review_due": tree.next_review_due,
            "questions": [
                {
                    "slug": q.slug,
                    "prompt": q.prompt,
                    "help": q.help_text,
                    "glosses": {g.workplace.slug: g.body for g in q.glosses.all()},
                    "answers": [
                        {
                            "label": a.label,
                            "next": a.next_question.slug if a.next_question_id else "",
                            "outcome": a.outcome.slug if a.outcome_id else "",
                        }
                        for a in q.answers.all()
                    ],
                }
                for q in questions
            ],
            "outcomes": [
                {
                    "slug": o.slug,
                    "title": o.title,
                    "body": o.body,
                    "talk_to_hr": o.talk_to_hr,
                    "acas_helpline": o.call_acas_helpline,
                    "glosses": {g.workplace.slug: g.body for g in o.glosses.all()},
                    **{key: sorted(x.slug for x in getattr(o, key).all()) for key in READING},
                }
                for o in outcomes
            ],
        }
        return data

    def _write(self, tree: DecisionTree | None, slug: str, data: dict) -> DecisionTree:
        fields = {
            "title": data["title"],
            "summary": data["summary"],
            "status": data["status"],
            "introduction": data["introduction"],
            "last_reviewed": data["last_reviewed"],
            "next_review_due": data["next_review_due"],
        }
        if tree is None:
            tree = DecisionTree(slug=slug)
        for name, value in fields.items():
            setattr(tree, name, value)
        tree.start_question = None
        tree.save()
        tree.nation_notes.all().delete()
        for nation, body in data["nation_notes"].items():
            TreeNationNote.objects.create(tree=tree, nation=nation, body=body)
        tree.questions.all().delete()
        tree.outcomes.all().delete()
        workplaces = {w.slug: w for w in Workplace.objects.all()}
        outcomes = {}
        for outcome in data["outcomes"]:
            saved = Outcome.objects.create(
                tree=tree,
                slug=outcome["slug"],
                title=outcome["title"],
                body=outcome["body"],
                talk_to_hr=outcome["talk_to_hr"],
                call_acas_helpline=outcome["acas_helpline"],
            )
            for key, (_, model) in READING.items():
                getattr(saved, key).set(model.objects.filter(slug__in=outcome[key]))
            for place, body in outcome["glosses"].items():
                OutcomeGloss.objects.create(outcome=saved, workplace=workplaces[place], body=body)
            outcomes[outcome["slug"]] = saved
        questions = {
            q["slug"]: Question.objects.create(
                tree=tree,
                slug=q["slug"],
                prompt=q["prompt"],
                help_text=q["help"],
                position=position,
            )
            for position, q in enumerate(data["questions"])
        }
        for q in data["questions"]:
            for place, body in q["glosses"].items():
                QuestionGloss.objects.create(
                    question=questions[q["slug"]], workplace=workplaces[place], body=body
                )
            for position, answer in enumerate(q["answers"]):
                Answer.objects.create(
                    question=questions[q["slug"]],
                    label=answer["label"],
                    position=position,
                    next_question=questions.get(answer["next"]),
                    outcome=outcomes.get(answer["outcome"]),
                )
        tree.start_question = questions.get(data["start"])
        tree.save()
        return tree

    def export(self, root: Path, guard: Guard) -> None:
        for tree in DecisionTree.objects.order_by("slug"):
            data = self._canonical_from_db(tree)
            guard.remember(tree, data)
            out: dict[str, Any] = {"title": data["title"]}
            if data["summary"]:
                out["summary"] = data["summary"]
            out["status"] = data["status"]
            out["last_reviewed"] = data["last_reviewed"]
            if data["next_review_due"] != tree.default_next_review_due():
                out["next_review_due"] = data["next_review_due"]
            if data["introduction"]:
                out["introduction"] = data["introduction"] + "\n"
            if data["nation_notes"]:
                out["nation_notes"] = {k: v + "\n" for k, v in data["nation_notes"].items()}
            out["start"] = data["start"]
            out["questions"] = []
            for q in data["questions"]:
                question: dict[str, Any] = {"slug": q["slug"], "prompt": q["prompt"]}
                if q["help"]:
                    question["help"] = q["help"] + "\n"
                if q["glosses"]:
                    question["glosses"] = {k: v + "\n" for k, v in q["glosses"].items()}
                question["answers"] = [
                    {
                        "label": a["label"],
                        **({"next": a["next"]} if a["next"] else {}),
                        **({"outcome": a["outcome"]} if a["outcome"] else {}),
                    }
                    for a in q["answers"]
                ]
                out["questions"].append(question)
            out["outcomes"] = []
            for o in data["outcomes"]:
                outcome: dict[str, Any] = {
                    "slug": o["slug"],
                    "title": o["title"],
                    "body": o["body"] + "\n",
                }
                if o["talk_to_hr"]:
                    outcome["talk_to_hr"] = True
                if o["acas_helpline"]:
                    outcome["acas_helpline"] = True
                outcome.update({key: o[key] for key in READING if o[key]})
                if o["glosses"]:
                    outcome["glosses"] = {k: v + "\n" for k, v in o["glosses"].items()}
                out["outcomes"].append(outcome)
            text = dump_yaml(out, indented_lists=True)
            write_text(root / "decisions" / f"{tree.slug}.yaml", text)


register(DecisionSection())
