"""Checking web addresses over the network: polite, bounded, and safe against hostile servers.

Nothing here touches the database; linkcheck.py says what to check and stores what comes back.

- Polite: at most `per_host` requests in flight to one host, `host_delay` seconds between
  starting two of them, `concurrency` in flight in all. Plain links get HEAD, and GET only when
  HEAD is refused or unreliable (403, 404, 405, 501, a reset). Pages we watch for changes get a
  conditional GET, since we need their text and an unchanged page then costs a 304.
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
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import anyio
import certifi
import httpcore
import httpx
from django.conf import settings

from .models import Outcome, RedirectKind
from .pages import MAX_BODY_BYTES, page_fingerprint, read_limited

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 10
PERMANENT_REDIRECTS = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}
HEAD_UNRELIABLE = {403, 404, 405, 501}
RETRY_LATER = {429, 503}
DRAIN_BYTES = 64 * 1024
DRAIN_SECONDS = 1.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_address(address: IPAddress) -> bool:
    """False for private, loopback, link-local, reserved, multicast and other non-global
    addresses, including IPv4 ones written as IPv6."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
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
    address); the validators come from the last time that page was read."""

    url: str
    read_body: bool = False
    etag: str = ""
    last_modified: str = ""
    validators_url: str = ""


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
    body_truncated: bool = False
    seconds: float = 0.0
    # False when the run's deadline came first: reported as uncertain, but not stored.
    finished: bool = True


class AddressRefused(Exception):
    pass


class NameNotResolved(Exception):
    pass


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host itself, refuses it if any address it resolves to is not allowed,
    and connects to the address it checked."""

    def __init__(self, address_allowed: Callable[[IPAddress], bool] | None):
        self.address_allowed = address_allowed
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            answers = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise NameNotResolved(f"the name {host} does not resolve ({error.strerror})") from None
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
                return await self.inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as failure:
                error = failure
        raise error

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise AddressRefused("refused: not a network address")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, connecting only through GuardedBackend.

    httpx has no public way to choose httpcore's network backend, so the pool it builds is
    swapped for the same pool with ours; test_links proves the swap takes effect.
    """

    def __init__(self, config: CheckConfig):
        super().__init__(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl.create_default_context(cafile=certifi.where()),
            # Our semaphores bound the requests in flight; the pool only decides how many idle
            # connections to keep, and two to each of many hosts beats reconnecting.
            max_connections=None,
            max_keepalive_connections=max(100, config.concurrency),
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(config.address_allowed),
        )


class HostGate:
    """At most `slots` requests in flight to one host, starts at least `delay` apart."""

    def __init__(self, *, slots: int, delay: float):
        self._slots = asyncio.Semaphore(slots)
        self._delay = delay
        self._next_start = 0.0

    @contextlib.asynccontextmanager
    async def turn(self):
        async with self._slots:
            now = asyncio.get_running_loop().time()
            start = max(now, self._next_start)
            self._next_start = start + self._delay
            if start > now:
                await asyncio.sleep(start - now)
            yield

    def hold_off(self, seconds: float) -> None:
        """A host that said 'retry after' gets no new request from us before then."""
        now = asyncio.get_running_loop().time()
        self._next_start = max(self._next_start, now + seconds)


@dataclass(kw_only=True)
class _Reply:
    status: int
    headers: httpx.Headers
    body: bytes | None = None
    truncated: bool = False
    charset: str | None = None
    attempts: int = 1


class _Failure(Exception):
    def __init__(self, outcome: str, message: str, *, retry: bool = False, reset: bool = False):
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.retry = retry
        self.reset = reset


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


async def _drain(response: httpx.Response) -> None:
    """Read a short body we do not need (HEAD's is empty) to its end, so the connection can
    be used again. A long, slow or broken one is simply closed: we already have the status."""
    with contextlib.suppress(TimeoutError, httpx.HTTPError):
        async with asyncio.timeout(DRAIN_SECONDS):
            await read_limited(response, limit=DRAIN_BYTES)


def _unsupported(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return f"refused: {parts.scheme or 'no'} scheme; only http and https are checked"
    if not parts.hostname:
        return "not a web address: no host"
    return ""


class _Checker:
    def __init__(self, *, config: CheckConfig, client: httpx.AsyncClient, deadline_at: float):
        self.config = config
        self.client = client
        self.deadline_at = deadline_at
        self.in_flight = asyncio.Semaphore(config.concurrency)
        self.gates: dict[str, HostGate] = {}

    def gate(self, url: str) -> HostGate:
        host = urlsplit(url).hostname or ""
        if host not in self.gates:
            self.gates[host] = HostGate(slots=self.config.per_host, delay=self.config.host_delay)
        return self.gates[host]

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
        result.seconds = loop.time() - started
        return result

    async def _follow(self, target: Target) -> CheckResult:
        url = target.url
        method = "GET" if target.read_body else "HEAD"
        chain: list[dict] = []
        seen = {urldefrag(url)[0]}
        while True:
            problem = _unsupported(url)
            if problem:
                return self._broken(target, problem, chain=chain, final_url=url)
            try:
                reply = await self._fetch_with_fallback(method, url, target)
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
        if reply.body is not None:
            result.fingerprint = await asyncio.to_thread(
                page_fingerprint,
                reply.body,
                content_type=reply.headers.get("content-type", ""),
                charset=reply.charset,
            )
        return result

    async def _fetch_with_fallback(self, method: str, url: str, target: Target) -> _Reply:
        if method == "HEAD":
            try:
                reply = await self._fetch("HEAD", url, target)
                if reply.status not in HEAD_UNRELIABLE:
                    return reply
            except _Failure as failure:
                if not failure.reset:
                    raise
            # Many servers refuse or mishandle HEAD while serving GET perfectly well.
        return await self._fetch("GET", url, target)

    async def _fetch(self, method: str, url: str, target: Target) -> _Reply:
        """One request, retried with backoff (honouring Retry-After up to a cap) while the
        answer is a timeout, 429 or 503 and the run's deadline allows."""
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            attempt += 1
            try:
                reply = await self._request(method, url, target)
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
                self.gate(url).hold_off(wait)
            if attempt > self.config.retries or loop.time() + wait >= self.deadline_at:
                if isinstance(last, _Failure):
                    raise last
                return last
            await asyncio.sleep(wait)

    def _backoff(self, attempt: int) -> float:
        return min(self.config.backoff * 2 ** (attempt - 1), self.config.retry_cap)

    async def _request(self, method: str, url: str, target: Target) -> _Reply:
        headers = {}
        read_body = method == "GET" and target.read_body
        if read_body and url == target.validators_url:
            if target.etag:
                headers["If-None-Match"] = target.etag
            if target.last_modified:
                headers["If-Modified-Since"] = target.last_modified
        async with self.gate(url).turn(), self.in_flight:
            try:
                async with asyncio.timeout(self.config.timeout):
                    request = self.client.build_request(method, url, headers=headers)
                    response = await self.client.send(request, stream=True)
                    try:
                        reply = _Reply(status=response.status_code, headers=response.headers)
                        if read_body and 200 <= response.status_code < 300:
                            reply.charset = response.charset_encoding
                            reply.body, reply.truncated = await read_limited(
                                response, limit=self.config.max_body_bytes
                            )
                        else:
                            await _drain(response)
                    finally:
                        await response.aclose()
            except (TimeoutError, httpx.TimeoutException):
                raise _Failure(
                    Outcome.UNCERTAIN,
                    f"no complete answer within {self.config.timeout:g} s",
                    retry=True,
                ) from None
            except (AddressRefused, NameNotResolved) as error:
                raise _Failure(Outcome.BROKEN, str(error)) from None
            except httpx.ConnectError as error:
                raise _Failure(Outcome.BROKEN, _connection_problem(error)) from None
            except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
                raise _Failure(
                    Outcome.BROKEN,
                    "the server reset or closed the connection without a proper answer",
                    reset=True,
                ) from None
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:
                raise _Failure(Outcome.BROKEN, f"{type(error).__name__}: {error}") from None
        return reply


async def check_all(
    targets: Iterable[Target],
    *,
    config: CheckConfig,
    on_result: Callable[[CheckResult], None] | None = None,
) -> dict[str, CheckResult]:
    """Check every target within `config.deadline`; every target gets a result."""
    targets = list(targets)
    loop = asyncio.get_running_loop()
    deadline_at = loop.time() + config.deadline
    client = httpx.AsyncClient(
        transport=GuardedTransport(config),
        headers={
            "User-Agent": config.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
        },
        timeout=config.timeout,
        follow_redirects=False,
        trust_env=False,
    )
    async with client:
        checker = _Checker(config=config, client=client, deadline_at=deadline_at)

        async def check_and_report(target: Target) -> CheckResult:
            result = await checker.check(target)
            if on_result is not None:
                on_result(result)
            return result

        tasks = {asyncio.create_task(check_and_report(target)): target for target in targets}
        pending: set[asyncio.Task] = set()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=config.deadline)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
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
) -> dict[str, CheckResult]:
    """check_all, from synchronous code such as a management command."""
    return asyncio.run(check_all(targets, config=config, on_result=on_result))
