"""Search that understands managers: everyday words, typos, and the right kind of answer first.

One interface, two engines: PostgreSQL full-text search (weighted tsvectors with GIN indexes,
and pg_trgm for typos) and SQLite FTS5 (bm25 with column weights, and difflib for typos).

How a search runs (`search(query)`):

1. **Words that matter.** The query is lower-cased; dates, times and weekday names are dropped,
   and so are stop words ("I", "have", "when"). Phrases from the synonym list are matched first,
   so "off sick" is one idea. Vague words ("someone", "carer", "keeps") are dropped when the query
   has better ones: "my carer keeps being late" searches for "late" and its synonyms.
2. **Typos.** A word that is in no indexed page is compared with the vocabulary of indexed words;
   the nearest close word (and its synonyms) is searched too, and the page asks "Did you mean ...?".
3. **The right kind first.** Editors' best bets for the query (or a synonym of it) come first,
   marked as recommended. Then the hub's own pages (guides, scripts, decision tools and any other
   kind registered in the "hub" group), then third-party resources. Within each, a page whose
   title or summary matches comes before one where only the body does. Glossary entries are
   returned apart ("Words explained").
4. Pages must match every idea in the query; when none does, pages matching some are shown.

Every search is counted in the query log (`record_search`): its normalised words, the day, and
whether it found anything. Nothing else.

Adding a kind of content to search is one call, usually from an app's `AppConfig.ready()`:

    from resources.search import SearchDocument, SearchKind, register_search_kind

    register_search_kind(SearchKind(
        name="form",                          # stored in the index; at most 12 characters
        label="Form or letter",               # shown on each result
        items=lambda: Form.objects.published(),   # everything readers can reach now
        document=lambda form: SearchDocument(
            slug=form.slug, title=form.title, summary=form.summary,
            body=markdown_to_text(form.body), url=form.get_absolute_url(), object_id=form.pk,
        ),
        model=Form,                           # saving or deleting one updates the index
        related={FormField: lambda field: [field.form]},   # optional: parts of an item
    ))

A page with no model (such as a fixed route) leaves out `model` and returns one object from
`items`; it is indexed whenever the index is rebuilt (`load_content` does this).
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from core.rendering import markdown_to_text

from .models import (
    BestBet,
    GlossaryTerm,
    Guide,
    Resource,
    Script,
    ScriptPart,
    SearchEntry,
    SearchQueryDay,
    SearchWord,
    SynonymGroup,
    normalise_search_text,
)

MAX_RESULTS = 50
MAX_GLOSSARY = 6
FTS_TABLE = "resources_searchentry_fts"
SEARCH_LOG_DAYS = 180
LOGGED_QUERY_LENGTH = 100

# Groups of kinds, in the order readers see them.
HUB = "hub"
# The hub's forms and letters: after its advice (a search for "disciplinary" wants the guide
# before the hearing letter), before third-party resources.
PAPERWORK = "paperwork"
RESOURCE = "resource"
GLOSSARY = "glossary"

# --- Words that matter ---------------------------------------------------------------------------

STOP_WORDS = frozenset(
    """
    a about after again against all am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each few for from further had hadn't has hasn't have haven't having he
    he's her here here's hers herself him himself his how how's i i'd i'll i'm i've im ive if in
    into is isn't it it's its itself just let's me might more most must mustn't my myself no nor
    not of off on once only or other ought our ours ourselves out over own please same shall
    shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs
    them themselves then there there's these they they'd they'll they're they've this those
    through to too under until up us very was wasn't we we'd we'll we're we've were weren't what
    what's when when's where where's which while who who's whom why why's will with won't would
    wouldn't you you'd you'll you're you've your yours yourself yourselves also hi hello
    """.split()
)
DATE_WORDS = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays
    thursdays fridays saturdays sundays mon tue tues wed thu thur thurs fri sat
    january february march april june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    today tomorrow yesterday tonight morning afternoon evening weekend weekends
    day days week weeks month months year years daily weekly monthly yearly next last ago
    """.split()
)
# Words too common in a care manager's question to say what it is about. Dropped when the
# query has other words; searched when they are all it has.
VAGUE_WORDS = frozenset(
    """
    someone somebody anyone anybody everyone person people staff member members colleague
    colleagues employee employees worker workers carer carers care team manager managers
    keeps keep keeping kept always often again still new need needs want wants help deal handle
    happen happens happened going get gets got thing things way know think tell told say said
    work job make start starting
    """.split()
)
DATE_PATTERNS = re.compile(
    r"""
    \b\d{4}-\d{1,2}-\d{1,2}\b                 # 2026-03-02
    | \b\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\b   # 2/3, 02.03.2026
    | \b\d{1,2}(?:st|nd|rd|th)\b              # 3rd
    | \b(?:19|20)\d{2}\b                      # 2026
    | \b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)\b   # 9am, 10.30 pm
    | \b\d{1,2}[:.]\d{2}\b                    # 10:30 (but not 1:1)
    """,
    re.VERBOSE,
)
WORD = re.compile(r"[\w'’-]+")
VOCABULARY_WORD = re.compile(r"[a-z]{3,40}")
# A word shorter than this is never "corrected": too many short words are one letter apart.
SHORTEST_TYPO = 4
# How alike a misspelt word and its correction must be: pg_trgm similarity on PostgreSQL,
# difflib's ratio elsewhere (the two measures differ, so each has its own threshold).
TRIGRAM_SIMILARITY = 0.45
DIFFLIB_RATIO = 0.8


def _normalise(text: str) -> str:
    return normalise_search_text(text)


def words_that_matter(query: str) -> str:
    """The query without dates and times, lower-cased, words separated by single spaces."""
    return _normalise(DATE_PATTERNS.sub(" ", query.lower()))


def term_groups(
    query: str, synonym_groups: list[list[str]]
) -> tuple[list[list[str]], list[list[str]]]:
    """Split a query into groups of alternatives: a synonym group, or a single word.

    Longer phrases are matched first, so "yearly review" is one group, not two words. Returns
    the groups to search for and the synonym groups that were used.
    """
    remaining = f" {words_that_matter(query)} "
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
    words = [
        word
        for word in remaining.split()
        if word != "|" and word not in STOP_WORDS and word not in DATE_WORDS
    ]
    strong = [word for word in words if word not in VAGUE_WORDS]
    for word in strong if (strong or groups) else words:
        if [word] not in groups:
            groups.append([word])
    return groups, used_synonyms


def _synonym_groups() -> list[list[str]]:
    return [group.word_list for group in SynonymGroup.objects.all()]


_per_generation: dict[str, tuple[str, Any]] = {}


def _for_this_content_generation(name: str, load: Callable[[], Any]) -> Any:
    """Small tables every search reads (synonyms, best bets), kept in this process's memory
    until anything readers can see is saved (which bumps the content generation, core.cache)."""
    from core.cache import content_generation

    generation = content_generation()
    cached = _per_generation.get(name)
    if cached is None or cached[0] != generation:
        cached = (generation, load())
        _per_generation[name] = cached
    return cached[1]


# --- Registering kinds of content ----------------------------------------------------------------


@dataclass(frozen=True)
class SearchDocument:
    """What the index holds for one page: plain text, and where readers find it."""

    slug: str
    title: str
    summary: str
    body: str
    url: str
    object_id: int | None = None


def _published(item) -> bool:
    return getattr(item, "is_published", True)


@dataclass(frozen=True)
class SearchKind:
    """How one kind of page is searched. See the module docstring for an example."""

    name: str
    label: str
    items: Callable[[], Iterable[Any]]
    document: Callable[[Any], SearchDocument]
    group: str = HUB
    model: type | None = None
    related: Mapping[type, Callable[[Any], Iterable[Any]]] = field(default_factory=dict)
    reachable: Callable[[Any], bool] = _published


_kinds: dict[str, SearchKind] = {}


def register_search_kind(kind: SearchKind) -> SearchKind:
    """Make a kind of page searchable, and keep its index entries up to date as items change.

    Registering the same name again replaces the earlier registration.
    """
    if len(kind.name) > SearchEntry._meta.get_field("kind").max_length:
        raise ValueError(f"search kind name {kind.name!r} is too long")
    if kind.group not in {HUB, PAPERWORK, RESOURCE, GLOSSARY}:
        raise ValueError(
            f"search kind group {kind.group!r} must be hub, paperwork, resource or glossary"
        )
    _kinds[kind.name] = kind
    return kind


def search_kinds() -> list[SearchKind]:
    return list(_kinds.values())


def kind_label(name: str) -> str:
    kind = _kinds.get(name)
    return kind.label if kind else name.title()


def _kind_for_model(model) -> SearchKind | None:
    return next((kind for kind in _kinds.values() if kind.model is model), None)


def _kinds_in(group: str) -> list[str]:
    return [kind.name for kind in _kinds.values() if kind.group == group]


# --- Results -------------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    title: str
    summary: str
    url: str
    recommended: bool = False

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


@dataclass
class SearchResults:
    query: str
    hits: list[Hit] = field(default_factory=list)
    best_bets: list[Hit] = field(default_factory=list)
    glossary: list[Hit] = field(default_factory=list)
    synonyms_tried: list[list[str]] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    suggestion: str = ""
    broadened: bool = False

    @property
    def results(self) -> list[Hit]:
        """Best bets first, then the ranked pages: what readers see as "the results"."""
        return self.best_bets + self.hits

    @property
    def found_anything(self) -> bool:
        return bool(self.best_bets or self.hits or self.glossary)


# --- Typos ---------------------------------------------------------------------------------------


def _typo_candidates(groups: list[list[str]], synonym_words: set[str]) -> list[str]:
    return [
        group[0]
        for group in groups
        if len(group) == 1
        and group[0] not in synonym_words
        and len(group[0]) >= SHORTEST_TYPO
        and group[0].isalpha()
    ]


def _postgres_corrections(words: list[str]) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT typed.word, (SELECT v.word FROM resources_searchword v "
            "  WHERE v.word %% typed.word AND similarity(v.word, typed.word) >= %s "
            "  ORDER BY similarity(v.word, typed.word) DESC, v.word LIMIT 1) "
            "FROM unnest(%s::text[]) AS typed(word) "
            "WHERE NOT EXISTS (SELECT 1 FROM resources_searchword k WHERE k.word = typed.word)",
            [TRIGRAM_SIMILARITY, words],
        )
        return {typed: fix for typed, fix in cursor.fetchall() if fix}


def _python_corrections(words: list[str]) -> dict[str, str]:
    known = set(SearchWord.objects.filter(word__in=words).values_list("word", flat=True))
    unknown = [word for word in words if word not in known]
    if not unknown:
        return {}
    vocabulary = list(SearchWord.objects.values_list("word", flat=True))
    corrections = {}
    for word in unknown:
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=DIFFLIB_RATIO)
        if close:
            corrections[word] = close[0]
    return corrections


def corrections_for(words: list[str]) -> dict[str, str]:
    """For each word that no indexed page holds, the nearest indexed word, if one is close."""
    if not words:
        return {}
    if connection.vendor == "postgresql":
        return _postgres_corrections(words)
    return _python_corrections(words)


def _apply_corrections(
    groups: list[list[str]], corrections: dict[str, str], synonym_groups: list[list[str]]
) -> list[list[str]]:
    """A misspelt word is searched as typed, as corrected, and as the correction's synonyms."""
    fixed = []
    for group in groups:
        correction = corrections.get(group[0]) if len(group) == 1 else None
        if correction is None:
            fixed.append(group)
            continue
        synonyms = next((g for g in synonym_groups if correction in g), [correction])
        fixed.append([group[0], *[word for word in synonyms if word != group[0]]])
        if correction not in fixed[-1]:
            fixed[-1].append(correction)
    return fixed


def _suggestion(query: str, corrections: dict[str, str]) -> str:
    return " ".join(corrections.get(word, word) for word in _normalise(query).split())


# --- Engines -------------------------------------------------------------------------------------


def _alternatives(group: list[str]) -> list[str]:
    """The group's words and phrases, normalised, without repeats, and without phrases that
    hold one of the group's single words (any page with "sick leave" has "sick" already)."""
    words = list(dict.fromkeys(_normalise(word) for word in group if _normalise(word)))
    singles = {word for word in words if " " not in word}
    return [word for word in words if " " not in word or not singles & set(word.split())] or words


def _sqlite_phrase(words: str) -> str:
    return '"' + words.replace('"', '""') + '"'


def _sqlite_expression(groups: list[list[str]], any_group: bool) -> str:
    joiner = " OR " if any_group else " AND "
    return joiner.join(
        "(" + " OR ".join(_sqlite_phrase(word) for word in _alternatives(group)) + ")"
        for group in groups
    )


ROW = "e.id, e.kind, e.slug, e.title, e.summary, e.url"


def _sqlite_rows(
    groups: list[list[str]], any_group: bool, kinds: list[str], where: str, limit: int
) -> list[tuple]:
    expression = _sqlite_expression(groups, any_group)
    match = {
        "title": f"{{title}} : ({expression})",
        "summary": f"({{title summary}} : ({expression})) NOT ({{title}} : ({expression}))",
        "body": f"({expression}) NOT ({{title summary}} : ({expression}))",
        "all": expression,
    }[where]
    placeholders = ", ".join(["%s"] * len(kinds))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {ROW} FROM {FTS_TABLE} JOIN resources_searchentry e "  # noqa: S608
            f"ON e.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND e.kind IN ({placeholders}) "
            f"ORDER BY bm25({FTS_TABLE}, 10.0, 4.0, 1.0), e.title LIMIT %s",
            [match, *kinds, limit],
        )
        return cursor.fetchall()


def _keeps_its_meaning(phrase: str) -> bool:
    """PostgreSQL drops stop words from a phrase, and a leading or trailing one is simply lost:
    "told off" would become "told", which finds every page that says "told". Such a phrase is
    left out when its group has other words to search for."""
    words = _normalise(phrase).split()
    return len(words) == 1 or (words[0] not in STOP_WORDS and words[-1] not in STOP_WORDS)


def _postgres_query(groups: list[list[str]], any_group: bool) -> tuple[str, list[str]]:
    params: list[str] = []
    group_sql = []
    for group in groups:
        alternatives = []
        words = _alternatives(group)
        for word in [word for word in words if _keeps_its_meaning(word)] or words:
            alternatives.append("phraseto_tsquery('english', %s)")
            params.append(word)
        group_sql.append("(" + " || ".join(alternatives) + ")")
    return (" || " if any_group else " && ").join(group_sql), params


# Where the words must be, for each tier: (condition, vector to rank by). "q" is the query.
POSTGRES_TIERS = {
    "title": ("e.title_vector @@ {q}", "e.title_vector"),
    "summary": ("e.head_vector @@ {q} AND NOT e.title_vector @@ {q}", "e.head_vector"),
    "body": ("e.search_vector @@ {q} AND NOT e.head_vector @@ {q}", "e.search_vector"),
    "all": ("e.search_vector @@ {q}", "e.search_vector"),
}


def _postgres_rows(
    groups: list[list[str]], any_group: bool, kinds: list[str], where: str, limit: int
) -> list[tuple]:
    query_sql, params = _postgres_query(groups, any_group)
    query_sql = f"({query_sql})"
    condition, vector = POSTGRES_TIERS[where]
    # The query is written out where it is used, not joined in from a subquery, so that the
    # planner sees it as a constant and uses the GIN indexes. A page that uses the words more
    # often ranks higher; in "all", the title weighs most, then the summary (the tsvectors'
    # weights, set in the migrations).
    uses = condition.count("{q}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {ROW} FROM resources_searchentry e "  # noqa: S608
            f"WHERE e.kind = ANY(%s) AND {condition.format(q=query_sql)} "
            f"ORDER BY ts_rank({vector}, {query_sql}) DESC, e.title LIMIT %s",
            [kinds, *params * uses, *params, limit],
        )
        return cursor.fetchall()


def _rows(groups, any_group: bool, kinds: list[str], where: str, limit: int) -> list[tuple]:
    if not kinds or limit <= 0:
        return []
    engine = _postgres_rows if connection.vendor == "postgresql" else _sqlite_rows
    return engine(groups, any_group, kinds, where, limit)


def _ranked_rows(groups: list[list[str]], any_group: bool) -> list[tuple]:
    """The hub's advice, then its forms, then resources; in each, title matches, then summary,
    then body ones.

    Each tier is its own small query, and later tiers run only while the page has room, so a
    common word costs a ranked look at the titles and summaries, not at every body.
    """
    rows: list[tuple] = []
    for group in (HUB, PAPERWORK, RESOURCE):
        kinds = _kinds_in(group)
        for where in ("title", "summary", "body"):
            rows += _rows(groups, any_group, kinds, where, MAX_RESULTS - len(rows))
    return rows


def _hits(rows: list[tuple], exclude: set[tuple[str, str]] = frozenset()) -> list[Hit]:
    return [
        Hit(kind=kind, title=title, summary=summary, url=url)
        for _, kind, slug, title, summary, url in rows
        if (kind, slug) not in exclude
    ]


def _other_nations_last(rows: list[tuple], nation: str) -> list[tuple]:
    slugs = [slug for _, kind, slug, *_ in rows if kind == "resource"]
    if not slugs:
        return rows
    elsewhere = set(
        Resource.objects.filter(slug__in=slugs)
        .for_other_nations(nation)
        .values_list("slug", flat=True)
    )
    return sorted(rows, key=lambda row: row[1] == "resource" and row[2] in elsewhere)


def _urgent_route_first(query: str, groups: list[list[str]], hits: list[Hit]) -> list[Hit]:
    """Safety first: a search for a word the urgent route is tagged with ("abuse", "DBS",
    "hit a resident", or a synonym of one) shows the urgent route at the top."""
    urgent = _for_this_content_generation("urgent route", _urgent_route)
    if urgent is None:
        return hits
    pinned, tags = urgent
    words = {_normalise(word) for group in groups for word in group}
    asked = f" {_normalise(query)} "
    if not (tags & words or any(f" {tag} " in asked for tag in tags)):
        return hits
    return [pinned, *(hit for hit in hits if hit.url != pinned.url)]


def _urgent_route() -> tuple[Hit, set[str]] | None:
    urgent = Guide.objects.published().urgent_route().prefetch_related("tags").first()
    if urgent is None:
        return None
    hit = Hit(
        kind="guide", title=urgent.title, summary=urgent.summary, url=urgent.get_absolute_url()
    )
    return hit, {_normalise(tag.name) for tag in urgent.tags.all()}


# --- Best bets -----------------------------------------------------------------------------------


def _equivalent_queries(query: str, synonym_groups: list[list[str]]) -> set[str]:
    normalised = _normalise(query)
    equivalents = {normalised}
    for group in synonym_groups:
        if normalised in (_normalise(word) for word in group):
            equivalents |= {_normalise(word) for word in group}
    return equivalents


def best_bets_for(query: str, synonym_groups: list[list[str]]) -> list[tuple[Hit, str, str]]:
    """Editors' pinned pages for this query or any of its synonyms, in their order."""
    every_bet = _for_this_content_generation("best bets", lambda: list(BestBet.objects.all()))
    equivalents = _equivalent_queries(query, synonym_groups)
    bets = [bet for bet in every_bet if bet.query in equivalents]
    if not bets:
        return []
    entries = {
        (entry.kind, entry.slug): entry
        for entry in SearchEntry.objects.filter(slug__in={bet.slug for bet in bets})
    }
    pinned, seen = [], set()
    for bet in sorted(bets, key=lambda bet: (bet.position, bet.id)):
        entry = entries.get((bet.kind, bet.slug))
        if entry is None or (bet.kind, bet.slug) in seen:
            continue  # not published now, or pinned twice through two synonyms
        seen.add((bet.kind, bet.slug))
        hit = Hit(
            kind=entry.kind,
            title=entry.title,
            summary=bet.note or entry.summary,
            url=entry.url,
            recommended=True,
        )
        pinned.append((hit, bet.kind, bet.slug))
    return pinned


# --- Searching -----------------------------------------------------------------------------------


def search(
    query: str, *, log: bool = False, workplace: str | None = None, nation: str | None = None
) -> SearchResults:
    """Search everything readers can reach. With `log`, count the search in the query log.
    With a `nation`, resources written for other nations come after the rest."""
    synonym_groups = _for_this_content_generation("synonyms", _synonym_groups)
    groups, synonyms = term_groups(query, synonym_groups)
    results = SearchResults(query=query, synonyms_tried=synonyms)
    pinned = best_bets_for(query, synonym_groups)
    results.best_bets = [hit for hit, _, _ in pinned]
    if groups:
        synonym_words = {_normalise(word) for group in synonym_groups for word in group}
        results.corrections = corrections_for(_typo_candidates(groups, synonym_words))
        if results.corrections:
            groups = _apply_corrections(groups, results.corrections, synonym_groups)
            results.suggestion = _suggestion(query, results.corrections)
        rows = _ranked_rows(groups, any_group=False)
        any_group = not rows and len(groups) > 1
        if any_group:
            rows = _ranked_rows(groups, any_group=True)
            results.broadened = bool(rows)
        if nation:
            rows = _other_nations_last(rows, nation)
        results.hits = _urgent_route_first(
            query, groups, _hits(rows, exclude={(kind, slug) for _, kind, slug in pinned})
        )
        glossary = _rows(groups, any_group, _kinds_in(GLOSSARY), "all", MAX_GLOSSARY)
        results.glossary = _hits(glossary)
    if log:
        record_search(query, found_anything=results.found_anything)
    return results


# --- What readers looked for ---------------------------------------------------------------------

NOT_LOGGED = re.compile(r"\S+@\S+|\d")
_last_purge: dict[str, datetime.date] = {}


def loggable_query(query: str) -> str:
    """The query as the log keeps it: lower case, single spaces, without numbers or email
    addresses (which could identify someone), cut to LOGGED_QUERY_LENGTH characters."""
    text = _normalise(NOT_LOGGED.sub(" ", query.lower()))
    return text[:LOGGED_QUERY_LENGTH].rsplit(" ", 1)[0] if len(text) > LOGGED_QUERY_LENGTH else text


def record_search(query: str, *, found_anything: bool) -> None:
    """Add one to today's count for this query. The day is the finest time kept."""
    text = loggable_query(query)
    if not text:
        return
    today = timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A count lost in a crash does not matter; not waiting for the disk makes the
            # write cost a reader almost nothing.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            "INSERT INTO resources_searchqueryday (query, day, searches, found_anything) "
            "VALUES (%s, %s, 1, %s) ON CONFLICT (query, day) DO UPDATE SET "
            "searches = resources_searchqueryday.searches + 1, "
            "found_anything = excluded.found_anything",
            [text, today.isoformat(), found_anything],
        )
    # Old days are deleted as the log is written, once a day per process, so the log never
    # holds more than SEARCH_LOG_DAYS even if nobody runs purge_search_log.
    if _last_purge.get(connection.alias) != today:
        purge_search_log(today=today)
        _last_purge[connection.alias] = today


def purge_search_log(*, today: datetime.date | None = None, days: int = SEARCH_LOG_DAYS) -> int:
    """Delete counts older than `days` days; returns how many rows went. Safe to run any time."""
    today = today or timezone.localdate()
    oldest_kept = today - datetime.timedelta(days=days - 1)
    # A plain DELETE: a query log row is not content, so it must not clear readers' pages.
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM resources_searchqueryday WHERE day < %s", [oldest_kept.isoformat()]
        )
        return cursor.rowcount


def top_searches(*, days: int = 30, only_unfound: bool = False, limit: int = 50) -> list[dict]:
    """The searches made most often in the last `days` days, for the editors' report."""
    from django.db.models import Max, Min, Sum

    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    rows = SearchQueryDay.objects.filter(day__gte=since)
    if only_unfound:
        rows = rows.filter(found_anything=False)
    return list(
        rows.values("query")
        .annotate(searches=Sum("searches"), first_day=Min("day"), last_day=Max("day"))
        .order_by("-searches", "query")[:limit]
    )


# --- Keeping the index up to date ----------------------------------------------------------------


def _entry(kind: SearchKind, document: SearchDocument) -> SearchEntry:
    return SearchEntry(
        kind=kind.name,
        slug=document.slug,
        object_id=document.object_id,
        title=document.title[:200],
        summary=document.summary,
        body=document.body,
        url=document.url,
    )


def vocabulary(texts: Iterable[str]) -> set[str]:
    words: set[str] = set()
    for text in texts:
        words.update(VOCABULARY_WORD.findall(text.lower()))
    return words


def _add_words(words: set[str]) -> None:
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words)], batch_size=1000, ignore_conflicts=True
    )


def index_item(item, kind: SearchKind | None = None) -> None:
    """Bring one item's index entry up to date: added, changed, or removed if unpublished."""
    kind = kind or _kind_for_model(type(item))
    if kind is None:
        return
    document = kind.document(item)
    entries = SearchEntry.objects.filter(kind=kind.name)
    entries.filter(slug=document.slug).delete()
    if document.object_id is not None:
        # A page whose slug changed must not leave its old address in the results.
        entries.filter(object_id=document.object_id).delete()
    if kind.reachable(item):
        entry = _entry(kind, document)
        entry.save()
        _add_words(vocabulary([entry.title, entry.summary, entry.body]))


def forget_item(item, kind: SearchKind | None = None) -> None:
    kind = kind or _kind_for_model(type(item))
    if kind is None:
        return
    entries = SearchEntry.objects.filter(kind=kind.name)
    entries.filter(slug=item.slug).delete()
    if item.pk is not None:
        entries.filter(object_id=item.pk).delete()


def rebuild_index() -> int:
    """Rebuild every entry and the vocabulary; returns how many pages are searchable."""
    entries = []
    for kind in _kinds.values():
        entries += [
            _entry(kind, kind.document(item)) for item in kind.items() if kind.reachable(item)
        ]
    words = vocabulary(text for e in entries for text in (e.title, e.summary, e.body))
    words |= {word for group in _synonym_groups() for word in group if word.isalpha()}
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        SearchEntry.objects.bulk_create(entries, batch_size=500)
        SearchWord.objects.all().delete()
        _add_words(words)
    return len(entries)


def index_items(items) -> None:
    """Bring the index up to date for changed items (core.publishing calls this after every
    change): an item of a searchable kind is indexed again, and so is the owner of a part."""
    for item in items:
        for kind in _kinds.values():
            if kind.model is not None and isinstance(item, kind.model):
                index_item(item, kind)
            owners = kind.related.get(type(item))
            if owners is not None:
                for owner in owners(item):
                    if owner is not None:
                        index_item(owner, kind)


def forget_items(items) -> None:
    for item in items:
        kind = _kind_for_model(type(item))
        if kind is not None:
            forget_item(item, kind)


# --- The hub's own kinds -------------------------------------------------------------------------


def _document(item, *extra_body: str) -> SearchDocument:
    return SearchDocument(
        slug=item.slug,
        title=item.title,
        summary=item.summary,
        body="\n".join([markdown_to_text(item.body), *extra_body]),
        url=item.get_absolute_url(),
        object_id=item.pk,
    )


def _script_document(script: Script) -> SearchDocument:
    return _document(script, *(markdown_to_text(part.body) for part in script.parts.all()))


def _glossary_document(term: GlossaryTerm) -> SearchDocument:
    return SearchDocument(
        slug=term.slug,
        title=term.term,
        summary=markdown_to_text(term.definition),
        body="",
        url=term.get_absolute_url(),
        object_id=term.pk,
    )


register_search_kind(
    SearchKind(
        name="guide",
        label="Guide",
        items=lambda: Guide.objects.published(),
        document=_document,
        model=Guide,
    )
)
register_search_kind(
    SearchKind(
        name="script",
        label="Conversation script",
        items=lambda: Script.objects.published().prefetch_related("parts"),
        document=_script_document,
        model=Script,
        related={ScriptPart: lambda part: Script.objects.filter(pk=part.script_id)},
    )
)
register_search_kind(
    SearchKind(
        name="resource",
        label="Resource",
        items=lambda: Resource.objects.published(),
        document=_document,
        group=RESOURCE,
        model=Resource,
    )
)
register_search_kind(
    SearchKind(
        name="glossary",
        label="Glossary",
        items=lambda: GlossaryTerm.objects.all(),
        document=_glossary_document,
        group=GLOSSARY,
        model=GlossaryTerm,
    )
)
