"""Reading a linked page safely, and fingerprinting its main text to notice when it changes."""

from __future__ import annotations

import hashlib
import zlib

from bs4 import BeautifulSoup

MAX_BODY_BYTES = 2 * 1024 * 1024

# Parts of a page that change without its content changing: code, menus, banners, footers.
NOT_MAIN_TEXT = ["script", "style", "noscript", "template", "svg", "nav", "header", "footer"]


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
    """The decoded body of an httpx streaming response, cut off after `limit` bytes.

    Returns the body and whether it was cut off. Raw bytes are capped at `limit` too, so an
    endless body is never read further than a harmless one.
    """
    decoder = BoundedDecoder(response.headers.get("content-encoding", ""))
    parts: list[bytes] = []
    size = raw_size = 0
    async for chunk in response.aiter_raw():
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


def main_text(html: bytes, *, charset: str | None = None) -> str:
    """The words a reader comes for: <main> (or <body>) without scripts, menus and the like,
    whitespace collapsed."""
    soup = BeautifulSoup(html, "html.parser", from_encoding=charset)
    for tag in soup(NOT_MAIN_TEXT):
        tag.decompose()
    root = soup.find("main") or soup.body or soup
    return " ".join(root.get_text(" ").split())


def page_fingerprint(body: bytes, *, content_type: str = "", charset: str | None = None) -> str:
    """SHA-256 of the page's main text for HTML; of the bytes themselves for anything else."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in {"text/html", "application/xhtml+xml"} or (
        not kind and b"<html" in body[:1024].lower()
    ):
        body = main_text(body, charset=charset).encode()
    return hashlib.sha256(body).hexdigest()
