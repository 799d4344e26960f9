"""Reading a linked page safely, and fingerprinting its main text to notice when it changes."""

from __future__ import annotations

import hashlib
import html
import re
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote

MAX_BODY_BYTES = 2 * 1024 * 1024

# Parts of a page that change without its content changing: code, menus, banners, footers.
NOT_MAIN_TEXT = ["script", "style", "noscript", "template", "svg", "nav", "header", "footer"]
SKIPPED_TAGS = frozenset(NOT_MAIN_TEXT)
FINGERPRINT_VERSION = "v2"


class BoundedDecoder:
    """Undoes a Content-Encoding without ever producing more than we asked for.

    httpx decompresses each network chunk in full, so one 64 KB chunk of a gzip bomb can
    become tens of megabytes before anyone counts it. zlib's max_length stops that here.
    Encodings we do not ask for (br, zstd) are passed through undecoded.
    """

    def __init__(self, content_encoding: str):
        encoding = content_encoding.strip().lower()
        if encoding in {"gzip", "x-gzip"}:
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        else:
            self._zlib = None
        self._raw_deflate_tried = encoding != "deflate"

    def decode(self, data: bytes, room: int) -> bytes:
        """At most `room` bytes of decoded output for `data`; what does not fit is dropped."""
        if self._zlib is None:
            return data[:room]
        try:
            return self._zlib.decompress(data, room)
        except zlib.error:
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            if self._raw_deflate_tried:
                raise
            self._raw_deflate_tried = True
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._zlib.decompress(data, room)


async def read_limited(response, *, limit: int = MAX_BODY_BYTES) -> tuple[bytes, bool]:
    """The decoded body of an httpx streaming response, cut off after `limit` bytes."""
    return await read_stream_limited(
        response.aiter_raw(),
        content_encoding=response.headers.get("content-encoding", ""),
        limit=limit,
    )


async def read_stream_limited(
    chunks: AsyncIterator[bytes], *, content_encoding: str, limit: int = MAX_BODY_BYTES
) -> tuple[bytes, bool]:
    """A body read from its raw chunks and decoded, cut off after `limit` bytes.

    Returns the body and whether it was cut off. Raw bytes are capped at `limit` too, so an
    endless body is never read further than a harmless one.
    """
    decoder = BoundedDecoder(content_encoding)
    parts: list[bytes] = []
    size = raw_size = 0
    async for chunk in chunks:
        raw_size += len(chunk)
        try:
            decoded = decoder.decode(chunk, limit + 1 - size)
        except zlib.error:
            return b"".join(parts), True
        parts.append(decoded)
        size += len(decoded)
        if size > limit or raw_size > limit:
            return b"".join(parts)[:limit], True
    return b"".join(parts), False


class _MainTextParser(HTMLParser):
    """Collects a page's text in one pass: inside the first <main>, inside <body>, and in
    all, leaving out everything within NOT_MAIN_TEXT."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.main_depth = 0
        self.main_seen = self.main_done = self.body_seen = self.in_body = False
        self.main: list[str] = []
        self.body: list[str] = []
        self.everything: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "main" and not self.main_done:
            self.main_depth += 1
            self.main_seen = True
        elif tag == "body":
            self.body_seen = self.in_body = True

    def handle_startendtag(self, tag, attrs):
        pass  # <svg/> and the like hold no text

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "main" and self.main_depth:
            self.main_depth -= 1
            self.main_done = not self.main_depth
        elif tag == "body":
            self.in_body = False

    def handle_data(self, data):
        if self.skipping:
            return
        self.everything.append(data)
        if self.in_body:
            self.body.append(data)
        if self.main_depth:
            self.main.append(data)


def main_text(html: bytes, *, charset: str | None = None) -> str:
    """The words a reader comes for: <main> (or <body>) without scripts, menus and the like,
    whitespace collapsed."""
    try:
        text = html.decode(charset or "utf-8", errors="replace")
    except LookupError:
        text = html.decode("utf-8", errors="replace")
    parser = _MainTextParser()
    parser.feed(text)
    parser.close()
    if parser.main_seen:
        parts = parser.main
    else:
        parts = parser.body if parser.body_seen else parser.everything
    return " ".join(" ".join(parts).split())


def read_page(
    body: bytes, *, content_type: str = "", charset: str | None = None
) -> tuple[str, str | None]:
    """The page's fingerprint, and for HTML its main text (None for anything else).

    The fingerprint is SHA-256 of the main text for HTML; of the bytes themselves for anything
    else; with the version of this method in front (see same_method)."""
    kind = content_type.split(";")[0].strip().lower()
    text = None
    if kind in {"text/html", "application/xhtml+xml"} or (
        not kind and b"<html" in body[:1024].lower()
    ):
        text = main_text(body, charset=charset)
        body = text.encode()
    return f"{FINGERPRINT_VERSION}:{hashlib.sha256(body).hexdigest()}", text


def page_fingerprint(body: bytes, *, content_type: str = "", charset: str | None = None) -> str:
    """See read_page."""
    return read_page(body, content_type=content_type, charset=charset)[0]


def read_watched_page(
    body: bytes, *, content_type: str = "", charset: str | None = None, text_held: str = ""
) -> tuple[str, bytes]:
    """A watched page's fingerprint, and its main text packed for keeping (see pack_text)
    unless the text we hold already has this fingerprint (`text_held`), or it is not HTML."""
    fingerprint, text = read_page(body, content_type=content_type, charset=charset)
    if text is None or fingerprint == text_held:
        return fingerprint, b""
    return fingerprint, pack_text(text)


# Texts shorter than this are kept as they are: setting up compression costs more time than
# it saves room (tens of microseconds each, on the event loop, for thousands of pages).
PACK_FROM_BYTES = 1024
_AS_IS = b"\x00"  # zlib's output never starts with a zero byte


def pack_text(text: str) -> bytes:
    """A page's main text for keeping: compressed (a third or less of its size) when long."""
    data = text.encode()
    if len(data) < PACK_FROM_BYTES:
        return _AS_IS + data
    return zlib.compress(data, 6)


def unpack_text(packed: bytes) -> str:
    packed = bytes(packed)
    data = packed[1:] if packed[:1] == _AS_IS else zlib.decompress(packed)
    return data.decode(errors="replace")


def same_method(fingerprint: str, other: str) -> bool:
    """Whether two fingerprints were made the same way, so that a difference means the page
    changed. Version 1 (a bare SHA-256) read pages with BeautifulSoup; version 2 reads them
    with the standard library's parser, five times as fast, and may split text differently."""

    def version(value: str) -> str:
        return value.partition(":")[0] if ":" in value else "v1"

    return version(fingerprint) == version(other)


# Words a "soft 404" uses: a page that answers 200 but says, in its title or main heading,
# that what was asked for is not there.
NOT_FOUND_WORDING = re.compile(
    r"\b(?:page|file|document|content)s?\s+(?:was\s+|is\s+)?not\s+found\b"
    r"|^\s*(?:error\s+)?404\b|\b404\s*(?:error|page|-|:|\|)|\berror\s+404\b|^\s*not\s+found\b"
    r"|\b(?:cannot|can\W?t|could\s+not|couldn\W?t)\s+(?:be\s+)?find\s+(?:the|that|this)\s+page\b"
    r"|\b(?:cannot|can\W?t|could\s+not|couldn\W?t)\s+be\s+found\b"
    r"|\bpage\s+(?:does\s+not|doesn\W?t)\s+exist\b|\bpage\s+(?:is\s+)?no\s+longer\s+available\b",
    re.IGNORECASE,
)


@dataclass(kw_only=True)
class PageSignals:
    """What a page says about itself: its title, its first main heading, and the names its
    parts can be linked to (`id` on any element, `name` on <a>)."""

    title: str = ""
    heading: str = ""
    anchors: set[str] = field(default_factory=set)

    def says_not_found(self) -> str:
        """Why the page looks like a "page not found" page, or "" when it does not."""
        if self.title and NOT_FOUND_WORDING.search(self.title):
            return f"the page's title says “{self.title[:120]}”"
        if self.heading and NOT_FOUND_WORDING.search(self.heading):
            return f"the page's main heading says “{self.heading[:120]}”"
        return ""


class _AnchorParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (name == "id" or (name == "name" and tag == "a")):
                self.anchors.add(value)


TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
HEADING = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]*>")
# Where a page's own markup ends and scripts' strings could begin to look like headings.
NOT_MARKUP = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _text_of(match: re.Match | None) -> str:
    if match is None:
        return ""
    return " ".join(html.unescape(TAG.sub(" ", match.group(1))).split())


def page_signals(body: bytes, *, charset: str | None = None, anchors: bool = False) -> PageSignals:
    """Title and main heading of an HTML page, and with `anchors` the names of its parts
    (see PageSignals). Titles and headings are found by pattern, which is many times quicker
    than parsing the page and is what a plain link needs; anchors need the parser."""
    try:
        text = body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    markup = NOT_MARKUP.sub(" ", text) if "<script" in text or "<style" in text else text
    signals = PageSignals(
        title=_text_of(TITLE.search(markup)), heading=_text_of(HEADING.search(markup))
    )
    if anchors:
        parser = _AnchorParser()
        parser.feed(text)
        parser.close()
        signals.anchors = parser.anchors
    return signals


def fragment_found(fragment: str, anchors: set[str]) -> bool:
    """Whether `#fragment` names a part of a page with these anchors. An empty fragment and
    "top" mean the top of the page; a text fragment (#:~:text=) is for browsers to find."""
    if not fragment or fragment.lower() == "top" or fragment.startswith(":~:"):
        return True
    return fragment in anchors or unquote(fragment) in anchors
