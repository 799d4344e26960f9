"""Connections for httpcore made straight on asyncio's transports.

httpcore's usual backend goes through anyio, which on every read and write opens a cancel
scope and on every reuse of a connection asks the socket for its peer's address. For a link
checker, which makes thousands of short requests, that was a large share of its processor
time. These streams do the same job with one asyncio protocol per connection.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpcore


class ConnectionReset(httpcore.ReadError):
    """The server reset the connection (TCP RST) instead of answering or closing it."""


class _Protocol(asyncio.Protocol):
    """Buffers what arrives; a reader waits for data, end of stream or a lost connection.
    Flow control: reading pauses while the buffer holds more than HIGH_WATER bytes."""

    HIGH_WATER = 256 * 1024

    def __init__(self):
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: Exception | None = None
        self.waiter: asyncio.Future | None = None
        self.paused = False
        self.drain_waiter: asyncio.Future | None = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > self.HIGH_WATER and not self.paused:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self):
        self.eof = True
        self._wake()
        return False  # close our side too

    def connection_lost(self, exc):
        self.eof = True
        self.error = exc
        self._wake()
        if self.drain_waiter is not None and not self.drain_waiter.done():
            self.drain_waiter.set_result(None)

    def pause_writing(self):
        self.drain_waiter = asyncio.get_running_loop().create_future()

    def resume_writing(self):
        if self.drain_waiter is not None and not self.drain_waiter.done():
            self.drain_waiter.set_result(None)
        self.drain_waiter = None

    def _wake(self):
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, protocol: _Protocol):
        self.transport = transport
        self.protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self.protocol
        if not protocol.buffer and not protocol.eof:
            protocol.waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(timeout):
                    await protocol.waiter
            except TimeoutError:
                raise httpcore.ReadTimeout("timed out reading") from None
            finally:
                protocol.waiter = None
        if protocol.buffer:
            data = bytes(protocol.buffer[:max_bytes])
            del protocol.buffer[:max_bytes]
            if protocol.paused and len(protocol.buffer) <= protocol.HIGH_WATER // 2:
                protocol.paused = False
                self.transport.resume_reading()
            return data
        if isinstance(protocol.error, ConnectionResetError):
            raise ConnectionReset(str(protocol.error)) from protocol.error
        if protocol.error is not None:
            raise httpcore.ReadError(str(protocol.error)) from protocol.error
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self.transport.is_closing():
            error = self.protocol.error
            raise httpcore.WriteError(str(error or "the connection is closed")) from error
        self.transport.write(buffer)
        waiter = self.protocol.drain_waiter
        if waiter is not None:
            try:
                async with asyncio.timeout(timeout):
                    await asyncio.shield(waiter)
            except TimeoutError:
                raise httpcore.WriteTimeout("timed out writing") from None

    async def aclose(self) -> None:
        self.transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self.transport, self.protocol, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError:
            self.transport.close()
            raise httpcore.ConnectTimeout("timed out making a secure connection") from None
        except (OSError, ssl.SSLError) as error:
            self.transport.close()
            raise httpcore.ConnectError(str(error)) from error
        self.protocol.transport = transport
        return AsyncioStream(transport, self.protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # Asked of an idle connection before it is used again: anything to read, or the
            # end of the stream, means the server has closed it or broken the protocol.
            return bool(self.protocol.buffer) or self.protocol.eof
        names = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername"}
        if info in names:
            return self.transport.get_extra_info(names[info])
        if info == "socket":
            return self.transport.get_extra_info("socket")
        return None


async def connect(host: str, port: int, *, timeout: float | None) -> AsyncioStream:
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            transport, protocol = await loop.create_connection(_Protocol, host, port)
    except TimeoutError:
        raise httpcore.ConnectTimeout("timed out connecting") from None
    except OSError as error:
        raise httpcore.ConnectError(str(error) or type(error).__name__) from error
    return AsyncioStream(transport, protocol)
