"""Checking web addresses over the network: polite, bounded, and safe against hostile servers.

Nothing here touches the database; linkcheck.py says what to check and stores what comes back.

- Polite: at most `per_host` requests in flight to one host, `host_delay` seconds between
  starting two of them, `concurrency` in flight in all, Retry-After honoured. Every address
  gets one GET: a plain link's page is read only as far as its title and main heading (a
  "page not found" page that answers 200 is found that way), and not at all when it is not
  HTML; a page we watch for changes, or whose parts (#fragment) are linked to, is read whole.
  Watched pages get a conditional GET, so an unchanged page costs a 304.
- Fast: each host has its own small pool of connections, kept open while the run has more
  for that host, so the checker waits on the network rather than on itself.
- Bounded: a timeout per request (headers and body together), a deadline for the whole run,
  at most 2 MB of any body, counted after decompression. An error on one address becomes that
  address's result; it never stops the run.
- Safe: http and https only, and every connection (each redirect hop too) is made to an address
  checked as it is resolved, so a name cannot be switched to a private network in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import ipaddress
import logging
import math
import re
import socket
import ssl
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urldefrag, urljoin, urlsplit

import anyio
import certifi
import httpcore
import httpx
from django.conf import settings
from httpcore._synchronization import AsyncLock

from . import streams
from .outcomes import MAX_URL_LENGTH, Outcome, RedirectKind
from .pages import (
    MAX_BODY_BYTES,
    fragment_found,
    page_signals,
    read_stream_limited,
    read_watched_page,
)

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 10
PERMANENT_REDIRECTS = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}
RETRY_LATER = {429, 503}
DRAIN_BYTES = 64 * 1024
DRAIN_SECONDS = 1.0
KEEPALIVE_SECONDS = 5.0
# A plain link's page is read this far: enough for the title and main heading of nearly
# every page, which say whether it is a "page not found" page.
PEEK_BYTES = 256 * 1024
PARSE_ON_LOOP_BYTES = 64 * 1024
# Checks are started this many at a time, the loop free to do other work in between.
START_BATCH = 100
# How often run_checks pauses the checks for other work (its `meanwhile`).
MEANWHILE_SECONDS = 0.02
# A site's home page: /, /index.html, /home, or the home of English, Welsh, Scottish Gaelic
# or Irish, such as /en-gb/ or /cy.
HOME_PATH = re.compile(
    r"/?(?:(?:index|default|home)(?:\.\w+)?|(?:en|cy|gd|ga)(?:[-_][a-z]{2})?)?/?", re.I
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


# Prefixes that carry an IPv4 address in their last 32 bits: NAT64's well-known prefix and its
# local-use one (RFC 6052, RFC 8215), and the deprecated IPv4-compatible form (::a.b.c.d).
# On a network with a NAT64 gateway, 64:ff9b::7f00:1 reaches 127.0.0.1.
EMBEDS_IPV4_LAST = [
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("::/96"),
]


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for: mapped, NAT64, IPv4-compatible,
    6to4 (2002::/16) and both ends of Teredo (2001::/32)."""
    found = []
    if address.ipv4_mapped:
        found.append(address.ipv4_mapped)
    if any(address in network for network in EMBEDS_IPV4_LAST):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour:
        found.append(address.sixtofour)
    if address.teredo:
        found.extend(address.teredo)
    return found


def is_public_address(address: IPAddress) -> bool:
    """False for private, loopback, link-local, reserved, multicast and other non-global
    addresses, including IPv4 ones written as IPv6 in any of the forms above."""
    if isinstance(address, ipaddress.IPv6Address) and not all(
        is_public_address(ipv4) for ipv4 in embedded_ipv4(address)
    ):
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return True  # Python calls all of ::ffff:0:0/96 private; what it maps to decides
    return address.is_global and not address.is_multicast


@dataclass(frozen=True, kw_only=True)
class CheckConfig:
    per_host: int = 2
    concurrency: int = 32
    timeout: float = 10.0
    deadline: float = 600.0
    host_delay: float = 0.1
    retries: int = 2
    backoff: float = 1.0
    retry_cap: float = 30.0
    max_body_bytes: int = MAX_BODY_BYTES
    user_agent: str = "HubLinkChecker/1.0"
    # None lets every address through (LINKCHECK_ALLOW_PRIVATE, for tests and benchmarks).
    address_allowed: Callable[[IPAddress], bool] | None = is_public_address

    @classmethod
    def from_settings(cls) -> CheckConfig:
        return cls(
            per_host=settings.LINKCHECK_PER_HOST,
            concurrency=settings.LINKCHECK_CONCURRENCY,
            timeout=settings.LINKCHECK_TIMEOUT,
            deadline=settings.LINKCHECK_DEADLINE,
            host_delay=settings.LINKCHECK_HOST_DELAY,
            retries=settings.LINKCHECK_RETRIES,
            backoff=settings.LINKCHECK_BACKOFF,
            retry_cap=settings.LINKCHECK_RETRY_CAP,
            user_agent=(f"HubLinkChecker/1.0 ({settings.HUB_SITE_NAME}; +{settings.CONTACT_URL})"),
            address_allowed=None if settings.LINKCHECK_ALLOW_PRIVATE else is_public_address,
        )

    def problems(self) -> list[str]:
        """What makes this configuration unusable, in the words of the settings."""
        problems = []
        if self.per_host < 1:
            problems.append("LINKCHECK_PER_HOST must be at least 1.")
        if self.concurrency < 1:
            problems.append("LINKCHECK_CONCURRENCY must be at least 1.")
        if self.timeout <= 0:
            problems.append("LINKCHECK_TIMEOUT must be more than 0 seconds.")
        if self.deadline <= 0:
            problems.append("LINKCHECK_DEADLINE must be more than 0 seconds.")
        if self.host_delay < 0 or self.backoff < 0 or self.retry_cap < 0:
            problems.append("LINKCHECK_HOST_DELAY, _BACKOFF and _RETRY_CAP cannot be negative.")
        if self.retries < 0:
            problems.append("LINKCHECK_RETRIES cannot be negative.")
        return problems


@dataclass(frozen=True, kw_only=True)
class Target:
    """One address to check. `read_body` is for pages we watch for changes (a resource's own
    address); the validators come from the last time that page was read. `fragments` are the
    parts of the page (#part) that links to it point at. `text_held` is the fingerprint of
    the page's text as we keep it: a page read with another fingerprint brings its text back
    (CheckResult.page_text)."""

    url: str
    read_body: bool = False
    etag: str = ""
    last_modified: str = ""
    validators_url: str = ""
    fragments: tuple[str, ...] = ()
    text_held: str = ""


@dataclass(kw_only=True)
class CheckResult:
    url: str
    outcome: str
    status_code: int | None = None
    final_url: str = ""
    redirect_chain: list[dict] = field(default_factory=list)
    redirect_kind: str = ""
    suggested_url: str = ""
    error: str = ""
    etag: str = ""
    last_modified: str = ""
    fingerprint: str = ""
    # A watched page's main text, packed (pages.pack_text), when it is not the text we hold.
    page_text: bytes = b""
    body_truncated: bool = False
    seconds: float = 0.0
    # False when the run's deadline came first: reported as uncertain, but not stored.
    finished: bool = True


class Clock:
    """The time the politeness rules keep: the event loop's clock and its sleep. Tests pass
    their own, so they can check every wait without timing a busy machine."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class AddressRefused(Exception):
    pass


class NameNotResolved(Exception):
    pass


def _literal_address(host: str) -> list[str] | None:
    """An IPv4 address written as one (127.0.0.2), or None for anything the resolver must
    read. Asking the resolver about a dotted quad would only send it to a thread and back."""
    if not host[:1].isdigit():
        return None
    try:
        address = ipaddress.IPv4Address(host)
    except ValueError:
        return None
    return [host] if str(address) == host else None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host itself, refuses it if any address it resolves to is not allowed,
    and connects to the address it checked."""

    def __init__(self, address_allowed: Callable[[IPAddress], bool] | None):
        self.address_allowed = address_allowed

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = _literal_address(host)
        if addresses is None:
            try:
                loop = asyncio.get_running_loop()
                answers = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except socket.gaierror as error:
                raise NameNotResolved(
                    f"the name {host} does not resolve ({error.strerror})"
                ) from None
            addresses = list(dict.fromkeys(str(answer[4][0]) for answer in answers))
        if self.address_allowed is not None:
            for address in addresses:
                if not self.address_allowed(ipaddress.ip_address(address.split("%")[0])):
                    raise AddressRefused(
                        f"refused: {host} resolves to {address}, a private, loopback, "
                        "link-local or reserved address"
                    )
        error: Exception = NameNotResolved(f"the name {host} has no addresses")
        for address in addresses:
            try:
                return await streams.connect(address, port, timeout=timeout)
            except httpcore.ConnectError as failure:
                error = failure
        raise error

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise AddressRefused("refused: not a network address")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def _quick_locks(connection: object) -> None:
    """Give an httpcore connection locks that do not yield to the event loop when free.

    httpcore takes a lock three times a request (anyio's, which yields to every other
    ready task even when nobody holds it), so each answer waited its turn three more times
    on a busy loop. A connection here serves one request at a time (HostPools), so its
    locks are always free; they still lock. Left as they are if httpcore has changed.
    """
    for name in ("_request_lock", "_state_lock"):
        lock = getattr(connection, name, None)
        if type(lock) is not AsyncLock:
            continue
        backend = getattr(lock, "_backend", None)
        held = backend == "asyncio" and lock._anyio_lock.locked()
        if backend in ("", "asyncio") and not held:
            lock._backend = "asyncio"
            lock._anyio_lock = anyio.Lock(fast_acquire=True)


class HostPools:
    """Open connections kept for each host while the run has more for it, and closed as soon
    as it has not; every connection made through GuardedBackend.

    One httpcore pool for every host scans all its connections each time it places a request;
    with hundreds of hosts the checker spent most of its time there instead of waiting on the
    network. Here each host has its own short list of idle connections (HostGate already
    keeps at most LINKCHECK_PER_HOST busy), so placing a request costs the same with 5 hosts
    or 5,000. The connections are httpcore's own, used without a pool or httpx's client on
    top, whose work per request the checker does not need.
    """

    def __init__(self, config: CheckConfig):
        self.ssl_context = ssl.create_default_context(cafile=certifi.where())
        self.backend = GuardedBackend(config.address_allowed)
        self.idle: dict[str, dict[tuple[str, int | None], list[httpcore.AsyncHTTPConnection]]] = {}

    async def connection(
        self, address: Address, origin: httpcore.Origin, *, fresh: bool = False
    ) -> tuple[httpcore.AsyncHTTPConnection, bool]:
        """An idle connection to the address's origin that is still open (and True), or a new
        one (and False)."""
        idle = self.idle.setdefault(address.host, {}).setdefault((address.scheme, address.port), [])
        while idle and not fresh:
            connection = idle.pop()
            if connection.is_available() and not connection.has_expired():
                return connection, True
            await connection.aclose()
        connection = httpcore.AsyncHTTPConnection(
            origin=origin,
            ssl_context=self.ssl_context,
            keepalive_expiry=KEEPALIVE_SECONDS,
            network_backend=self.backend,
        )
        _quick_locks(connection)
        return connection, False

    async def send(
        self, address: Address, request: httpcore.Request
    ) -> tuple[httpcore.Response, httpcore.AsyncHTTPConnection]:
        """The answer's head, and the connection it came on. A server may close an idle
        connection just as we use it again; a request that then got no answer at all is sent
        once more, on a new connection."""
        connection, reused = await self.connection(address, request.url.origin)
        try:
            response = await connection.handle_async_request(request)
            if not reused:
                _quick_locks(getattr(connection, "_connection", None))
            return response, connection
        except (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError) as error:
            await connection.aclose()
            if not reused or not _no_answer(error):
                raise
        except BaseException:
            await connection.aclose()
            raise
        connection, _ = await self.connection(address, request.url.origin, fresh=True)
        try:
            response = await connection.handle_async_request(request)
            _quick_locks(getattr(connection, "_connection", None))
            return response, connection
        except BaseException:
            await connection.aclose()
            raise

    async def give_back(self, address: Address, connection: httpcore.AsyncHTTPConnection) -> None:
        """Keep a connection whose answer was read to the end; close any other."""
        origins = self.idle.get(address.host)
        if connection.is_idle() and not connection.is_closed() and origins is not None:
            origins.setdefault((address.scheme, address.port), []).append(connection)
        else:
            await connection.aclose()

    async def close_host(self, host: str) -> None:
        for connections in self.idle.pop(host, {}).values():
            for connection in connections:
                await connection.aclose()

    async def aclose(self) -> None:
        for host in list(self.idle):
            await self.close_host(host)


# Addresses made only of the characters RFC 3986 allows are split with the standard library;
# anything else (a non-ASCII host or path, a space) goes through httpx, which encodes it.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Address:
    """A web address as a request needs it: host as DNS knows it (lower case, IDNA, IPv6
    without brackets), the Host header, and the path and query to ask for."""

    scheme: str
    host: str
    port: int | None
    netloc: str
    target: str


@functools.lru_cache(maxsize=4096)
def parse_address(url: str) -> Address:
    """Raises ValueError for something that is not an address."""
    if PLAIN_ADDRESS.fullmatch(url):
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
        if port == DEFAULT_PORTS.get(parts.scheme):
            port = None
        bracketed = f"[{host}]" if ":" in host else host
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return Address(
            scheme=parts.scheme,
            host=host,
            port=port,
            netloc=bracketed if port is None else f"{bracketed}:{port}",
            target=target,
        )
    try:
        url_ = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as error:
        raise ValueError(str(error)) from None
    return Address(
        scheme=url_.scheme,
        host=url_.raw_host.decode("ascii"),
        port=url_.port,
        netloc=url_.netloc.decode("ascii"),
        target=url_.raw_path.decode("ascii"),
    )


def host_of(url: str) -> str:
    try:
        return parse_address(url).host
    except ValueError:
        return ""


class HostGate:
    """At most `slots` requests in flight to one host, starts at least `delay` apart."""

    def __init__(self, *, slots: int, delay: float, clock: Clock):
        self._slots = asyncio.Semaphore(slots)
        self._delay = delay
        self._clock = clock
        self._next_start = -math.inf

    @contextlib.asynccontextmanager
    async def turn(self):
        async with self._slots:
            now = self._clock.now()
            start = max(now, self._next_start)
            self._next_start = start + self._delay
            if start > now:
                await self._clock.sleep(start - now)
            yield

    def hold_off(self, seconds: float) -> None:
        """A host that said 'retry after' gets no new request from us before then."""
        self._next_start = max(self._next_start, self._clock.now() + seconds)


@dataclass(kw_only=True)
class _Reply:
    status: int
    # Names in lower case; of a header sent twice, the last.
    headers: dict[str, str]
    body: bytes | None = None
    truncated: bool = False
    charset: str | None = None
    attempts: int = 1


class _Failure(Exception):
    def __init__(self, outcome: str, message: str, *, retry: bool = False):
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.retry = retry


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _connection_problem(error: Exception) -> str:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS error: certificate not accepted ({cause.verify_message})"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {cause.reason or cause}"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    text = str(error) or type(error).__name__
    if "ssl" in text.lower() or "certificate" in text.lower():
        return f"TLS error: {text}"
    return f"could not connect: {text}"


def _no_answer(error: Exception) -> bool:
    """Whether a request failed before any of an answer came: the connection was closed or
    reset under it."""
    if isinstance(error, httpcore.RemoteProtocolError):
        return "without sending a response" in str(error)
    return isinstance(error, httpcore.ReadError | httpcore.WriteError)


def _protocol_problem(error: Exception) -> str:
    """What was wrong with an answer that was not valid HTTP, in words an editor can pass on.
    httpcore's parser (h11) says which rule was broken; its limit on headers is 100 KB."""
    text = str(error)
    if "Receive buffer too long" in text:
        return "the server's answer has more than 100 KB of headers, so we read no further"
    if "illegal status line" in text:
        return "the server's answer is not HTTP: its first line is not a status line"
    if "illegal header line" in text:
        return "the server's answer is not valid HTTP: a header line is malformed"
    if "without sending a response" in text:
        return "the server closed the connection without answering"
    if "without sending complete message body" in text:
        return "the server closed the connection before the end of its answer"
    return f"the server's answer is not valid HTTP ({text})"


async def _drain(chunks: AsyncIterator[bytes], *, content_encoding: str) -> None:
    """Read a short body we do not need to its end, so the connection can be used again.
    A long, slow or broken one is simply closed: we already have the status."""
    with contextlib.suppress(TimeoutError, httpcore.NetworkError, httpcore.ProtocolError):
        async with asyncio.timeout(DRAIN_SECONDS):
            await read_stream_limited(chunks, content_encoding=content_encoding, limit=DRAIN_BYTES)


def _charset(content_type: str) -> str | None:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"') or None
    return None


def _is_html(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in {"text/html", "application/xhtml+xml"}


def _unsupported(url: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        return f"not a web address: {error}"
    if parts.scheme not in {"http", "https"}:
        return f"refused: {parts.scheme or 'no'} scheme; only http and https are checked"
    if not parts.hostname:
        return "not a web address: no host"
    return ""


def _leads_home(url: str, final_url: str) -> bool:
    """Whether a link deep into a site ended up at a site's home page."""
    start, end = urlsplit(url), urlsplit(final_url)
    deep = not HOME_PATH.fullmatch(start.path or "/")
    return deep and bool(HOME_PATH.fullmatch(end.path or "/")) and not end.query


class _Checker:
    def __init__(
        self,
        *,
        config: CheckConfig,
        pools: HostPools,
        deadline_at: float,
        clock: Clock,
        pending: Counter,
    ):
        self.config = config
        self.pools = pools
        self.headers = [
            (b"User-Agent", config.user_agent.encode("ascii", "replace")),
            (b"Accept", b"text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"),
            (b"Accept-Encoding", b"gzip, deflate"),
        ]
        self.timeouts = dict.fromkeys(["connect", "read", "write", "pool"], config.timeout)
        self.deadline_at = deadline_at
        self.clock = clock
        self.in_flight = asyncio.Semaphore(config.concurrency)
        self.gates: dict[str, HostGate] = {}
        # Targets not yet finished, and requests in flight, host by host: a host's
        # connections are closed once both are none.
        self.pending = pending
        self.active: Counter = Counter()

    def gate(self, host: str) -> HostGate:
        if host not in self.gates:
            self.gates[host] = HostGate(
                slots=self.config.per_host, delay=self.config.host_delay, clock=self.clock
            )
        return self.gates[host]

    async def _release(self, host: str) -> None:
        if self.pending[host] <= 0 and self.active[host] == 0:
            await self.pools.close_host(host)

    async def check(self, target: Target) -> CheckResult:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            result = await self._follow(target)
        except Exception as error:  # noqa: BLE001 - one address must never stop the run
            logger.exception("Link checker failed on %s", target.url)
            result = CheckResult(
                url=target.url, outcome=Outcome.UNCERTAIN, error=f"checker error: {error!r}"
            )
        finally:
            host = host_of(target.url)
            self.pending[host] -= 1
            await self._release(host)
        result.seconds = loop.time() - started
        return result

    async def _follow(self, target: Target) -> CheckResult:
        url = target.url
        chain: list[dict] = []
        seen = {urldefrag(url)[0]}
        while True:
            problem = _unsupported(url)
            if problem:
                return self._broken(target, problem, chain=chain, final_url=url)
            try:
                reply = await self._fetch(url, target)
            except _Failure as failure:
                return CheckResult(
                    url=target.url,
                    outcome=failure.outcome,
                    final_url=url,
                    redirect_chain=chain,
                    error=failure.message,
                )
            location = reply.headers.get("location", "").strip()
            if reply.status not in REDIRECTS or not location:
                return await self._classify(target, reply, chain=chain, final_url=url)
            chain.append({"url": url, "status": reply.status})
            if len(location) > MAX_URL_LENGTH:
                error = (
                    f"redirect to an address of {len(location):,} characters; we follow "
                    f"addresses of up to {MAX_URL_LENGTH:,}"
                )
                return self._broken(target, error, chain=chain, final_url=url)
            try:
                url = urljoin(url, location)
            except ValueError:
                error = f"redirect to something that is not an address: {location[:200]!r}"
                return self._broken(target, error, chain=chain, final_url=url)
            if urldefrag(url)[0] in seen:
                error = f"redirect loop back to {url}"
                return self._broken(target, error, chain=chain, final_url=url)
            if len(chain) > MAX_REDIRECTS:
                return self._broken(
                    target, f"more than {MAX_REDIRECTS} redirects", chain=chain, final_url=url
                )
            seen.add(urldefrag(url)[0])

    @staticmethod
    def _broken(target: Target, error: str, *, chain: list[dict], final_url: str) -> CheckResult:
        return CheckResult(
            url=target.url,
            outcome=Outcome.BROKEN,
            final_url=final_url,
            redirect_chain=chain,
            error=error,
        )

    async def _classify(
        self, target: Target, reply: _Reply, *, chain: list[dict], final_url: str
    ) -> CheckResult:
        status = reply.status
        result = CheckResult(
            url=target.url, outcome=Outcome.OK, status_code=status, final_url=final_url
        )
        result.redirect_chain = chain
        if status in RETRY_LATER:
            result.outcome = Outcome.UNCERTAIN
            reason = httpx.codes.get_reason_phrase(status)
            result.error = f"{status} {reason}: still busy after {reply.attempts} tries"
            retry_after = parse_retry_after(reply.headers.get("retry-after"))
            if retry_after is not None and retry_after > self.config.retry_cap:
                result.error = (
                    f"{status} {reason}: asked us to wait {retry_after:.0f} s, "
                    f"longer than we wait ({self.config.retry_cap:g} s)"
                )
            return result
        if status >= 400:
            result.outcome = Outcome.BROKEN
            result.error = f"{status} {httpx.codes.get_reason_phrase(status)}".strip()
            return result
        if chain:
            result.outcome = Outcome.REDIRECTED
            permanent = [hop["status"] in PERMANENT_REDIRECTS for hop in chain]
            if permanent[0]:
                result.redirect_kind = RedirectKind.PERMANENT
                # After a run of permanent moves, the address they lead to is the new one,
                # even if that address then redirects somewhere temporarily.
                leading = permanent.index(False) if False in permanent else len(chain)
                result.suggested_url = chain[leading]["url"] if leading < len(chain) else final_url
            else:
                result.redirect_kind = RedirectKind.TEMPORARY
        result.etag = reply.headers.get("etag", "")
        result.last_modified = reply.headers.get("last-modified", "")
        result.body_truncated = reply.truncated
        content_type = reply.headers.get("content-type", "")
        if reply.body is not None and target.read_body:
            read = functools.partial(
                read_watched_page,
                reply.body,
                content_type=content_type,
                charset=reply.charset,
                text_held=target.text_held,
            )
            # A small page costs less to read here than to hand to a thread and back.
            if len(reply.body) > PARSE_ON_LOOP_BYTES:
                result.fingerprint, result.page_text = await asyncio.to_thread(read)
            else:
                result.fingerprint, result.page_text = read()
        signals = None
        if reply.body is not None and _is_html(content_type):
            anchors = bool(target.fragments)
            if len(reply.body) > PARSE_ON_LOOP_BYTES:
                signals = await asyncio.to_thread(
                    page_signals, reply.body, charset=reply.charset, anchors=anchors
                )
            else:
                signals = page_signals(reply.body, charset=reply.charset, anchors=anchors)
        gone_because = signals.says_not_found() if signals else ""
        if not gone_because and chain and _leads_home(target.url, final_url):
            gone_because = f"this deep link now leads to the site's home page, {final_url}"
        if gone_because:
            result.outcome = Outcome.PROBABLY_GONE
            result.error = gone_because
            # The home page is not the new address of what was linked to.
            result.redirect_kind = result.suggested_url = ""
            return result
        if signals is not None and target.fragments and not reply.truncated:
            missing = [f for f in target.fragments if not fragment_found(f, signals.anchors)]
            if missing:
                result.outcome = Outcome.PART_NOT_FOUND
                names = ", ".join(f"#{fragment}" for fragment in missing)
                result.error = f"no part of the page is called {names}"
        return result

    async def _fetch(self, url: str, target: Target) -> _Reply:
        """One GET, retried with backoff (honouring Retry-After up to a cap) while the
        answer is a timeout, 429 or 503 and the run's deadline allows."""
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            attempt += 1
            try:
                reply = await self._request(url, target)
            except _Failure as failure:
                if not failure.retry:
                    raise
                last: _Reply | _Failure = failure
                wait = self._backoff(attempt)
            else:
                reply.attempts = attempt
                if reply.status not in RETRY_LATER:
                    return reply
                last = reply
                retry_after = parse_retry_after(reply.headers.get("retry-after"))
                if retry_after is not None and retry_after > self.config.retry_cap:
                    return reply
                wait = self._backoff(attempt) if retry_after is None else retry_after
                self.gate(host_of(url)).hold_off(wait)
            if attempt > self.config.retries or loop.time() + wait >= self.deadline_at:
                if isinstance(last, _Failure):
                    raise last
                return last
            await self.clock.sleep(wait)

    def _backoff(self, attempt: int) -> float:
        return min(self.config.backoff * 2 ** (attempt - 1), self.config.retry_cap)

    async def _request(self, url: str, target: Target) -> _Reply:
        headers = {}
        if target.read_body and url == target.validators_url:
            if target.etag:
                headers["If-None-Match"] = target.etag
            if target.last_modified:
                headers["If-Modified-Since"] = target.last_modified
        host = host_of(url)
        try:
            async with self.gate(host).turn(), self.in_flight:
                self.active[host] += 1
                try:
                    return await self._send(url, target, headers)
                finally:
                    self.active[host] -= 1
        finally:
            await self._release(host)

    async def _send(self, url: str, target: Target, headers: dict) -> _Reply:
        try:
            async with asyncio.timeout(self.config.timeout):
                address = parse_address(url)
                request = httpcore.Request(
                    b"GET",
                    httpcore.URL(
                        scheme=address.scheme.encode(),
                        host=address.host.encode(),
                        port=address.port,
                        target=address.target.encode(),
                    ),
                    headers=[
                        (b"Host", address.netloc.encode()),
                        *self.headers,
                        *(
                            (name.encode(), value.encode("latin-1"))
                            for name, value in headers.items()
                        ),
                    ],
                    extensions={"timeout": self.timeouts},
                )
                response, connection = await self.pools.send(address, request)
                try:
                    reply = _Reply(
                        status=response.status,
                        headers={
                            name.decode("latin-1").lower(): value.decode("latin-1")
                            for name, value in response.headers
                        },
                    )
                    content_type = reply.headers.get("content-type", "")
                    encoding = reply.headers.get("content-encoding", "")
                    chunks = response.aiter_stream()
                    if 200 <= response.status < 300 and (
                        target.read_body or _is_html(content_type)
                    ):
                        # A plain link's page is read only as far as its title and main
                        # heading usually are; a whole page when parts of it are linked to.
                        whole = target.read_body or target.fragments
                        reply.charset = _charset(content_type)
                        reply.body, reply.truncated = await read_stream_limited(
                            chunks,
                            content_encoding=encoding,
                            limit=self.config.max_body_bytes if whole else PEEK_BYTES,
                        )
                    else:
                        await _drain(chunks, content_encoding=encoding)
                finally:
                    await response.aclose()
                    await self.pools.give_back(address, connection)
                return reply
        except (TimeoutError, httpcore.TimeoutException):
            raise _Failure(
                Outcome.UNCERTAIN,
                f"no complete answer within {self.config.timeout:g} s",
                retry=True,
            ) from None
        except (AddressRefused, NameNotResolved) as error:
            raise _Failure(Outcome.BROKEN, str(error)) from None
        except httpcore.ConnectError as error:
            raise _Failure(Outcome.BROKEN, _connection_problem(error)) from None
        except httpcore.RemoteProtocolError as error:
            raise _Failure(Outcome.BROKEN, _protocol_problem(error)) from None
        except (httpcore.ReadError, httpcore.WriteError) as error:
            message = "the server reset the connection"
            if not isinstance(error, streams.ConnectionReset):
                message = f"the connection broke: {error or type(error).__name__}"
            raise _Failure(Outcome.BROKEN, message) from None
        except (
            httpcore.ProtocolError,
            httpcore.NetworkError,
            httpcore.UnsupportedProtocol,
        ) as error:
            raise _Failure(Outcome.BROKEN, f"{type(error).__name__}: {error}") from None
        except (httpx.InvalidURL, ValueError) as error:
            raise _Failure(Outcome.BROKEN, f"not a web address: {error}") from None


async def check_all(
    targets: Iterable[Target],
    *,
    config: CheckConfig,
    on_result: Callable[[CheckResult], None] | None = None,
    clock: Clock | None = None,
) -> dict[str, CheckResult]:
    """Check every target within `config.deadline`; every target gets a result."""
    targets = list(targets)
    loop = asyncio.get_running_loop()
    deadline_at = loop.time() + config.deadline
    pools = HostPools(config)
    try:
        checker = _Checker(
            config=config,
            pools=pools,
            deadline_at=deadline_at,
            clock=clock or Clock(),
            pending=Counter(host_of(target.url) for target in targets),
        )

        async def check_and_report(target: Target) -> CheckResult:
            result = await checker.check(target)
            if on_result is not None:
                on_result(result)
            return result

        tasks: dict[asyncio.Task, Target] = {}
        for target in targets:
            tasks[asyncio.create_task(check_and_report(target))] = target
            if len(tasks) % START_BATCH == 0:
                # Starting thousands of checks keeps the loop busy for a while: the first
                # ones get going, and their answers are read, in between batches.
                await asyncio.sleep(0)
        pending: set[asyncio.Task] = set()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline_at - loop.time()))
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
    finally:
        await pools.aclose()
    results = {}
    for task, target in tasks.items():
        if task.done() and not task.cancelled() and task.exception() is None:
            results[target.url] = task.result()
        else:
            results[target.url] = CheckResult(
                url=target.url,
                outcome=Outcome.UNCERTAIN,
                error=f"not finished within the run's deadline of {config.deadline:g} s",
                finished=False,
            )
    return results


def run_checks(
    targets: Iterable[Target],
    *,
    config: CheckConfig,
    on_result: Callable[[CheckResult], None] | None = None,
    clock: Clock | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, CheckResult]:
    """check_all, from synchronous code such as a management command.

    `meanwhile`, when given, is called every MEANWHILE_SECONDS or so while the checks run,
    with the event loop paused: ordinary synchronous code, free to use the database, that
    fills time the checks spend waiting on the network. Each call should be short, as the
    answers that come in the while wait for it.
    """
    checks = check_all(targets, config=config, on_result=on_result, clock=clock)
    if meanwhile is None:
        return asyncio.run(checks)
    with asyncio.Runner() as runner:
        loop = runner.get_loop()
        task = loop.create_task(checks)
        while True:
            loop.run_until_complete(asyncio.wait([task], timeout=MEANWHILE_SECONDS))
            if task.done():
                return task.result()
            meanwhile()


def can_reach_any(urls: Iterable[str], *, config: CheckConfig, timeout: float) -> bool:
    """Whether any of these well-known addresses answers at all: the run's check that the
    internet is there before it blames every site it links to. One GET each, all at once, no
    retries, `timeout` seconds at most; any HTTP answer counts, even an error page."""
    quick = replace(config, timeout=timeout, deadline=timeout + 1, retries=0, host_delay=0)
    results = run_checks([Target(url=url) for url in dict.fromkeys(urls)], config=quick)
    return any(
        result.status_code is not None or result.redirect_chain for result in results.values()
    )
