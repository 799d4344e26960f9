"""Plain-English checks for any Markdown text: reading ease, long sentences and paragraphs,
likely passive voice, and HR jargon with plainer alternatives.

Readers of the hub are line managers, not HR experts. NHS.UK aims for a reading age of 9 to 11;
GOV.UK splits sentences over 25 words. The checker points at the sentences that get hard.
"""

import re
from dataclasses import asdict, dataclass, field

import textstat
from django.utils.text import slugify

from hub.rendering import GLOSSARY_LINK, markdown_to_text

LONG_SENTENCE_WORDS = 25
LONG_PARAGRAPH_SENTENCES = 5
DEFAULT_MIN_SCORE = 60
# Flesch-Kincaid gives a US school grade; UK reading age is roughly grade + 5.
READING_AGE_OFFSET = 5

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
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


@dataclass
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

    def as_dict(self) -> dict:
        return asdict(self)


def _linked_words(markdown: str) -> set[str]:
    """Words linked to the glossary in the text: their shown words and their entry's name."""
    linked = set()
    for shown, target in GLOSSARY_LINK.findall(markdown):
        linked |= {shown.strip().lower(), slugify(target or shown).replace("-", " ")}
    for shown, slug in GLOSSARY_MARKDOWN_LINK.findall(markdown):
        linked |= {shown.strip().lower(), slug.replace("-", " ")}
    return linked


def _term_pattern(term: str) -> re.Pattern:
    return re.compile(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])", re.IGNORECASE)


def sentences_of(text: str) -> list[str]:
    return [s.strip() for line in text.splitlines() for s in SENTENCE_END.split(line) if s.strip()]


def check_text(markdown: str, *, jargon: list[JargonEntry] | None = None) -> Report:
    """Check one piece of Markdown. `jargon` defaults to the editors' active jargon list."""
    if jargon is None:
        jargon = load_jargon()
    text = markdown_to_text(markdown)
    sentences = sentences_of(text)
    word_count = len(text.split())
    if word_count:
        ease = float(textstat.flesch_reading_ease(text))
        age = float(textstat.flesch_kincaid_grade(text)) + READING_AGE_OFFSET
    else:
        ease, age = 100.0, 0.0
    report = Report(reading_ease=round(ease, 1), reading_age=round(age, 1), words=word_count)

    for sentence in sentences:
        words = len(sentence.split())
        if words > LONG_SENTENCE_WORDS:
            report.findings.append(
                Finding("long-sentence", sentence, f"{words} words: split it (aim for under 20)")
            )
        passive = PASSIVE.search(sentence)
        if passive:
            report.findings.append(
                Finding(
                    "passive",
                    sentence,
                    f"“{passive.group(0)}” may be passive: say who does it",
                )
            )
    for paragraph in text.splitlines():
        count = len(sentences_of(paragraph))
        if count > LONG_PARAGRAPH_SENTENCES:
            report.findings.append(
                Finding("long-paragraph", paragraph[:120], f"{count} sentences: break it up")
            )

    linked = _linked_words(markdown)
    # Words inside a linked phrase are explained by it: "misconduct" in a linked "gross misconduct".
    linked_patterns = [_term_pattern(phrase) for phrase in sorted(linked, key=len, reverse=True)]
    unlinked_sentences = []
    for sentence in sentences:
        for linked_pattern in linked_patterns:
            sentence = linked_pattern.sub("…", sentence)
        unlinked_sentences.append(sentence)
    for entry in jargon:
        if entry.term.lower() in linked:
            continue
        pattern = _term_pattern(entry.term)
        first = next(
            (
                s
                for s, bare in zip(sentences, unlinked_sentences, strict=True)
                if pattern.search(bare)
            ),
            None,
        )
        if first is None or EXPLAINED.search(first):
            continue
        report.findings.append(
            Finding("jargon", first, f"“{entry.term}”: {entry.advice}", fails=True)
        )
    return report


def load_jargon() -> list[JargonEntry]:
    from .models import JargonTerm

    return [
        JargonEntry(term=t.term, alternative=t.alternative)
        for t in JargonTerm.objects.active().only("term", "alternative")
    ]


def reading_ease(markdown: str) -> float | None:
    text = markdown_to_text(markdown)
    return round(float(textstat.flesch_reading_ease(text)), 1) if text.split() else None
