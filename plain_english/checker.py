"""Plain-English checks for the text readers see: reading ease, each long sentence, long
paragraphs, likely passive voice, and HR jargon with plainer alternatives.

Readers of the hub are line managers, not HR experts. NHS.UK aims for a reading age of 9 to 11;
GOV.UK splits sentences over 25 words. Reading ease is an average over the page, so it can hide a
68-word sentence: every sentence is therefore also checked on its own.

Jargon is matched on word families with the Snowball stemmer ("utilise" also finds "utilising",
"facilitate" also finds "facilitation") and on phrases ("going forward", "touch base").

The checker must stay fast on the largest page an editor may save (100,000 characters of
Markdown in one field): it reads Markdown with a few regular expressions instead of rendering it,
counts syllables once per distinct word, and stems once per distinct word.
"""

import html
import os.path
import re
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import Stemmer
import textstat
from django.utils.text import slugify

from core.rendering import GLOSSARY_LINK, MAX_MARKDOWN_CHARACTERS

LONG_SENTENCE_WORDS = 25
LONG_PARAGRAPH_SENTENCES = 5
DEFAULT_MIN_SCORE = 60
# Flesch-Kincaid gives a US school grade; UK reading age is roughly grade + 5.
READING_AGE_OFFSET = 5
# A quoted sentence longer than this is cut in the report; the finding still counts its words.
QUOTE_CHARACTERS = 800

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
GLOSSARY_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\(/glossary/#?([\w-]*)\)")
IRREGULAR_PARTICIPLES = (
    "been born brought built caught chosen done drawn driven eaten fallen felt found forgotten "
    "given gone held hidden hit hurt kept known laid led left lent lost made meant met paid put "
    "read said seen sent set shown shut sold spent spoken stolen struck taken taught thought "
    "told understood woken won worn written"
).split()
PASSIVE = re.compile(
    r"\b(?:am|is|are|was|were|be|been|being|get|gets|got)\s+(?:\w+ly\s+)?"
    r"(\w+ed|" + "|".join(IRREGULAR_PARTICIPLES) + r")\b",
    re.IGNORECASE,
)
# A sentence that explains a word as it uses it: "Capability means how well...", "(... )".
EXPLAINED = re.compile(
    r"\b(means?|meaning|is when|are when|is what|is a|is an|is the|are the|this is|called|known as|"
    r"that is|in other words|for example)\b|\(|: ",
    re.IGNORECASE,
)
# Everyday words that share a stem with a jargon word: they match only when the jargon list
# names them exactly. "initial" is not "initiate"; "go forward" is not "going forward".
PLAIN_RELATIVES = frozenset(
    {
        "go", "goes", "initial", "initially", "capable", "competent", "compete", "competing",
        "competition", "competitive", "terminal", "suspense", "manager", "managers", "keep",
        "keeps", "kept",
    }
)  # fmt: skip

# Markdown, read just well enough to find blocks and sentences (rendering 100,000 characters
# to HTML and back takes over a second; this takes milliseconds).
BLOCK_START = re.compile(r"^(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+|>\s?)")
RULE = re.compile(r"^(?:[-*_]\s*){3,}$|^\|?\s*:?-{3,}")
FENCE = re.compile(r"^(?:```|~~~)")
INLINE = [
    (re.compile(r"\[\[([^\]|\n]+)(?:\|[^\]\n]+)?\]\]"), r"\1"),  # [[shown|term]]
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [text](address), images
    (re.compile(r"<[^>]{0,500}>"), " "),  # HTML tags
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"(\*\*|__|\*|(?<!\w)_|_(?!\w))"), ""),  # emphasis markers
    (re.compile(r"\s*\|\s*"), " "),  # table cells
    (re.compile(r"\s{2,}"), " "),
]


@dataclass(frozen=True)
class JargonEntry:
    term: str
    alternative: str = ""

    @property
    def advice(self) -> str:
        if self.alternative:
            return f"say “{self.alternative}” instead"
        return "explain it the first time, or link it to the glossary"


@dataclass
class Finding:
    kind: str  # long-sentence, long-paragraph, passive, jargon
    sentence: str
    message: str
    fails: bool = False
    field: str = ""  # the field's label, as the editor sees it: "Summary", "In the NHS: ..."
    key: str = ""  # the field's name in the admin form, e.g. "body" or "glosses-0-body"


@dataclass
class SentenceFindings:
    """One sentence of one field, quoted once, with every problem found in it."""

    field: str
    key: str
    sentence: str
    findings: list[Finding]

    @property
    def fails(self) -> bool:
        return any(finding.fails for finding in self.findings)


@dataclass
class Report:
    reading_ease: float
    reading_age: float
    words: int
    findings: list[Finding] = field(default_factory=list)

    def passes(self, min_score: float = DEFAULT_MIN_SCORE) -> bool:
        return self.reading_ease >= min_score and not self.failures

    @property
    def failures(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.fails]

    def by_sentence(self) -> list[SentenceFindings]:
        """The findings grouped so that each sentence of each field is quoted once."""
        groups: dict[tuple[str, str], SentenceFindings] = {}
        for finding in self.findings:
            place = (finding.key or finding.field, finding.sentence)
            if place not in groups:
                groups[place] = SentenceFindings(finding.field, finding.key, finding.sentence, [])
            groups[place].findings.append(finding)
        return list(groups.values())

    def for_key(self, key: str) -> list[SentenceFindings]:
        return [group for group in self.by_sentence() if group.key == key]

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ReaderText:
    """One piece of text readers see: a field of a page or of one of its parts."""

    key: str
    label: str
    text: str
    markdown: bool = True


# --- Words: stems and syllables, once per distinct word ----------------------------------------

_stemmers = threading.local()  # PyStemmer's stemmers are not safe to share between threads


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = Stemmer.Stemmer("english")
    return stemmer.stemWord(word)


@lru_cache(maxsize=100_000)
def syllables(word: str) -> int:
    return max(1, textstat.syllable_count(word))


def words_of(text: str) -> list[str]:
    return [word.lower().replace("’", "'") for word in WORD.findall(text)]


# --- Markdown to blocks and sentences ---------------------------------------------------------


def plain_text(markdown: str) -> str:
    """The words readers see in a Markdown field, one block (paragraph, heading, list item) per
    line. Headings and list items often have no full stop; one is added so that each counts as
    its own sentence rather than running into the next."""
    blocks: list[str] = []
    current: list[str] = []

    def flush():
        if current:
            blocks.append(" ".join(current))
            current.clear()

    in_fence = False
    for raw in markdown.splitlines():
        line = raw.strip()
        if FENCE.match(line):
            in_fence = not in_fence
            flush()
            continue
        if not line or RULE.match(line):
            flush()
            continue
        if line.startswith("|") and not in_fence:
            # A table row: each cell is read on its own, as readers scan a table.
            flush()
            blocks.extend(cell.strip() for cell in line.strip("|").split("|") if cell.strip())
            continue
        marker = BLOCK_START.match(line)
        if marker or in_fence:
            flush()
            line = line[marker.end() :] if marker else line
            heading = marker is not None and marker.group(0).startswith("#")
            current.append(line)
            if heading or in_fence:
                flush()
            continue
        current.append(line)
    flush()

    lines = []
    for block in blocks:
        for pattern, replacement in INLINE:
            block = pattern.sub(replacement, block)
        block = html.unescape(block).strip()
        if block:
            lines.append(block if block[-1] in ".!?:;" else f"{block}.")
    return "\n".join(lines)


def sentences_of(text: str) -> list[str]:
    return [s.strip() for line in text.splitlines() for s in SENTENCE_END.split(line) if s.strip()]


def quote(sentence: str) -> str:
    if len(sentence) <= QUOTE_CHARACTERS:
        return sentence
    return sentence[: QUOTE_CHARACTERS - 1].rsplit(" ", 1)[0] + "…"


# --- Jargon -----------------------------------------------------------------------------------


class JargonMatcher:
    """Finds jargon terms in a list of words, by word family: each word of a term matches any word
    with the same Snowball stem, except the everyday words in PLAIN_RELATIVES."""

    def __init__(self, entries: Iterable[JargonEntry]):
        self.entries = list(entries)
        self.by_first_stem: dict[str, list[tuple[tuple[str, ...], JargonEntry]]] = {}
        for entry in self.entries:
            words = tuple(words_of(entry.term))
            if words:
                self.by_first_stem.setdefault(stem(words[0]), []).append((words, entry))

    @staticmethod
    def _same_family(word: str, term_word: str) -> bool:
        return word == term_word or (word not in PLAIN_RELATIVES and stem(word) == stem(term_word))

    def find(self, words: list[str]) -> list[tuple[int, int, JargonEntry]]:
        """(start, end, entry) for each term found. Where terms overlap the longest wins, and
        among a family ("utilise", "utilisation") the one written exactly, else the closest
        ("utilising" is "utilise")."""
        found, index = [], 0
        while index < len(words):
            best, best_rank = None, None
            for term_words, entry in self.by_first_stem.get(stem(words[index]), ()):
                end = index + len(term_words)
                written = words[index:end]
                if end <= len(words) and all(
                    self._same_family(word, term_word)
                    for word, term_word in zip(written, term_words, strict=True)
                ):
                    pairs = list(zip(written, term_words, strict=True))
                    exact = sum(a == b for a, b in pairs)
                    shared = sum(len(os.path.commonprefix(pair)) for pair in pairs)
                    shortest = -sum(len(word) for word in term_words)
                    rank = (len(term_words), exact, shared, shortest)
                    if best_rank is None or rank > best_rank:
                        best, best_rank = (index, end, entry), rank
            if best is None:
                index += 1
            else:
                found.append(best)
                index = best[1]
        return found


def _linked_phrases(markdown: str) -> list[JargonEntry]:
    """Words linked to the glossary in the text, and the names of the entries they link to."""
    linked = set()
    for shown, target in GLOSSARY_LINK.findall(markdown):
        linked |= {shown.strip().lower(), slugify(target or shown).replace("-", " ")}
    for shown, slug in GLOSSARY_MARKDOWN_LINK.findall(markdown):
        linked |= {shown.strip().lower(), slug.replace("-", " ")}
    return [JargonEntry(phrase) for phrase in linked if phrase]


def _unlinked_words(words: list[str], linked: JargonMatcher) -> list[str]:
    """The words of a sentence with glossary-linked phrases blanked out: "misconduct" inside a
    linked "gross misconduct" is explained by the link."""
    words = list(words)
    for start, end, _ in linked.find(words):
        words[start:end] = ["…"] * (end - start)
    return words


# --- Checking ---------------------------------------------------------------------------------


@dataclass
class _Counts:
    words: int = 0
    sentences: int = 0
    syllables: int = 0

    def add(self, words: list[str], sentence_count: int) -> None:
        self.words += len(words)
        self.sentences += sentence_count
        self.syllables += sum(syllables(word) for word in words)

    def reading_ease(self) -> tuple[float, float]:
        """Flesch reading ease and a UK reading age, as textstat counts them."""
        if not self.words:
            return 100.0, 0.0
        per_sentence = self.words / max(1, self.sentences)
        per_word = self.syllables / self.words
        ease = 206.835 - 1.015 * per_sentence - 84.6 * per_word
        grade = 0.39 * per_sentence + 11.8 * per_word - 15.59
        return round(ease, 1), round(grade + READING_AGE_OFFSET, 1)


@dataclass
class _Piece:
    """One text, read into sentences and words, before its jargon is checked."""

    source: ReaderText
    sentences: list[str]
    words: list[list[str]]
    linked: JargonMatcher


def _read(piece: ReaderText, counts: _Counts, findings: list[Finding]) -> _Piece:
    """Split one text into sentences, count it for reading ease and check each sentence's length
    and voice. Jargon needs the whole page first (see check_texts)."""
    # A longer field is refused when saved; checking only what it may hold keeps this quick.
    written = piece.text[:MAX_MARKDOWN_CHARACTERS]
    text = plain_text(written) if piece.markdown else " ".join(written.split())
    where = {"field": piece.label, "key": piece.key}
    sentences = []
    for paragraph in text.splitlines():
        in_paragraph = sentences_of(paragraph)
        sentences += in_paragraph
        if len(in_paragraph) > LONG_PARAGRAPH_SENTENCES:
            findings.append(
                Finding(
                    "long-paragraph",
                    quote(paragraph[:120]),
                    f"{len(in_paragraph)} sentences: break it up",
                    **where,
                )
            )
    words_by_sentence = [words_of(sentence) for sentence in sentences]
    # textstat does not count "sentences" of one or two words, such as headings.
    counts.add(
        [word for words in words_by_sentence for word in words],
        max(1, sum(1 for words in words_by_sentence if len(words) > 2)),
    )
    for sentence in sentences:
        count = len(sentence.split())
        if count > LONG_SENTENCE_WORDS:
            findings.append(
                Finding(
                    "long-sentence",
                    quote(sentence),
                    f"{count} words: split it (aim for under 20)",
                    fails=True,
                    **where,
                )
            )
        passive = PASSIVE.search(sentence)
        if passive:
            findings.append(
                Finding(
                    "passive",
                    quote(sentence),
                    f"“{passive.group(0)}” may be passive: say who does it",
                    **where,
                )
            )
    linked = JargonMatcher(_linked_phrases(written) if piece.markdown else [])
    return _Piece(piece, sentences, words_by_sentence, linked)


def _check_jargon(pieces: list[_Piece], matcher: JargonMatcher, findings: list[Finding]) -> None:
    """The first use of a jargon word in each field is flagged, because readers meet fields on
    their own: a summary in a list, a gloss for their own workplace.

    A word with a plainer alternative ("utilise": "use") is flagged wherever it is used: the
    plainer word is always better. A word that has to be explained ("capability") is fine once
    the page explains it or links it to the glossary anywhere, since a title or a one-line note
    cannot."""
    uses = []  # (piece, sentence, entry, explained here)
    explained_on_page: set[str] = set()
    for piece in pieces:
        seen = set()
        linked_terms = {
            tuple(stem(word) for word in words_of(entry.term)) for entry in piece.linked.entries
        }
        for sentence, words in zip(piece.sentences, piece.words, strict=True):
            for _, _, entry in matcher.find(_unlinked_words(words, piece.linked)):
                if entry.term in seen:
                    continue
                seen.add(entry.term)
                explained = bool(EXPLAINED.search(sentence))
                if explained:
                    explained_on_page.add(entry.term)
                uses.append((piece, sentence, entry, explained))
        for entry in matcher.entries:
            if tuple(stem(word) for word in words_of(entry.term)) in linked_terms:
                explained_on_page.add(entry.term)
    for piece, sentence, entry, _ in uses:
        if not entry.alternative and entry.term in explained_on_page:
            continue
        findings.append(
            Finding(
                "jargon",
                quote(sentence),
                f"“{entry.term}”: {entry.advice}",
                fails=True,
                field=piece.source.label,
                key=piece.source.key,
            )
        )


def check_texts(
    texts: Iterable[ReaderText], *, jargon: list[JargonEntry] | JargonMatcher | None = None
) -> Report:
    """Check every text of one page. Reading ease is for the page as a whole; every other
    finding names its field and quotes its sentence."""
    if not isinstance(jargon, JargonMatcher):
        jargon = JargonMatcher(load_jargon() if jargon is None else jargon)
    counts, findings = _Counts(), []
    pieces = [_read(piece, counts, findings) for piece in texts if piece.text.strip()]
    _check_jargon(pieces, jargon, findings)
    ease, age = counts.reading_ease()
    return Report(reading_ease=ease, reading_age=age, words=counts.words, findings=findings)


def check_text(
    markdown: str,
    *,
    jargon: list[JargonEntry] | JargonMatcher | None = None,
    label: str = "",
    key: str = "",
) -> Report:
    """Check one piece of Markdown. `jargon` defaults to the editors' active jargon list."""
    return check_texts([ReaderText(key, label, markdown)], jargon=jargon)


def load_jargon() -> list[JargonEntry]:
    from .models import JargonTerm

    return [
        JargonEntry(term=t.term, alternative=t.alternative)
        for t in JargonTerm.objects.active().only("term", "alternative")
    ]


def warm_up() -> None:
    """Load the pronouncing dictionary (over a second) and the stemmer before the first request
    needs them, so no editor waits for them."""
    check_texts([ReaderText("", "", "Warm up the checker now.")], jargon=[JargonEntry("check")])


def reading_ease(markdown: str) -> float | None:
    """Flesch reading ease of some Markdown, or None when it has no words."""
    report = check_texts([ReaderText("", "", markdown)], jargon=[])
    return report.reading_ease if report.words else None
