"""Editors may keep the facts table and the organisation's own policies, and the facts that
page templates name (the advice helpline, the discipline code) exist from the start.
content/facts.yaml holds the same values; load_content then finds them unchanged."""

from django.db import migrations

from core.permissions import grant_to_editors

CONTENT = ("add", "change", "delete", "view")
NATION_KEYS = {
    "england": "england",
    "scotland": "scotland",
    "wales": "wales",
    "northern-ireland": "northern_ireland",
}
# Kept here, not read from content/, so the migration gives the same result forever.
STARTING_FACTS = [
    {
        "name": "advice-service",
        "description": "Who gives free advice on employment problems, as in: the ... helpline",
        "value": "Acas",
        "northern-ireland": "Labour Relations Agency (LRA)",
    },
    {
        "name": "advice-helpline-number",
        "description": "The phone number of the employment advice helpline",
        "value": "0300 123 1100",
        "northern-ireland": "03300 552 220",
    },
    {
        "name": "advice-helpline",
        "description": "The employment advice helpline, with its number",
        "value": "the Acas helpline on {fact:advice-helpline-number}",
        "northern-ireland": "the Labour Relations Agency on {fact:advice-helpline-number}",
    },
    {
        "name": "discipline-code",
        "description": "The code of practice on discipline and grievance that tribunals take into account",
        "value": "the Acas Code of Practice",
        "northern-ireland": ("the Labour Relations Agency Code of Practice"),
    },
]


def start(apps, schema_editor):
    grant_to_editors(
        apps,
        "resources",
        {
            "fact": ("add", "change", "view"),
            "organisationpolicy": CONTENT,
            "guidenationnote": CONTENT,
            "scriptnationnote": CONTENT,
            "resourcenationnote": CONTENT,
        },
    )
    Fact = apps.get_model("resources", "Fact")
    for entry in STARTING_FACTS:
        values = {NATION_KEYS[key]: value for key, value in entry.items() if key in NATION_KEYS}
        Fact.objects.get_or_create(
            name=entry["name"],
            defaults={"description": entry["description"], "value": entry["value"], **values},
        )


class Migration(migrations.Migration):
    dependencies = [("resources", "0006_nations_facts_and_own_policies")]

    operations = [migrations.RunPython(start, migrations.RunPython.noop)]
