"""The Bot API client on aiohttp (bot/transport.py) behaves as PTB's own: the same answers,
files as multipart, and PTB's errors for a server that is silent or not there."""

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut

from bot.transport import AiohttpRequest
from tests.conftest import TOKEN
from tests.standin import ScriptedUser, TelegramStandIn


@pytest.fixture
async def api(standin: TelegramStandIn) -> AsyncIterator[Bot]:
    request = AiohttpRequest()
    async with Bot(TOKEN, base_url=f"{standin.base_url}/bot", request=request) as bot:
        yield bot


async def test_a_message_and_an_upload_reach_telegram_as_sent(
    api: Bot, standin: TelegramStandIn
) -> None:
    chat = ScriptedUser(standin)
    sent = await api.send_message(chat.user_id, "<b>café</b> &amp; more", parse_mode="HTML")
    assert sent.text == "café & more"
    document = InputFile(b"day,pain\n1,3\n", filename="sessions.csv")
    await api.send_document(chat.user_id, document, caption="Your sessions")
    (upload,) = standin.calls_to("sendDocument")
    assert upload.status == 200 and upload.uploaded_files == ("document",)
    assert upload.params["caption"] == "Your sessions"


async def test_a_server_that_never_answers_times_out() -> None:
    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        await asyncio.Event().wait()  # never answers

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
        server.close()


async def test_no_server_there_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
