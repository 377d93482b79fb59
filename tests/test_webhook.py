"""Webhook mode: secret-checked deliveries, a health endpoint, retried deliveries handled once."""

import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import build_application
from bot.services import CoachApp
from bot.webhook import MAX_BODY_BYTES, start_webhook
from tests.conftest import TOKEN, FakeClock, make_settings
from tests.standin import ScriptedUser, TelegramStandIn

SECRET = "s3cret_for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def webhook_bot(
    standin: TelegramStandIn, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[tuple[CoachApp, str]]:
    port = free_port()
    settings = make_settings(
        standin,
        f"sqlite+aiosqlite:///{tmp_path / 'coach.sqlite3'}",
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret=SECRET,
    )
    application = build_application(settings, clock=clock)
    async with application:
        await application.post_init(application)  # type: ignore[misc]
        await application.start()
        server = await start_webhook(application, settings)
        yield application, f"http://127.0.0.1:{port}"
        await server.stop()
        await application.stop()
    await application.post_shutdown(application)  # type: ignore[misc]


async def test_start_through_the_webhook_gets_a_reply(
    webhook_bot: tuple[CoachApp, str], standin: TelegramStandIn
) -> None:
    assert standin.webhooks == [(f"{webhook_bot[1]}/telegram", SECRET)]
    user = ScriptedUser(standin)
    await user.send("/start")
    assert "not medical advice" in await user.reply()
    standin.assert_no_refusals()


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}])
async def test_requests_without_the_right_secret_are_refused(
    webhook_bot: tuple[CoachApp, str], headers: dict[str, str]
) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{webhook_bot[1]}/telegram", json={"update_id": 1}, headers=headers
        )
    assert response.status_code == 403


async def test_garbage_with_the_right_secret_is_a_400_not_a_crash(
    webhook_bot: tuple[CoachApp, str],
) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{webhook_bot[1]}/telegram",
            content=b"not json",
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
    assert response.status_code == 400


async def test_health_endpoint_answers_ok(webhook_bot: tuple[CoachApp, str]) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{webhook_bot[1]}/healthz")
    assert (response.status_code, response.text) == (200, "ok")


async def test_a_retried_delivery_is_handled_once_and_logged_in_one_line(
    webhook_bot: tuple[CoachApp, str], standin: TelegramStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    standin.deliver_twice = True
    user = ScriptedUser(standin)
    with caplog.at_level(logging.INFO):
        await user.send("/start")
        await user.reply()
        await user.no_reply(within=0.5)
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.updates"]
    handled = [line for line in lines if "handler=onboarding.start" in line]
    assert len(handled) == 1 and "user=1 " in handled[0] and "ms=" in handled[0]
    assert any("duplicate-skipped" in line for line in lines)
    assert all(TOKEN not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b"123",
        b'"an update"',
        b"null",
        b"{}",
        b'{"update_id": "1"}',
        b'{"update_id": 1, "message": "hello"}',
        b'{"update_id": 1, "message": {"chat": 5}}',
        b'{"update_id": 1, "callback_query": []}',
        b'{"update_id": 1, "message": {"message_id": 1, "date": 1e300, "chat": {"id": 1}}}',
        b'{"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": [], "text": "/start"}}',
        b"\xff\xfe not utf-8",
    ],
)
async def test_json_of_the_wrong_shape_is_a_400_not_a_500(
    webhook_bot: tuple[CoachApp, str], standin: TelegramStandIn, body: bytes
) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{webhook_bot[1]}/telegram",
            content=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
    assert response.status_code == 400
    user = ScriptedUser(standin)  # and the bot carries on
    await user.send("/start")
    assert "not medical advice" in await user.reply()


async def test_a_body_over_one_megabyte_is_refused_before_it_is_read(
    webhook_bot: tuple[CoachApp, str],
) -> None:
    padding = b" " * (MAX_BODY_BYTES + 1 - len(b'{"update_id": 1}'))
    oversized = b'{"update_id": 1}' + padding
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: sent chunked
        for start in range(0, len(oversized), 65536):
            yield oversized[start : start + 65536]

    async with httpx.AsyncClient() as client:
        declared = await client.post(
            f"{webhook_bot[1]}/telegram", content=oversized, headers=headers
        )
        streamed = await client.post(
            f"{webhook_bot[1]}/telegram", content=chunks(), headers=headers
        )
        without_secret = await client.post(f"{webhook_bot[1]}/telegram", content=oversized)
        just_fits = await client.post(
            f"{webhook_bot[1]}/telegram", content=oversized[:-1], headers=headers
        )
    assert (declared.status_code, streamed.status_code) == (413, 413)
    assert without_secret.status_code == 403
    assert just_fits.status_code == 200  # an update padded to exactly 1 MB is still taken
