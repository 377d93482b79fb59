"""The bot's HTTP client toward the Bot API: python-telegram-bot's `BaseRequest` on aiohttp.

PTB's own `HTTPXRequest` costs about 1.2 ms of CPU a request in httpx and httpcore (request
models, the connection pool scanning every connection, anyio); aiohttp does the same request in
about 0.4 ms. At paid broadcast's 1,000 messages a second that is the difference between
keeping up and not (bench/broadcast.py, docs/benchmarks.md). Parameters are sent as PTB's
`HTTPXRequest` encodes them, each value a string (PTB's `RequestData.json_payload`), in a
JSON body, or as multipart when there are files.
"""

from __future__ import annotations

import logging

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

logger = logging.getLogger(__name__)

JSON_BODY = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """Bot API requests over one aiohttp session, with PTB's timeouts and errors.

    aiohttp has no write timeout of its own: the four timeouts together bound the whole
    request, and the read timeout bounds the wait for the answer.
    """

    __slots__ = (
        "_connect_timeout",
        "_connection_pool_size",
        "_media_write_timeout",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connection_pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None  # made inside the event loop

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connection_pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is None or self._session.closed:
            return
        await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; returns the HTTP status and the body (see `BaseRequest`)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if request_data and files:
            body = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mime_type) in files.items():
                body.add_field(name, content, filename=filename, content_type=mime_type)
        elif request_data:  # cheaper than a form: no percent-encoding, no multipart writer
            body, headers = request_data.json_payload, JSON_BODY
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        write = write_timeout
        if isinstance(write, DefaultValue):
            write = self._media_write_timeout if files else self._write_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        parts = (pool, connect, write, read)
        timeout = aiohttp.ClientTimeout(
            total=None if None in parts else sum(p for p in parts if p is not None),
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
