"""A real HTTP server on 127.0.0.1 for the link checker: every kind of answer it meets.

Nothing is mocked: the checker talks HTTP over a socket to a server thread. The server records
what it was asked (method, path, headers, time) and the most requests it had in flight at once.
"""

from __future__ import annotations

import contextlib
import gzip
import select
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Hit:
    method: str
    path: str
    headers: dict
    at: float


class RecordingServer(ThreadingHTTPServer):
    """A threaded server that keeps quiet about clients hanging up and counts requests."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler):
        super().__init__(address, handler)
        # What a hit's time is read from; a test can give the checker's own clock.
        self.clock: Callable[[], float] = time.monotonic
        self.lock = threading.Lock()
        self.hits: list[Hit] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.connections = 0

    def handle_error(self, request, client_address):
        pass  # a client that hangs up mid-answer is what several tests are about

    def process_request(self, request, client_address):
        with self.lock:
            self.connections += 1
        super().process_request(request, client_address)

    def record(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """Counts a request as in flight while the server works on it. Answers are sent after
        this ends, so a client's next request can never be counted as overlapping."""
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            yield
        finally:
            with self.lock:
                self.in_flight -= 1


@contextlib.contextmanager
def running(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def html(main: str, *, noise: str = "") -> bytes:
    return (
        "<!doctype html><html><head><title>Page</title>"
        f"<script>var built = '{noise}';</script><style>p {{}}</style></head>"
        f"<body><header>Site banner {noise}</header><nav>Menu {noise}</nav>"
        f"<main><h1>Guidance</h1>\n\n<p>{main}</p>   </main>"
        f"<footer>Footer {noise}</footer></body></html>"
    ).encode()


class LinkCheckHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LinkServer

    def log_message(self, format, *args):
        pass

    def do_HEAD(self):
        self.route()

    def do_GET(self):
        self.route()

    def route(self):
        self.server.record(Hit(self.command, self.path, dict(self.headers), self.server.clock()))
        self.requests_on_connection = getattr(self, "requests_on_connection", 0) + 1
        self.answer_later = None
        with self.server.busy():
            handler = self.server.routes.get(self.path.split("?")[0], LinkCheckHandler.not_found)
            handler(self)
        if self.answer_later:
            self.answer_later()

    # --- answers ----------------------------------------------------------------------------
    def send(self, status: int, body: bytes = b"", headers: dict | None = None):
        self.send_response(status)
        headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, status: int, location: str):
        self.send(status, b"", {"Location": location})

    def not_found(self):
        self.send(404, html("Not here"))

    def ok(self):
        self.send(200, html("A working page"))

    def gone(self):
        self.send(410, html("Gone for good"))

    def error(self):
        self.send(500, html("Something went wrong"))

    def no_head(self):
        if self.command == "HEAD":
            self.send(405, b"", {"Allow": "GET"})
        else:
            self.send(200, html("Only GET works here"))

    def busy(self):
        self.send(429, b"", {"Retry-After": "1"})

    def busy_once(self):
        first = sum(hit.path == self.path for hit in self.server.hits) == 1
        if first:
            self.send(429, b"", {"Retry-After": "1"})
        else:
            self.send(200, html("Ready now"))

    def unavailable(self):
        self.send(503, b"")

    def busy_until(self):
        """429 the first time, asking to come back at a time given as an HTTP date (in 2 s)."""
        from email.utils import formatdate

        first = sum(hit.path == self.path for hit in self.server.hits) == 1
        if first:
            self.send(429, b"", {"Retry-After": formatdate(time.time() + 2, usegmt=True)})
        else:
            self.send(200, html("Ready now"))

    def slow(self):
        """Answers after `server.slow_seconds`, unless the client gives up first."""
        give_up_at = time.monotonic() + self.server.slow_seconds
        while time.monotonic() < give_up_at:
            readable, _, _ = select.select([self.connection], [], [], 0.02)
            if readable and not self.connection.recv(1, socket.MSG_PEEK):
                self.close_connection = True
                return
        self.send(200, html("Too late"))

    def pause(self):
        """A working page that takes 0.2 s, like the benchmark's."""
        time.sleep(0.2)
        self.answer_later = lambda: self.send(200, html("Worth the wait"))

    def endless(self):
        """200 and a body that never ends; counts what it managed to send."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        chunk = b"<p>" + b"more " * 2000 + b"</p>\n"
        while True:
            self.wfile.write(chunk)
            with self.server.lock:
                self.server.endless_bytes_sent += len(chunk)

    def bomb(self):
        """About 1 GB of zeros, gzip-compressed to about 1 MB, made as it is sent."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        zeros = b"\0" * (1024 * 1024)
        for _ in range(1024):
            self.wfile.write(compressor.compress(zeros))
        self.wfile.write(compressor.flush())

    def reset(self):
        """Slam the connection shut (TCP RST) without answering."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def changing(self):
        """A page whose text is at version `server.page_version`, with an ETag to match."""
        etag = f'"v{self.server.page_version}"'
        if self.headers.get("If-None-Match") == etag:
            self.send(304, b"", {"ETag": etag})
        else:
            body = html(f"Rules, version {self.server.page_version}.")
            self.send(200, body, {"ETag": etag})

    def policy(self):
        """A page whose main text is `server.policy`, with an ETag that changes with it."""
        etag = f'"{zlib.crc32(self.server.policy.encode())}"'
        if self.headers.get("If-None-Match") == etag:
            self.send(304, b"", {"ETag": etag})
        else:
            self.send(200, html(self.server.policy), {"ETag": etag})

    def noisy(self):
        """The same words each time, but scripts, menus and banners change on every request."""
        self.send(200, html("Steady words.", noise=str(time.monotonic_ns())))

    def gzipped(self):
        self.send(200, gzip.compress(html("Compressed words")), {"Content-Encoding": "gzip"})

    def with_parts(self):
        """A page whose parts can be linked to: #eligibility (an id) and #how-to-claim (a
        named anchor)."""
        body = (
            "<!doctype html><html><head><title>Sick pay</title></head><body><main>"
            '<h1>Sick pay</h1><h2 id="eligibility">Who can get it</h2>'
            '<a name="how-to-claim"></a><p>How to claim.</p></main></body></html>'
        )
        self.send(200, body.encode())

    def says_not_found_in_title(self):
        body = "<html><head><title>Page not found - Example</title></head><body><p>Sorry.</p>"
        self.send(200, body.encode())

    def says_not_found_in_heading(self):
        body = (
            "<html><head><title>Example Council</title></head><body><main>"
            "<h1>Sorry, we can&#39;t find that page</h1></main></body></html>"
        )
        self.send(200, body.encode())

    def closes_when_reused(self):
        """Answers the first request on a connection; hangs up on the next, as a server
        that closes an idle connection just as the client sends on it."""
        if self.requests_on_connection > 1:
            self.close_connection = True
        else:
            self.send(200, html("Fresh connection"))

    def raw(self, answer: bytes):
        """Writes `answer` as it is, however broken, and hangs up."""
        self.wfile.write(answer)
        self.wfile.flush()
        self.close_connection = True

    def finish(self):
        with contextlib.suppress(OSError, ValueError):
            super().finish()


class LinkServer(RecordingServer):
    """127.0.0.1 (or ::1) on a free port, answering the paths in ROUTES."""

    def __init__(self, host: str = "127.0.0.1"):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.host = host
        super().__init__((host, 0), LinkCheckHandler)
        self.slow_seconds = 3.0
        self.page_version = 1
        self.policy = "Sick pay starts on day four."
        self.endless_bytes_sent = 0
        port = self.server_address[1]
        h = LinkCheckHandler
        redirects: dict[str, Callable] = {
            "/moved-1": lambda r: r.redirect(301, "/moved-2"),
            "/moved-2": lambda r: r.redirect(301, f"http://127.0.0.1:{port}/moved-3"),
            "/moved-3": lambda r: r.redirect(308, "new-home"),
            "/new-home": h.ok,
            "/temporary": lambda r: r.redirect(302, "/ok"),
            "/loop-a": lambda r: r.redirect(302, "/loop-b"),
            "/loop-b": lambda r: r.redirect(307, "/loop-a"),
            "/to-other-host": lambda r: r.redirect(302, f"http://127.0.0.2:{port}/ok"),
            "/to-ftp": lambda r: r.redirect(301, "ftp://example.org/file.pdf"),
            "/guidance/old/sick-pay": lambda r: r.redirect(301, "/"),
            "/guidance/retired": lambda r: r.redirect(302, f"http://127.0.0.1:{port}/en-gb/"),
            "/to-nat64": lambda r: r.redirect(302, f"http://[64:ff9b::7f00:1]:{port}/ok"),
            "/to-6to4": lambda r: r.redirect(302, f"http://[2002:7f00:1::]:{port}/ok"),
        }
        broken: dict[str, bytes] = {
            "/huge-header": b"HTTP/1.1 200 OK\r\nX-Padding: "
            + b"a" * 200_000
            + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            "/huge-location": b"HTTP/1.1 301 Moved Permanently\r\nLocation: /"
            + b"a" * 100_000
            + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            "/long-location": b"HTTP/1.1 301 Moved Permanently\r\nLocation: /"
            + b"a" * 5_000
            + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            "/bad-location": b"HTTP/1.1 301 Moved Permanently\r\nLocation: http://[nope/"
            b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            "/not-http": b"HELLO THERE\r\n\r\n",
            "/bad-header-line": b"HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 0\r\n\r\n",
            "/hang-up": b"",
            "/short-body": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            b"Content-Length: 100\r\n\r\nabc",
        }
        for path, answer in broken.items():
            redirects[path] = lambda r, answer=answer: r.raw(answer)
        for n in range(12):
            redirects[f"/hop-{n}"] = lambda r, n=n: r.redirect(302, f"/hop-{n + 1}")
        redirects["/hop-12"] = h.ok
        self.routes: dict[str, Callable] = {
            "/ok": h.ok,
            "/missing": h.not_found,
            "/gone": h.gone,
            "/error": h.error,
            "/no-head": h.no_head,
            "/busy": h.busy,
            "/busy-once": h.busy_once,
            "/unavailable": h.unavailable,
            "/busy-until": h.busy_until,
            "/slow": h.slow,
            "/pause": h.pause,
            "/endless": h.endless,
            "/bomb": h.bomb,
            "/reset": h.reset,
            "/changing": h.changing,
            "/policy": h.policy,
            "/noisy": h.noisy,
            "/gzipped": h.gzipped,
            "/": h.ok,
            "/en-gb/": h.ok,
            "/with-parts": h.with_parts,
            "/closes-when-reused": h.closes_when_reused,
            "/soft-404-title": h.says_not_found_in_title,
            "/soft-404-heading": h.says_not_found_in_heading,
            **redirects,
        }

    def url(self, path: str) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.server_address[1]}{path}"

    def hits_for(self, path: str) -> list[Hit]:
        with self.lock:
            return [hit for hit in self.hits if hit.path == path]
