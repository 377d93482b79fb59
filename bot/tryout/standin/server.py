"""The stand-in: its HTTP server, the users' side (messages, presses, webhook deliveries) and
its memory of chats, updates and every call the bot made. The methods are in methods.py."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import time
from collections import defaultdict, deque
from typing import Any

import tornado.httpclient
import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.tryout.standin.chats import (
    BOT_USER,
    BotApiError,
    Chat,
    ChatEvent,
    Observed,
    Observer,
    RecordedCall,
)
from bot.tryout.standin.methods import BotApiMethods
from bot.tryout.standin.validation import Rejection, decode_params

# Telegram retries a failed delivery for a long while; the stand-in, for a couple of minutes.
DELIVERY_GIVE_UP_SECONDS = 120.0
DELIVERY_TIMEOUT_SECONDS = 120.0  # a delivery is answered once its update is handled

__all__ = ["BOT_USER", "BotApiError", "Chat", "ChatEvent", "Observed", "RecordedCall"]


class TelegramStandIn(BotApiMethods):
    """Serves the Bot API methods the coach uses on 127.0.0.1 and scripts the users' side."""

    def __init__(
        self,
        token: str,
        *,
        global_rate_per_second: int | None = None,
        paid_rate_per_second: int | None = None,
        chat_rate_per_second: int | None = None,
        recording: bool = True,
    ) -> None:
        self.token = token
        # Tests read every call and a queue of events per chat; a long try-out keeps neither.
        self.recording = recording
        # Free messages a second in total; with paid broadcast, messages a second in all.
        self.global_rate_per_second = global_rate_per_second
        self.paid_rate_per_second = paid_rate_per_second
        self.paid_messages = 0  # accepted with allow_paid_broadcast: 0.1 Stars each
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
        self._sent_times: deque[float] = deque()  # free messages only
        self._all_sent_times: deque[float] = deque()
        self._chat_sent_times: dict[int, deque[float]] = defaultdict(deque)
        self.commands: list[dict[str, Any]] = []  # the default list (no language_code)
        self.commands_by_language: dict[str, list[dict[str, Any]]] = {}
        # Webhook mode: registered (url, secret) pairs, served in turn like a load balancer would.
        self.webhooks: list[tuple[str, str | None]] = []
        self.deliveries: list[tuple[int, str, int]] = []  # (update_id, url, HTTP status)
        self.deliver_twice = False  # simulate Telegram retrying a delivery
        self.undelivered: list[int] = []  # update ids given up on, as Telegram does in the end
        self.last_update_id = 0
        self._next_webhook = itertools.count()
        self._delivery_tasks: set[asyncio.Task[None]] = set()
        self.delivered_ids: set[int] = set()  # updates a webhook answered with a 2xx
        self.press_update_ids: dict[str, int] = {}  # callback query id -> its update's id
        self._delivered: dict[int, asyncio.Event] = {}  # waited-for update id -> answered
        self._http: tornado.httpclient.AsyncHTTPClient | None = None
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
        if self._http is not None:
            self._http.close()
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

    def open_chat(self, user_id: int, first_name: str, language_code: str = "en") -> Chat:
        if user_id not in self.chats:
            self.chats[user_id] = Chat(user_id, first_name, language_code=language_code)
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
            "language_code": chat.language_code,
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
        update = self.push_update(
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
        if self.recording:
            self.press_update_ids[query_id] = update["update_id"]
        return query_id

    def unanswered_presses(self) -> set[str]:
        """Callback query ids the bot has not answered (yet)."""
        return set(self._open_callback_queries)

    def expire_callback_query(self, query_id: str) -> None:
        """Telegram takes no answer for this press any more (answered already, or too old)."""
        self._open_callback_queries.pop(query_id, None)

    def push_update(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        self.last_update_id = update["update_id"]
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
        """POST an update to the next webhook until one answers 2xx, as Telegram does: a
        failure, a dropped connection or no answer is retried on the next webhook, backing
        off, for up to `DELIVERY_GIVE_UP_SECONDS`."""
        if self._http is None:  # as Telegram's default max_connections, not tornado's 10
            self._http = tornado.httpclient.AsyncHTTPClient(force_instance=True, max_clients=40)
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + DELIVERY_GIVE_UP_SECONDS
        pause = 0.1
        while True:
            url, secret = self.webhooks[next(self._next_webhook) % len(self.webhooks)]
            headers = {"Content-Type": "application/json"}
            if secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            try:
                response = await self._http.fetch(
                    url,
                    method="POST",
                    body=json.dumps(update),
                    headers=headers,
                    raise_error=False,
                    connect_timeout=5,
                    request_timeout=DELIVERY_TIMEOUT_SECONDS,
                )
                status = response.code
            except (OSError, tornado.httpclient.HTTPClientError):  # refused, reset, timed out
                status = 599
            self.deliveries.append((update["update_id"], url, status))
            if 200 <= status < 300:
                self._note_delivered(update["update_id"])
                return
            if loop.time() > give_up_at:
                self.undelivered.append(update["update_id"])
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)

    def _note_delivered(self, update_id: int) -> None:
        if self.recording:  # a long try-out keeps no memory of every update
            self.delivered_ids.add(update_id)
        waiting = self._delivered.pop(update_id, None)
        if waiting is not None:
            waiting.set()

    async def delivered(self, update_id: int, within: float) -> bool:
        """Wait until a webhook answered this update with a 2xx; False if none did in time."""
        if update_id in self.delivered_ids:
            return True
        waiting = self._delivered.setdefault(update_id, asyncio.Event())
        try:
            await asyncio.wait_for(waiting.wait(), within)
        except TimeoutError:
            return False
        return True

    def tell_refusal(self, call: RecordedCall) -> None:
        """Let watchers of the chat know what Telegram would have refused (for developers)."""
        chat_id = str(call.params.get("chat_id", ""))
        chat = self.chats.get(int(chat_id)) if chat_id.lstrip("-").isdigit() else None
        if chat is not None:
            details = {"method": call.method, "description": call.description}
            self._notify("refused", chat, {}, details)

    async def wait_for_webhooks(self, count: int, within_seconds: float = 60) -> None:
        """Wait until `count` bot instances have registered their webhooks."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within_seconds
        while len(self.webhooks) < count:
            if loop.time() > deadline:
                raise AssertionError(f"only {len(self.webhooks)} webhook(s) registered")
            await asyncio.sleep(0.05)


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
            self.standin.tell_refusal(call)
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
