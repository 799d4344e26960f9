"""Builders for test data, in one place. Each returns a saved object with sensible defaults,
saved as an editor's save is: then core.publishing does the side work (search, reading ease,
the page cache)."""

import datetime
import itertools

from django.contrib.auth.models import Group, User

from core import publishing
from core.models import Status
from core.roles import AUTHORS_GROUP, PUBLISHERS_GROUP
from resources.models import (
    GlossaryTerm,
    Guide,
    GuideGloss,
    Resource,
    ResourceGloss,
    ResourceRelevance,
    Script,
    ScriptPart,
    Stage,
    Topic,
    Workplace,
)

_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def workplace(slug=None, **fields) -> Workplace:
    slug = slug or f"workplace-{_n()}"
    return Workplace.objects.get_or_create(slug=slug, defaults={"name": slug.title(), **fields})[0]


def topic(slug=None, **fields) -> Topic:
    slug = slug or f"topic-{_n()}"
    return Topic.objects.get_or_create(slug=slug, defaults={"name": slug.title(), **fields})[0]


def stage(slug=None, **fields) -> Stage:
    slug = slug or f"stage-{_n()}"
    return Stage.objects.get_or_create(slug=slug, defaults={"name": slug.title(), **fields})[0]


def guide(title=None, *, status=Status.PUBLISHED, glosses=None, **fields) -> Guide:
    n = _n()
    title = title or f"Guide number {n}"
    fields.setdefault("slug", f"guide-{n}")
    fields.setdefault("summary", "A short plain summary.")
    fields.setdefault("body", "You talk to them. You listen well.")
    fields.setdefault("last_reviewed", datetime.date(2026, 6, 1))
    item = Guide.objects.create(title=title, status=status, **fields)
    for place, body in (glosses or {}).items():
        GuideGloss.objects.create(guide=item, workplace=place, body=body)
    publishing.changed(item)
    return item


def script(title=None, *, status=Status.PUBLISHED, parts=None, **fields) -> Script:
    n = _n()
    title = title or f"Script number {n}"
    fields.setdefault("slug", f"script-{n}")
    fields.setdefault("summary", "A short plain summary.")
    fields.setdefault("last_reviewed", datetime.date(2026, 6, 1))
    item = Script.objects.create(title=title, status=status, **fields)
    for position, (kind, body) in enumerate((parts or {"opening": "- Say hello."}).items()):
        ScriptPart.objects.create(script=item, kind=kind, position=position, body=body)
    publishing.changed(item)
    return item


def resource(
    title=None, *, status=Status.PUBLISHED, relevance=None, glosses=None, **fields
) -> Resource:
    n = _n()
    title = title or f"Resource number {n}"
    fields.setdefault("slug", f"resource-{n}")
    fields.setdefault("url", f"https://example.org/page-{n}")
    fields.setdefault("publisher", "Acas")
    fields.setdefault("summary", "A short plain summary.")
    fields.setdefault("last_reviewed", datetime.date(2026, 6, 1))
    item = Resource.objects.create(title=title, status=status, **fields)
    for place, note in (relevance or {}).items():
        ResourceRelevance.objects.create(resource=item, workplace=place, note=note)
    for place, body in (glosses or {}).items():
        ResourceGloss.objects.create(resource=item, workplace=place, body=body)
    publishing.changed(item)
    return item


def glossary_term(term=None, **fields) -> GlossaryTerm:
    n = _n()
    term = term or f"Term {n}"
    fields.setdefault("slug", f"term-{n}")
    fields.setdefault("definition", "A plain meaning.")
    term = GlossaryTerm.objects.create(term=term, **fields)
    publishing.changed(term)
    return term


def decision_tree(slug="small", *, status=Status.PUBLISHED, loop=False, extra_questions=0):
    """A two-question tool: 'Told them?' then 'Before?', both leading to one outcome.

    With `loop`, the second question's "Yes" leads back to the first (a fault editors must fix).
    With `extra_questions`, a chain of that many more questions sits between the two.
    """
    from decisions.models import Answer, DecisionTree, Outcome, Question

    tree = DecisionTree.objects.create(title="A small tool", slug=slug, status=status)
    outcome = Outcome.objects.create(tree=tree, slug="tell-them", title="Tell them", body="Do.")
    outcome.guides.add(guide())
    first = Question.objects.create(tree=tree, slug="first", prompt="Told them?", position=0)
    chain = [first] + [
        Question.objects.create(tree=tree, slug=f"extra-{n}", prompt=f"Extra {n}?", position=n)
        for n in range(1, extra_questions + 1)
    ]
    second = Question.objects.create(
        tree=tree, slug="second", prompt="Before?", position=extra_questions + 1
    )
    for here, there in zip(chain, [*chain[1:], second], strict=True):
        Answer.objects.create(question=here, label="Yes", next_question=there, position=0)
        Answer.objects.create(question=here, label="No", outcome=outcome, position=1)
    if loop:
        Answer.objects.create(question=second, label="Yes", next_question=first, position=0)
    else:
        Answer.objects.create(question=second, label="Yes", outcome=outcome, position=0)
    Answer.objects.create(question=second, label="No", outcome=outcome, position=1)
    tree.start_question = first
    tree.save()
    publishing.changed(tree)
    return tree


def editor(username="editor", password="a-long-test-password-1", **fields) -> User:
    """A publisher: what every editor was before roles."""
    user = User.objects.create_user(username=username, password=password, is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=PUBLISHERS_GROUP))
    return user


def author(username="author", password="a-long-test-password-1", **fields) -> User:
    """An editor who writes and changes content but cannot publish, delete or restore it."""
    user = User.objects.create_user(username=username, password=password, is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=AUTHORS_GROUP))
    return user


def superuser(username="admin", password="a-long-test-password-1") -> User:
    return User.objects.create_superuser(username=username, password=password, email="")
