"""Search across guides, scripts, resources and the glossary.

One interface, two engines: PostgreSQL full-text search (a weighted tsvector with a GIN
index) and SQLite FTS5 (bm25 with column weights). Both rank a match in the title above
one in the summary above one in the body. Editors keep a list of synonyms so that
everyday words and HR words find the same pages.
"""

import re
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hub.rendering import markdown_to_text

from .models import GlossaryTerm, Guide, Resource, Script, ScriptPart, SearchEntry, SynonymGroup

MAX_RESULTS = 50
FTS_TABLE = "resources_searchentry_fts"
STOP_WORDS = frozenset(
    "a an and are as at be by do for from how i if in is it me my of on or so that the their them "
    "they this to what when who why with you your".split()
)
WORD = re.compile(r"[\w'’-]+")
KIND_LABELS = {
    "guide": "Guide",
    "script": "Conversation script",
    "resource": "Resource",
    "glossary": "Glossary",
}


# Kinds of page that other apps add to the index (forms and letters): model -> how to index it.
OTHER_KINDS: dict[type, dict] = {}


def register_kind(*, model, kind: str, label: str, fields, published) -> None:
    """Let another app's pages be found: `fields(item)` gives its entry, `published()` them all."""
    KIND_LABELS[kind] = label
    OTHER_KINDS[model] = {"kind": kind, "fields": fields, "published": published}


@dataclass
class Hit:
    kind: str
    title: str
    summary: str
    url: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class SearchResults:
    query: str
    hits: list[Hit] = field(default_factory=list)
    synonyms_tried: list[list[str]] = field(default_factory=list)
    broadened: bool = False


# --- Building the query --------------------------------------------------------------------


def _normalise(text: str) -> str:
    return " ".join(WORD.findall(text.lower().replace("’", "'")))


def term_groups(
    query: str, synonym_groups: list[list[str]]
) -> tuple[list[list[str]], list[list[str]]]:
    """Split a query into groups of alternatives: a synonym group, or a single word.

    Longer phrases are matched first, so "yearly review" is one group, not two words.
    """
    remaining = f" {_normalise(query)} "
    groups: list[list[str]] = []
    used_synonyms: list[list[str]] = []
    phrases = sorted(
        ((_normalise(word), group) for group in synonym_groups for word in group),
        key=lambda pair: -len(pair[0]),
    )
    for phrase, group in phrases:
        if phrase and f" {phrase} " in remaining:
            remaining = remaining.replace(f" {phrase} ", " | ")
            if group not in groups:
                groups.append(group)
                used_synonyms.append(group)
    for word in remaining.split():
        if word != "|" and word not in STOP_WORDS and [word] not in groups:
            groups.append([word])
    return groups, used_synonyms


def _synonym_groups() -> list[list[str]]:
    return [group.word_list for group in SynonymGroup.objects.all()]


# --- Engines ---------------------------------------------------------------------------------


def _sqlite_phrase(words: str) -> str:
    return '"' + words.replace('"', '""') + '"'


def _sqlite_ids(groups: list[list[str]], any_group: bool) -> list[int]:
    joiner = " OR " if any_group else " AND "
    match = joiner.join(
        "(" + " OR ".join(_sqlite_phrase(_normalise(word)) for word in group) + ")"
        for group in groups
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608
            f"ORDER BY bm25({FTS_TABLE}, 10.0, 4.0, 1.0) LIMIT %s",
            [match, MAX_RESULTS],
        )
        return [row[0] for row in cursor.fetchall()]


def _postgres_ids(groups: list[list[str]], any_group: bool) -> list[int]:
    params: list[str] = []
    group_sql = []
    for group in groups:
        alternatives = []
        for word in group:
            alternatives.append("phraseto_tsquery('english', %s)")
            params.append(_normalise(word))
        group_sql.append("(" + " || ".join(alternatives) + ")")
    query_sql = (" || " if any_group else " && ").join(group_sql)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM resources_searchentry, (SELECT {query_sql} AS q) AS query "  # noqa: S608
            "WHERE numnode(query.q) > 0 AND search_vector @@ query.q "
            "ORDER BY ts_rank(search_vector, query.q) DESC, title LIMIT %s",
            [*params, MAX_RESULTS],
        )
        return [row[0] for row in cursor.fetchall()]


def _matching_ids(groups: list[list[str]], any_group: bool) -> list[int]:
    if connection.vendor == "postgresql":
        return _postgres_ids(groups, any_group)
    return _sqlite_ids(groups, any_group)


def search(query: str, *, workplace: str | None = None, nation: str | None = None) -> SearchResults:
    """Pages matching the query. With a nation, resources written for other nations come last;
    `workplace` is the reader's workplace, for ranking that suits it."""
    groups, synonyms = term_groups(query, _synonym_groups())
    results = SearchResults(query=query, synonyms_tried=synonyms)
    if not groups:
        return results
    ids = _matching_ids(groups, any_group=False)
    if not ids and len(groups) > 1:
        ids = _matching_ids(groups, any_group=True)
        results.broadened = bool(ids)
    entries = SearchEntry.objects.in_bulk(ids)
    found = [entries[i] for i in ids if i in entries]
    if nation:
        slugs = [e.slug for e in found if e.kind == "resource"]
        elsewhere = set(
            Resource.objects.filter(slug__in=slugs)
            .for_other_nations(nation)
            .values_list("slug", flat=True)
        )
        found.sort(key=lambda e: e.kind == "resource" and e.slug in elsewhere)
    results.hits = _urgent_route_first(
        query,
        groups,
        [Hit(kind=e.kind, title=e.title, summary=e.summary, url=e.url) for e in found],
    )
    return results


def _urgent_route_first(query: str, groups: list[list[str]], hits: list[Hit]) -> list[Hit]:
    """Safety first: a search for a word the urgent route is tagged with ("abuse", "DBS",
    "hit a resident", or a synonym of one) shows the urgent route at the top."""
    urgent = Guide.objects.published().urgent_route().prefetch_related("tags").first()
    if urgent is None:
        return hits
    tags = {_normalise(tag.name) for tag in urgent.tags.all()}
    words = {_normalise(word) for group in groups for word in group}
    asked = f" {_normalise(query)} "
    if not (tags & words or any(f" {tag} " in asked for tag in tags)):
        return hits
    url = urgent.get_absolute_url()
    pinned = Hit(kind="guide", title=urgent.title, summary=urgent.summary, url=url)
    return [pinned, *(hit for hit in hits if hit.url != url)]


# --- Keeping the index up to date ------------------------------------------------------------


def _entry_fields(item) -> dict:
    if type(item) in OTHER_KINDS:
        return OTHER_KINDS[type(item)]["fields"](item)
    if isinstance(item, GlossaryTerm):
        return {
            "kind": "glossary",
            "slug": item.slug,
            "title": item.term,
            "summary": markdown_to_text(item.definition),
            "body": "",
            "url": item.get_absolute_url(),
        }
    body = [markdown_to_text(item.body)]
    if isinstance(item, Script):
        body += [markdown_to_text(part.body) for part in item.parts.all()]
    kind = {Guide: "guide", Script: "script", Resource: "resource"}[type(item)]
    return {
        "kind": kind,
        "slug": item.slug,
        "title": item.title,
        "summary": item.summary,
        "body": "\n".join(body),
        "url": item.get_absolute_url(),
    }


def index_item(item) -> None:
    fields = _entry_fields(item)
    published = getattr(item, "is_published", True)
    entries = SearchEntry.objects.filter(kind=fields["kind"])
    entries.filter(slug=fields["slug"]).delete()
    # A page whose slug changed must not leave its old address in the results.
    entries.exclude(slug__in=type(item).objects.values("slug")).delete()
    if published:
        SearchEntry.objects.create(**fields)


def forget_item(item) -> None:
    kind = "glossary" if isinstance(item, GlossaryTerm) else type(item).__name__.lower()
    kind = OTHER_KINDS.get(type(item), {}).get("kind", kind)
    SearchEntry.objects.filter(kind=kind, slug=item.slug).delete()


def rebuild_index() -> int:
    """Rebuild every entry from scratch; returns how many pages are searchable."""
    entries = [SearchEntry(**_entry_fields(term)) for term in GlossaryTerm.objects.all()]
    for model in (Guide, Resource):
        entries += [SearchEntry(**_entry_fields(item)) for item in model.objects.published()]
    entries += [
        SearchEntry(**_entry_fields(item))
        for item in Script.objects.published().prefetch_related("parts")
    ]
    for other in OTHER_KINDS.values():
        entries += [SearchEntry(**other["fields"](item)) for item in other["published"]()]
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        SearchEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


@receiver(post_save, sender=Guide)
@receiver(post_save, sender=Script)
@receiver(post_save, sender=Resource)
@receiver(post_save, sender=GlossaryTerm)
def _index_on_save(sender, instance, raw=False, **kwargs):
    if not raw:
        transaction.on_commit(lambda: index_item(instance))


@receiver(post_save, sender=ScriptPart)
@receiver(post_delete, sender=ScriptPart)
def _index_script_on_part_change(sender, instance, raw=False, **kwargs):
    if not raw:
        script_id = instance.script_id
        transaction.on_commit(
            lambda: [index_item(script) for script in Script.objects.filter(pk=script_id)]
        )


@receiver(post_delete, sender=Guide)
@receiver(post_delete, sender=Script)
@receiver(post_delete, sender=Resource)
@receiver(post_delete, sender=GlossaryTerm)
def _forget_on_delete(sender, instance, **kwargs):
    forget_item(instance)
