"""The Bot API methods the stand-in serves, each checked the way Telegram checks it."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from typing import Any

from bot.tryout.standin.chats import (
    BOT_USER,
    EDITING_METHODS,
    SENDING_METHODS,
    Chat,
    ChatEvent,
    Observed,
    Observer,
)
from bot.tryout.standin.validation import (
    CALLBACK_ANSWER_LIMIT,
    Rejection,
    check_reply_markup,
    check_text,
    decode_params,
)


class BotApiMethods:
    """The methods half of TelegramStandIn (server.py), which sets up this state."""

    recording: bool
    global_rate_per_second: int | None
    paid_rate_per_second: int | None
    chat_rate_per_second: int | None
    paid_messages: int
    chats: dict[int, Chat]
    files: dict[str, bytes]
    file_names: dict[str, str]
    observers: list[Observer]
    commands: list[dict[str, Any]]
    commands_by_language: dict[str, list[dict[str, Any]]]
    webhooks: list[tuple[str, str | None]]
    _updates: list[dict[str, Any]]
    _new_update: asyncio.Event
    _stopping: bool
    _message_ids: dict[int, itertools.count[int]]
    _file_ids: itertools.count[int]
    _open_callback_queries: dict[str, int]
    _upload_names: dict[str, str]
    _sent_times: deque[float]
    _all_sent_times: deque[float]
    _chat_sent_times: dict[int, deque[float]]

    def _notify(
        self, kind: str, chat: Chat, message: dict[str, Any], params: dict[str, Any]
    ) -> None:
        for observer in self.observers:
            observer(Observed(kind, chat.chat_id, dict(message), params))

    async def handle(
        self,
        method: str,
        raw: dict[str, str],
        files: dict[str, bytes],
        file_names: dict[str, str] | None = None,
    ) -> Any:
        params = decode_params(method, raw)
        self._upload_names = file_names or {}  # read synchronously below, before any await
        self._check_rate(method, params)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise Rejection(501, f"Not Implemented: the stand-in does not serve {method}")
        if method == "getUpdates":
            return await handler(params)
        return handler(params, files)

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhooks:
            raise Rejection(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        while not self._updates and not self._stopping and time.monotonic() < deadline:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        return self._updates[:limit]

    def _m_getMe(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return {
            **BOT_USER,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_setWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        target = (params["url"], params.get("secret_token"))
        if target not in self.webhooks:
            self.webhooks.append(target)
        return True

    def _m_deleteWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        self.webhooks.clear()
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_setMyCommands(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        for command in params["commands"]:
            if not (1 <= len(command["command"]) <= 32 and 1 <= len(command["description"]) <= 256):
                raise Rejection(400, "Bad Request: BOT_COMMAND_INVALID")
        language = params.get("language_code")
        if language is not None and not (len(language) == 2 and language.isalpha()):
            raise Rejection(400, "Bad Request: invalid language code specified")
        if language:
            self.commands_by_language[language] = params["commands"]
        else:
            self.commands = params["commands"]
        return True

    def _m_sendChatAction(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        self._chat(params)
        return True

    def _m_sendMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat = self._chat(params)
        shown = check_text(params["text"], params.get("parse_mode"))
        check_reply_markup(params.get("reply_markup"))
        return self._deliver(chat, {"text": shown}, params)

    def _m_sendPhoto(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return self._send_media(params, files, "photo")

    def _m_sendAnimation(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return self._send_media(params, files, "animation")

    def _m_sendDocument(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return self._send_media(params, files, "document")

    def _m_editMessageText(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        shown = check_text(params["text"], params.get("parse_mode"))
        check_reply_markup(params.get("reply_markup"))
        if "text" not in message:
            raise Rejection(400, "Bad Request: there is no text in the message to edit")
        return self._edit(chat, message, {"text": shown}, params)

    def _m_editMessageCaption(
        self, params: dict[str, Any], files: dict[str, bytes]
    ) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        shown = check_text(params.get("caption"), params.get("parse_mode"), caption=True)
        check_reply_markup(params.get("reply_markup"))
        return self._edit(chat, message, {"caption": shown}, params)

    def _m_editMessageReplyMarkup(
        self, params: dict[str, Any], files: dict[str, bytes]
    ) -> dict[str, Any]:
        chat, message = self._message_to_edit(params)
        check_reply_markup(params.get("reply_markup"))
        return self._edit(chat, message, {}, params)

    def _m_deleteMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        chat, message = self._message_to_edit(params)
        del chat.messages[message["message_id"]]
        self._notify("delete", chat, message, params)
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        query_id = params["callback_query_id"]
        if query_id not in self._open_callback_queries:
            raise Rejection(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(params.get("text") or "") > CALLBACK_ANSWER_LIMIT:
            raise Rejection(400, "Bad Request: MESSAGE_TOO_LONG")
        chat = self.chats.get(self._open_callback_queries.pop(query_id))
        if chat is not None:
            self._notify("answer", chat, {}, params)
        return True

    # --- internals -------------------------------------------------------------------------------

    def _chat(self, params: dict[str, Any]) -> Chat:
        chat = self.chats.get(int(params["chat_id"]))
        if chat is None:
            raise Rejection(400, "Bad Request: chat not found")
        if chat.blocked:
            raise Rejection(403, "Forbidden: bot was blocked by the user")
        return chat

    def _send_media(
        self, params: dict[str, Any], files: dict[str, bytes], kind: str
    ) -> dict[str, Any]:
        chat = self._chat(params)
        shown = check_text(params.get("caption"), params.get("parse_mode"), caption=True)
        check_reply_markup(params.get("reply_markup"))
        reference = params[kind]
        if isinstance(reference, str) and reference.startswith("attach://"):
            reference = reference.removeprefix("attach://")
        if reference in files:
            file_id = f"{kind}-{next(self._file_ids)}"
            self.files[file_id] = files[reference]
            self.file_names[file_id] = self._upload_names.get(reference, reference)
        elif isinstance(reference, str) and reference in self.files:
            file_id = reference
        else:
            raise Rejection(400, "Bad Request: wrong file identifier/HTTP URL specified")
        media: Any = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[file_id]),
        }
        if kind == "photo":
            media = [{**media, "width": 512, "height": 512}]
        elif kind == "animation":  # Telegram reports the size and length it found in the file
            width, height = int(params.get("width") or 320), int(params.get("height") or 320)
            media = {**media, "width": width, "height": height, "duration": 1}
        if kind in ("animation", "document") and file_id in self.file_names:
            media["file_name"] = self.file_names[file_id]
        content: dict[str, Any] = {kind: media}
        if shown:
            content["caption"] = shown
        return self._deliver(chat, content, params)

    def _deliver(
        self, chat: Chat, content: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat.chat_id]),
            "date": int(time.time()),
            "chat": chat.as_dict(),
            "from": BOT_USER,
            **content,
        }
        if params.get("reply_markup") and "inline_keyboard" in params["reply_markup"]:
            message["reply_markup"] = params["reply_markup"]
        chat.messages[message["message_id"]] = message
        if self.recording:  # a snapshot: edits come later
            chat.events.put_nowait(ChatEvent("message", dict(message)))
        self._notify("message", chat, message, params)
        return message

    def _message_to_edit(self, params: dict[str, Any]) -> tuple[Chat, dict[str, Any]]:
        chat = self._chat(params)
        message = chat.messages.get(int(params.get("message_id") or 0))
        if message is None or message.get("from", {}).get("id") != BOT_USER["id"]:
            raise Rejection(400, "Bad Request: message to edit not found")
        return chat, message

    def _edit(
        self, chat: Chat, message: dict[str, Any], content: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        markup = params.get("reply_markup")
        new_markup = (
            markup if markup and "inline_keyboard" in markup and markup["inline_keyboard"] else None
        )
        unchanged = (
            all(message.get(k) == v for k, v in content.items())
            and message.get("reply_markup") == new_markup
        )
        if unchanged:
            raise Rejection(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.update(content)
        if new_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup
        message["edit_date"] = int(time.time())
        if self.recording:
            chat.events.put_nowait(ChatEvent("edit", dict(message)))
        self._notify("edit", chat, message, params)
        return message

    def _check_rate(self, method: str, params: dict[str, Any]) -> None:
        """Telegram's limits: about 30 messages a second free, up to `paid_rate_per_second` in
        all when the excess carries `allow_paid_broadcast`, and one chat's own limit."""
        if method not in SENDING_METHODS | EDITING_METHODS:
            return
        now = time.monotonic()
        chat_id = int(params.get("chat_id") or 0)
        paid = params.get("allow_paid_broadcast") is True
        window_free = self._sent_times
        window_all = self._all_sent_times
        window_chat = self._chat_sent_times[chat_id]
        for window in (window_free, window_all, window_chat):
            while window and now - window[0] >= 1.0:
                window.popleft()
        if (
            not paid
            and self.global_rate_per_second is not None
            and len(window_free) >= self.global_rate_per_second
        ):
            raise _too_many_requests()
        if self.paid_rate_per_second is not None and len(window_all) >= self.paid_rate_per_second:
            raise _too_many_requests()
        if self.chat_rate_per_second is not None and len(window_chat) >= self.chat_rate_per_second:
            raise _too_many_requests()
        if paid:
            self.paid_messages += 1
        else:
            window_free.append(now)
        window_all.append(now)
        window_chat.append(now)


def _too_many_requests() -> Rejection:
    return Rejection(429, "Too Many Requests: retry after 1")
