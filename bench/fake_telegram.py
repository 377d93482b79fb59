"""An in-memory Telegram for benchmarks: answers every Bot API call at once, as PTB's own test
suite fakes the transport, and keeps each chat's newest message so a script can press buttons."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT = {"id": 999000111, "is_bot": True, "first_name": "Nerve Coach", "username": "nerve_coach_bot"}


class FakeTelegram(BaseRequest):
    def __init__(self) -> None:
        self.calls = 0
        self.latest: dict[
            int, dict[str, Any]
        ] = {}  # chat id -> newest message, while it has buttons
        self._ids = itertools.count(1_000)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        self.calls += 1
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: Any = True
        if name == "getMe":
            result = BOT
        elif name == "getUpdates":
            result = []
        elif name.startswith(("send", "edit")) and name != "sendChatAction":
            result = self._message(params, animation=name == "sendAnimation")
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _message(self, params: dict[str, Any], *, animation: bool = False) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": int(params.get("message_id") or next(self._ids)),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT,
        }
        if "text" in params:
            message["text"] = params["text"]
        if "caption" in params:
            message["caption"] = params["caption"]
        if "photo" in params:
            message["photo"] = [{"file_id": "ph1", "file_unique_id": "u1", "width": 1, "height": 1}]
        if animation:  # Telegram answers with the file id to send it by next time
            sent = params.get("animation")  # None: uploaded as a file
            message["animation"] = {
                "file_id": sent if isinstance(sent, str) else f"anim{next(self._ids)}",
                "file_unique_id": "u3",
                "width": 1,
                "height": 1,
                "duration": 1,
            }
        if "document" in params:
            message["document"] = {"file_id": "doc1", "file_unique_id": "u2"}
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
            self.latest[chat_id] = message
        elif self.latest.get(chat_id, {}).get("message_id") == message["message_id"]:
            del self.latest[chat_id]  # its buttons were taken away: none left on screen
        return message

    def button(self, chat_id: int, label: str) -> tuple[dict[str, Any], str]:
        """The newest message in the chat with a button starting with `label`, and its data."""
        message = self.latest[chat_id]
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if button["text"].startswith(label):
                    return message, button["callback_data"]
        raise LookupError(f"no button {label!r} in chat {chat_id}")

    def shown(self, chat_id: int) -> str:
        """The text (or caption) of the chat's newest message with buttons."""
        message = self.latest[chat_id]
        return str(message.get("text") or message.get("caption") or "")
