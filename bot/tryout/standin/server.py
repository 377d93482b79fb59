"""The stand-in's HTTP server and its memory of chats, updates and every call the bot made."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tornado.httpclient
import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.tryout.standin.validation import (
    CALLBACK_ANSWER_LIMIT,
    Rejection,
    check_reply_markup,
    check_text,
    decode_params,
)

BOT_USER = {
    "id": 999000111,
    "is_bot": True,
    "first_name": "Nerve Coach",
    "username": "nerve_coach_bot",
}
SENDING_METHODS = {"sendMessage", "sendPhoto", "sendDocument", "sendAnimation"}
EDITING_METHODS = {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}


class BotApiError(AssertionError):
    """A test expected no refusals from the stand-in, but the bot caused some."""


@dataclass
class RecordedCall:
    method: str
    params: dict[str, Any]
    status: int
    description: str = ""
    uploaded_files: tuple[str, ...] = ()
    at: float = 0.0


@dataclass
class ChatEvent:
    """Something the bot did in a chat that a user would notice."""

    kind: str  # "message" or "edit"
    message: dict[str, Any]


@dataclass(frozen=True)
class Observed:
    """One thing that happened in a chat, for watchers such as the try-out's chat page.

    kind is "user" (the person sent something), "message", "edit", "delete" or "answer" (a
    callback query answered); params are the bot's call as sent (text with its markup)."""

    kind: str
    chat_id: int
    message: dict[str, Any]
    params: dict[str, Any]


Observer = Callable[[Observed], None]


@dataclass
class Chat:
    chat_id: int
    first_name: str  # a private chat's person; a group's or channel's title
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: asyncio.Queue[ChatEvent] = field(default_factory=asyncio.Queue)
    blocked: bool = False
    type: str = "private"  # or "group", "supergroup", "channel"

    def as_dict(self) -> dict[str, Any]:
        """The chat as Telegram shows it in a message."""
        if self.type == "private":
            return {"id": self.chat_id, "type": "private", "first_name": self.first_name}
        return {"id": self.chat_id, "type": self.type, "title": self.first_name}


class TelegramStandIn:
    """Serves the Bot API methods the coach uses on 127.0.0.1 and scripts the users' side."""

    def __init__(
        self,
        token: str,
        *,
        global_rate_per_second: int | None = None,
        chat_rate_per_second: int | None = None,
        recording: bool = True,
    ) -> None:
        self.token = token
        # Tests read every call and a queue of events per chat; a long try-out keeps neither.
        self.recording = recording
        self.global_rate_per_second = global_rate_per_second
        self.chat_rate_per_second = chat_rate_per_second
        self.calls: list[RecordedCall] = []
        self.chats: dict[int, Chat] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._callback_ids = itertools.count(1)
        self._open_callback_queries: dict[str, int] = {}  # query id -> chat id
        self._file_ids = itertools.count(1)
        self._group_ids = itertools.count(1_000_001)
        self.files: dict[str, bytes] = {}
        self.file_names: dict[str, str] = {}  # file id -> the name it was uploaded with
        self.observers: list[Observer] = []
        self._upload_names: dict[str, str] = {}
        self._new_update = asyncio.Event()
        self._sent_times: deque[float] = deque()
        self._chat_sent_times: dict[int, deque[float]] = defaultdict(deque)
        self.commands: list[dict[str, Any]] = []
        # Webhook mode: registered (url, secret) pairs, served in turn like a load balancer would.
        self.webhooks: list[tuple[str, str | None]] = []
        self.deliveries: list[tuple[int, str, int]] = []  # (update_id, url, HTTP status)
        self.deliver_twice = False  # simulate Telegram retrying a delivery
        self._next_webhook = itertools.count()
        self._delivery_tasks: set[asyncio.Task[None]] = set()
        self._server: tornado.httpserver.HTTPServer | None = None
        self._stopping = False
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> str:
        """Listen on a free loopback port; return the base URL to give the bot."""
        app = tornado.web.Application([(r"/bot([^/]+)/(\w+)", _MethodHandler, {"standin": self})])
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        return self.base_url

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        self._stopping = True
        self._new_update.set()  # a long poll still waiting answers now, so its connection closes
        for task in list(self._delivery_tasks):
            task.cancel()
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()

    # --- what tests inspect ------------------------------------------------------------------

    def refusals(self) -> list[RecordedCall]:
        """Every call the stand-in refused with a 4xx, the way Telegram would."""
        return [call for call in self.calls if call.status >= 400]

    def assert_no_refusals(self, *, allowed_status: tuple[int, ...] = ()) -> None:
        bad = [call for call in self.refusals() if call.status not in allowed_status]
        if bad:
            lines = "\n".join(f"{c.method} -> {c.status} {c.description}" for c in bad)
            raise BotApiError(f"the stand-in refused {len(bad)} call(s):\n{lines}")

    def calls_to(self, method: str, chat_id: int | None = None) -> list[RecordedCall]:
        return [
            call
            for call in self.calls
            if call.method == method
            and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
        ]

    # --- the users' side ---------------------------------------------------------------------

    def open_chat(self, user_id: int, first_name: str) -> Chat:
        if user_id not in self.chats:
            self.chats[user_id] = Chat(chat_id=user_id, first_name=first_name)
        return self.chats[user_id]

    def open_group(self, title: str, kind: str = "group") -> Chat:
        """A group, supergroup or channel (negative ids, as Telegram gives them)."""
        number = next(self._group_ids)
        # Basic groups have small negative ids; supergroups and channels are -100 followed by more.
        chat_id = -number if kind == "group" else -(10**12 + number)
        self.chats[chat_id] = Chat(chat_id=chat_id, first_name=title, type=kind)
        return self.chats[chat_id]

    def user_dict(self, chat: Chat) -> dict[str, Any]:
        return {
            "id": chat.chat_id,
            "is_bot": False,
            "first_name": chat.first_name,
            "language_code": "en",
        }

    def post_user_message(
        self, chat: Chat, content: dict[str, Any], sender: Chat | None = None
    ) -> dict[str, Any]:
        """Queue a message from a user (`sender`, in a group), as getUpdates would deliver it."""
        message = {
            "message_id": next(self._message_ids[chat.chat_id]),
            "date": int(time.time()),
            "chat": chat.as_dict(),
            "from": self.user_dict(sender or chat),
            **content,
        }
        kind = "channel_post" if chat.type == "channel" else "message"
        if kind == "channel_post":
            message.pop("from")
        self.push_update({kind: message})
        self._notify("user", chat, message, content)
        return message

    def post_bot_added(self, chat: Chat, by: Chat) -> dict[str, Any]:
        """Queue the my_chat_member update Telegram sends when someone adds the bot to a chat."""
        status = "administrator" if chat.type == "channel" else "member"
        member = {"user": BOT_USER}
        rights = {
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": False,
            "can_manage_video_chats": False,
            "can_restrict_members": False,
            "can_promote_members": False,
            "can_change_info": False,
            "can_invite_users": False,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
            "can_post_messages": True,
        }
        new_member = {**member, "status": status, **(rights if status == "administrator" else {})}
        return self.push_update(
            {
                "my_chat_member": {
                    "chat": chat.as_dict(),
                    "from": self.user_dict(by),
                    "date": int(time.time()),
                    "old_chat_member": {**member, "status": "left"},
                    "new_chat_member": new_member,
                }
            }
        )

    def post_button_press(
        self, chat: Chat, message_id: int, data: str, sender: Chat | None = None
    ) -> str:
        """Queue a callback query for a button on one of the bot's messages."""
        query_id = str(next(self._callback_ids))
        self._open_callback_queries[query_id] = chat.chat_id
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user_dict(sender or chat),
                    "message": chat.messages[message_id],
                    "chat_instance": f"ci{chat.chat_id}",
                    "data": data,
                }
            }
        )
        return query_id

    def push_update(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        if self.webhooks:
            for _ in range(2 if self.deliver_twice else 1):
                task = asyncio.get_running_loop().create_task(self._post_to_webhook(update))
                self._delivery_tasks.add(task)
                task.add_done_callback(self._delivery_tasks.discard)
            return update
        self._updates.append(update)
        self._new_update.set()
        return update

    async def _post_to_webhook(self, update: dict[str, Any]) -> None:
        """POST an update to the next webhook; retry a failure on the next one, as Telegram does."""
        client = tornado.httpclient.AsyncHTTPClient()
        for _attempt in range(5):
            url, secret = self.webhooks[next(self._next_webhook) % len(self.webhooks)]
            headers = {"Content-Type": "application/json"}
            if secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            try:
                response = await client.fetch(
                    url, method="POST", body=json.dumps(update), headers=headers, raise_error=False
                )
                status = response.code
            except OSError:
                status = 599
            self.deliveries.append((update["update_id"], url, status))
            if 200 <= status < 300:
                return
            await asyncio.sleep(0.2)

    async def wait_for_webhooks(self, count: int, within_seconds: float = 60) -> None:
        """Wait until `count` bot instances have registered their webhooks."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within_seconds
        while len(self.webhooks) < count:
            if loop.time() > deadline:
                raise AssertionError(f"only {len(self.webhooks)} webhook(s) registered")
            await asyncio.sleep(0.05)

    # --- methods -------------------------------------------------------------------------------

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
        if method not in SENDING_METHODS | EDITING_METHODS:
            return
        now = time.monotonic()
        chat_id = int(params.get("chat_id") or 0)
        window_all = self._sent_times
        window_chat = self._chat_sent_times[chat_id]
        for window in (window_all, window_chat):
            while window and now - window[0] >= 1.0:
                window.popleft()
        if (
            self.global_rate_per_second is not None
            and len(window_all) >= self.global_rate_per_second
        ):
            raise _too_many_requests()
        if self.chat_rate_per_second is not None and len(window_chat) >= self.chat_rate_per_second:
            raise _too_many_requests()
        window_all.append(now)
        window_chat.append(now)


def _too_many_requests() -> Rejection:
    return Rejection(429, "Too Many Requests: retry after 1")


class _MethodHandler(tornado.web.RequestHandler):
    def initialize(self, standin: TelegramStandIn) -> None:
        self.standin = standin

    async def post(self, token: str, method: str) -> None:
        await self._serve(token, method)

    async def get(self, token: str, method: str) -> None:
        await self._serve(token, method)

    async def _serve(self, token: str, method: str) -> None:
        raw, files, file_names = self._read_request()
        for name in files:  # an uploaded file stands for its own parameter
            raw.setdefault(name, f"attach://{name}")
        call = RecordedCall(
            method, dict(raw), 200, uploaded_files=tuple(files), at=time.monotonic()
        )
        try:
            if token != self.standin.token:
                raise Rejection(401, "Unauthorized")
            with contextlib.suppress(Rejection):  # recorded as sent; handle() refuses it below
                call.params = decode_params(method, raw)
            result = await self.standin.handle(method, raw, files, file_names)
            body: dict[str, Any] = {"ok": True, "result": result}
        except Rejection as refusal:
            call.status, call.description = refusal.status, refusal.description
            body = {"ok": False, "error_code": refusal.status, "description": refusal.description}
            if refusal.status == 429:
                body["parameters"] = {"retry_after": 1}
        if self.standin.recording:
            self.standin.calls.append(call)
        self.set_status(call.status if call.status < 500 else 500)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def _read_request(self) -> tuple[dict[str, str], dict[str, bytes], dict[str, str]]:
        if self.request.headers.get("Content-Type", "").startswith("application/json"):
            decoded = json.loads(self.request.body or b"{}")
            raw_json = {k: v if isinstance(v, str) else json.dumps(v) for k, v in decoded.items()}
            return raw_json, {}, {}
        raw = {name: values[-1].decode() for name, values in self.request.body_arguments.items()}
        raw.update(
            {name: values[-1].decode() for name, values in self.request.query_arguments.items()}
        )
        files = {name: parts[0]["body"] for name, parts in self.request.files.items()}
        names = {name: parts[0]["filename"] for name, parts in self.request.files.items()}
        return raw, files, names
