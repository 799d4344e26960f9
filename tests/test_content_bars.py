"""The shipped content files meet the hub's bars for guides, scripts, resources, forms and the
glossary.

Read straight from content/, so the numbers hold in a fresh `make run` without loading anything.
"""

from pathlib import Path

import yaml
from django.conf import settings

from resources.content_io import split_front_matter

CONTENT = Path(settings.BASE_DIR) / "content"
WORKPLACES = {"nhs", "residential-care", "home-care", "small-organisation"}
HARD_MOMENTS = ["cry", "angry", "bullied", "representative", "off sick"]


def published(folder: str) -> dict[str, tuple[dict, str]]:
    items = {}
    for path in sorted((CONTENT / folder).glob("*.md")):
        front, body, _ = split_front_matter(path.read_text())
        values = yaml.safe_load(front)
        if values.get("status") == "published":
            items[path.stem] = (values, body)
    return items


def test_there_are_at_least_30_published_guides_each_glossed_for_every_workplace():
    guides = published("guides")
    assert len(guides) >= 30, sorted(guides)
    for slug, (values, _) in guides.items():
        assert set(values["glosses"]) >= WORKPLACES, slug


def test_there_are_at_least_18_published_forms_and_letters_each_glossed_for_every_workplace():
    forms = published("forms")
    assert len(forms) >= 18, sorted(forms)
    for slug, (values, _) in forms.items():
        assert set(values["glosses"]) >= WORKPLACES, slug


def test_there_are_at_least_14_published_scripts_each_glossed_for_every_workplace():
    scripts = published("scripts")
    assert len(scripts) >= 14, sorted(scripts)
    for slug, (values, _) in scripts.items():
        assert set(values["glosses"]) >= WORKPLACES, slug


def test_every_script_says_what_to_do_when_the_conversation_gets_hard():
    for slug, (_, body) in published("scripts").items():
        headings = [line[3:].strip() for line in body.splitlines() if line.startswith("## ")]
        assert headings[-1] == "If the conversation gets hard", slug
        hard_part = body.split("## If the conversation gets hard", 1)[1].lower()
        for moment in HARD_MOMENTS:
            assert moment in hard_part, (slug, moment)


def test_there_are_at_least_55_published_resources_each_glossed_and_rated_for_every_workplace():
    resources = published("resources")
    assert len(resources) >= 55, len(resources)
    for slug, (values, _) in resources.items():
        assert set(values["glosses"]) >= WORKPLACES, slug
        assert set(values["relevance"]) >= WORKPLACES, slug


def test_no_two_resources_point_at_the_same_address():
    addresses = {}
    for slug, (values, _) in published("resources").items():
        address = values["url"].rstrip("/").lower()
        assert address not in addresses, (slug, addresses.get(address))
        addresses[address] = slug


def test_the_glossary_explains_at_least_70_terms_in_alphabetical_order():
    terms = [entry["term"] for entry in yaml.safe_load((CONTENT / "glossary.yaml").read_text())]
    assert len(terms) >= 70, len(terms)
    assert terms == sorted(terms, key=str.lower)
