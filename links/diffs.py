"""What changed in a page's text, word by word, for editors to read side by side.

Texts are compared a sentence at a time first, then word by word inside the sentences that
changed, so a long page costs little to compare. Unchanged stretches are cut down to a few
words either side of each change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Words shown either side of a change.
CONTEXT_WORDS = 12
SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


@dataclass(frozen=True)
class Passage:
    """One place where the text changed: before and after as HTML, with <del> and <ins>."""

    before: SafeString
    after: SafeString
    removed: int
    added: int


@dataclass(frozen=True)
class Gap:
    """Words that are the same in both, left out."""

    words: int


@dataclass(frozen=True)
class WordDiff:
    parts: list[Passage | Gap]

    @property
    def passages(self) -> list[Passage]:
        return [part for part in self.parts if isinstance(part, Passage)]

    @property
    def removed(self) -> int:
        return sum(passage.removed for passage in self.passages)

    @property
    def added(self) -> int:
        return sum(passage.added for passage in self.passages)


def _sentences(text: str) -> list[list[str]]:
    return [sentence.split() for sentence in SENTENCE_END.split(text) if sentence.strip()]


def word_opcodes(old: str, new: str) -> tuple[list[str], list[str], list[tuple]]:
    """The words of each text, and difflib opcodes that turn the old words into the new."""
    old_sentences, new_sentences = _sentences(old), _sentences(new)
    old_words = [word for sentence in old_sentences for word in sentence]
    new_words = [word for sentence in new_sentences for word in sentence]
    old_at = _offsets(old_sentences)
    new_at = _offsets(new_sentences)
    opcodes: list[tuple] = []

    def add(tag, i1, i2, j1, j2):
        if i1 == i2 and j1 == j2:
            return
        if opcodes and opcodes[-1][0] == tag:
            last = opcodes.pop()
            opcodes.append((tag, last[1], i2, last[3], j2))
        else:
            opcodes.append((tag, i1, i2, j1, j2))

    by_sentence = SequenceMatcher(
        None, [" ".join(s) for s in old_sentences], [" ".join(s) for s in new_sentences], False
    )
    for tag, a1, a2, b1, b2 in by_sentence.get_opcodes():
        i1, i2, j1, j2 = old_at[a1], old_at[a2], new_at[b1], new_at[b2]
        if tag != "replace":
            add(tag, i1, i2, j1, j2)
            continue
        by_word = SequenceMatcher(None, old_words[i1:i2], new_words[j1:j2], False)
        for inner, x1, x2, y1, y2 in by_word.get_opcodes():
            add(inner, i1 + x1, i1 + x2, j1 + y1, j1 + y2)
    return old_words, new_words, opcodes


def _offsets(sentences: list[list[str]]) -> list[int]:
    offsets = [0]
    for sentence in sentences:
        offsets.append(offsets[-1] + len(sentence))
    return offsets


def _words(words: list[str]) -> str:
    return " ".join(words)


def _marked(tag: str, label: str, words: list[str]) -> SafeString:
    # The hidden words tell screen reader users what sighted readers see as strike-through
    # and underline; neither is shown by colour alone.
    return format_html(
        '<{tag}><span class="visually-hidden">[{label}: </span>{words}'
        '<span class="visually-hidden">]</span></{tag}>',
        tag=mark_safe(tag),  # noqa: S308 - "del" or "ins", never from input
        label=label,
        words=_words(words),
    )


def word_diff(old: str, new: str, *, context: int = CONTEXT_WORDS) -> WordDiff:
    """The changes between two texts, each with `context` unchanged words either side."""
    old_words, new_words, opcodes = word_opcodes(old, new)
    parts: list[Passage | Gap] = []
    before: list[SafeString | str] = []
    after: list[SafeString | str] = []
    removed = added = 0

    def close() -> None:
        nonlocal before, after, removed, added
        if removed or added:
            parts.append(
                Passage(
                    before=format_html_join(" ", "{}", ((piece,) for piece in before if piece)),
                    after=format_html_join(" ", "{}", ((piece,) for piece in after if piece)),
                    removed=removed,
                    added=added,
                )
            )
        before, after, removed, added = [], [], 0, 0

    last_index = len(opcodes) - 1
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = old_words[i1:i2]
            first, last = index == 0, index == last_index
            if first and last:
                break  # nothing changed
            lead = [] if first else words[:context]
            tail = [] if last else words[-context:]
            if not first and not last and len(words) <= 2 * context:
                before.append(_words(words))
                after.append(_words(words))
                continue
            before.append(_words(lead))
            after.append(_words(lead))
            close()
            if left_out := len(words) - len(lead) - len(tail):
                parts.append(Gap(words=left_out))
            before.append(_words(tail))
            after.append(_words(tail))
            continue
        if i2 > i1:
            before.append(_marked("del", "removed", old_words[i1:i2]))
            removed += i2 - i1
        if j2 > j1:
            after.append(_marked("ins", "added", new_words[j1:j2]))
            added += j2 - j1
    close()
    return WordDiff(parts=parts)
