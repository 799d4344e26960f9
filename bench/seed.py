"""Seed a database with 1,000 guides, 300 scripts and 5,000 resources per unit of scale, quickly.

Run by bench/run.py as `python bench/seed.py SCALE` with DATABASE_URL set (SCALE defaults to 1).
"""

import datetime
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.prod")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from core.rendering import render_markdown  # noqa: E402
from resources.models import (  # noqa: E402
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
from resources.search import rebuild_index  # noqa: E402

SCALE = int(sys.argv[1]) if len(sys.argv) > 1 else 1
GUIDES, SCRIPTS, RESOURCES = 1000 * SCALE, 300 * SCALE, 5000 * SCALE
WORDS = (
    "you talk listen team shift rota care home nurse plan review support sick absence late "
    "training feedback goal record meeting fair clear kind safe help staff manager week month"
).split()


def words(rng, count):
    return " ".join(rng.choice(WORDS) for _ in range(count))


def body(rng, paragraphs=8):
    parts = []
    for index in range(paragraphs):
        parts.append(f"## {words(rng, 3).capitalize()}\n\n{words(rng, 40).capitalize()}.")
        if index % 3 == 0:
            parts.append("\n".join(f"- {words(rng, 6).capitalize()}." for _ in range(4)))
    return "\n\n".join(parts)


@transaction.atomic
def seed():
    rng = random.Random(2026)
    workplaces = list(Workplace.objects.all())
    topics = list(Topic.objects.all())
    stages = list(Stage.objects.all())
    day = datetime.date(2026, 6, 1)
    guide_body = body(rng)
    guide_html = render_markdown(guide_body)
    guides = Guide.objects.bulk_create(
        Guide(title=f"Bench guide {i}: {words(rng, 4)}", slug=f"bench-guide-{i}",
              summary=words(rng, 20).capitalize() + ".", body=guide_body, body_html=guide_html,
              status="published", last_reviewed=day, next_review_due=day.replace(year=2027))
        for i in range(GUIDES)
    )  # fmt: skip
    GuideGloss.objects.bulk_create(
        GuideGloss(guide=g, workplace=w, body="Here.", body_html="<p>Here.</p>")
        for g in guides for w in workplaces
    )  # fmt: skip
    Guide.topics.through.objects.bulk_create(
        Guide.topics.through(guide=g, topic=rng.choice(topics)) for g in guides
    )
    Guide.stages.through.objects.bulk_create(
        Guide.stages.through(guide=g, stage=rng.choice(stages)) for g in guides
    )
    scripts = Script.objects.bulk_create(
        Script(title=f"Bench script {i}", slug=f"bench-script-{i}", summary=words(rng, 15) + ".",
               status="published", last_reviewed=day, next_review_due=day.replace(year=2027))
        for i in range(SCRIPTS)
    )  # fmt: skip
    ScriptPart.objects.bulk_create(
        ScriptPart(script=s, kind=kind, position=n, body="- Do it.", body_html="<ul><li>Do it.</li></ul>")
        for s in scripts for n, (kind, _) in enumerate(ScriptPart.Kind.choices)
    )  # fmt: skip
    kinds = Resource.Kind.values
    resources = Resource.objects.bulk_create(
        Resource(title=f"Bench resource {i}: {words(rng, 4)}", slug=f"bench-resource-{i}",
                 url=f"https://example.org/bench/{i}", publisher="Acas", kind=rng.choice(kinds),
                 summary=words(rng, 20) + ".", body=words(rng, 80), status="published",
                 last_reviewed=day, next_review_due=day.replace(month=12))
        for i in range(RESOURCES)
    )  # fmt: skip
    ResourceRelevance.objects.bulk_create(
        ResourceRelevance(resource=r, workplace=w, note="Useful here.")
        for r in resources for w in rng.sample(workplaces, 2)
    )  # fmt: skip
    ResourceGloss.objects.bulk_create(
        ResourceGloss(resource=r, workplace=workplaces[0], body="Here.", body_html="<p>Here.</p>")
        for r in resources
    )
    Resource.topics.through.objects.bulk_create(
        Resource.topics.through(resource=r, topic=rng.choice(topics)) for r in resources
    )
    for guide in guides[:50]:
        guide.related_guides.add(*rng.sample(guides, 4))
        guide.related_scripts.add(*rng.sample(scripts, 2))
        guide.related_resources.add(*rng.sample(resources, 4))
    print(f"seeded {len(guides)} guides, {len(scripts)} scripts, {len(resources)} resources")


def analyze() -> None:
    """Gather the planner's statistics now, as autovacuum would soon after a bulk load: without
    them PostgreSQL guesses row counts and may not use the search indexes."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


if __name__ == "__main__":
    seed()
    print(f"search index: {rebuild_index()} entries")
    analyze()
