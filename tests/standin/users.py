"""Scripted Telegram users: send text and commands, press buttons, share a location, read."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Any

from bot.tryout.standin.server import Chat, RecordedCall, TelegramStandIn

REPLY_TIMEOUT_SECONDS = 10.0
_user_ids = itertools.count(5_000_001)


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent or edited, as the user sees it."""

    kind: str
    message_id: int
    text: str
    buttons: tuple[tuple[str, str], ...]  # (label, callback_data)
    raw: dict[str, Any]

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.buttons]

    @property
    def has_photo(self) -> bool:
        return "photo" in self.raw

    @property
    def has_animation(self) -> bool:
        return "animation" in self.raw

    def __contains__(self, fragment: str) -> bool:
        return fragment.lower() in self.text.lower()


def _as_bot_message(kind: str, message: dict[str, Any]) -> BotMessage:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    buttons = tuple((b["text"], b.get("callback_data", "")) for row in rows for b in row)
    text = message.get("text") or message.get("caption") or ""
    return BotMessage(kind, message["message_id"], text, buttons, message)


class ScriptedUser:
    """One person in a private chat with the bot."""

    def __init__(
        self,
        standin: TelegramStandIn,
        first_name: str = "Alex",
        user_id: int | None = None,
        language_code: str = "en",
    ):
        self.standin = standin
        self.user_id = user_id if user_id is not None else next(_user_ids)
        self.chat: Chat = standin.open_chat(self.user_id, first_name, language_code)
        self.seen: list[BotMessage] = []
        # Answered questions as they were closed (edited to show the answer, buttons taken away).
        self.closed: list[BotMessage] = []
        self._with_buttons: set[int] = set()  # messages seen with buttons

    # --- acting ----------------------------------------------------------------------------

    async def send(self, text: str) -> None:
        """Type a message; a leading /command carries a bot_command entity, as Telegram sends it."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.standin.post_user_message(self.chat, content)

    async def send_sticker(self) -> None:
        self.standin.post_user_message(
            self.chat,
            {
                "sticker": {
                    "file_id": "stk1",
                    "file_unique_id": "ustk1",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            },
        )

    async def send_photo(self) -> None:
        self.standin.post_user_message(
            self.chat,
            {"photo": [{"file_id": "ph1", "file_unique_id": "uph1", "width": 90, "height": 90}]},
        )

    async def send_voice(self) -> None:
        self.standin.post_user_message(
            self.chat, {"voice": {"file_id": "vc1", "file_unique_id": "uvc1", "duration": 2}}
        )

    async def share_location(self, latitude: float, longitude: float) -> None:
        self.standin.post_user_message(
            self.chat, {"location": {"latitude": latitude, "longitude": longitude}}
        )

    async def press(
        self, label: str, *, on: BotMessage | None = None, timeout: float = REPLY_TIMEOUT_SECONDS
    ) -> str:
        """Press the button whose label starts with `label` on the newest message that has one,
        waiting for such a message to arrive, as a person would. Returns the callback query id."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                message_id, data = self.find_button(label, on=on)
                break
            except AssertionError:
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.01)
        return self.standin.post_button_press(self.chat, message_id, data)

    def find_button(self, label: str, *, on: BotMessage | None = None) -> tuple[int, str]:
        candidates = [on.message_id] if on else sorted(self.chat.messages, reverse=True)
        for message_id in candidates:
            message = self.chat.messages.get(message_id)
            if message is None:
                continue
            for text, data in _as_bot_message("message", message).buttons:
                if text.lower().startswith(label.lower()):
                    return message_id, data
        shown = [m.labels for m in self.seen[-3:]]
        raise AssertionError(f"no button starting with {label!r}; the last buttons seen: {shown}")

    async def press_data(self, message_id: int, data: str) -> str:
        """Send any callback data for a message, as a modified client could; returns the
        callback query id."""
        return self.standin.post_button_press(self.chat, message_id, data)

    # --- reading ---------------------------------------------------------------------------

    async def _next(self, timeout: float) -> BotMessage:
        """The next message or edit, passing over (and keeping in `closed`) each answered
        question the bot closes: that edit is not something the bot says."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = await asyncio.wait_for(self.chat.events.get(), max(deadline - loop.time(), 0))
            message = _as_bot_message(event.kind, event.message)
            if not self._closes_a_question(message):
                return message

    def _closes_a_question(self, message: BotMessage) -> bool:
        """Whether this is an edit that took a message's buttons away (and note it if so)."""
        if message.buttons:
            self._with_buttons.add(message.message_id)
            return False
        if message.kind != "edit" or message.message_id not in self._with_buttons:
            return False
        self._with_buttons.discard(message.message_id)
        self.closed.append(message)
        return True

    async def reply(self, timeout: float = REPLY_TIMEOUT_SECONDS) -> BotMessage:
        """The next message the bot sends in this chat, or the next edit that is not the
        closing of an answered question (see `closed`)."""
        try:
            message = await self._next(timeout)
        except TimeoutError:
            raise AssertionError(
                f"no reply within {timeout} s; last seen: {[m.text[:60] for m in self.seen[-3:]]}"
            ) from None
        self.seen.append(message)
        return message

    async def answer_to(
        self, query_id: str, timeout: float = REPLY_TIMEOUT_SECONDS
    ) -> RecordedCall:
        """Wait for the bot to answer this press (it does so last, after any edit)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for call in self.standin.calls_to("answerCallbackQuery"):
                if call.params.get("callback_query_id") == query_id:
                    return call
            if loop.time() > deadline:
                raise AssertionError(f"press {query_id} was never answered")
            await asyncio.sleep(0.01)

    def message(self, message_id: int) -> BotMessage:
        """One of the bot's messages as the chat shows it now, after any edits."""
        return _as_bot_message("message", self.chat.messages[message_id])

    async def expect(self, fragment: str, timeout: float = REPLY_TIMEOUT_SECONDS) -> BotMessage:
        """Read replies until one contains `fragment` (case-insensitive)."""
        skipped: list[str] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no reply containing {fragment!r}; got instead: {skipped}")
            try:
                message = await self.reply(timeout=remaining)
            except AssertionError:
                raise AssertionError(
                    f"no reply containing {fragment!r}; got instead: {skipped}"
                ) from None
            if fragment in message:
                return message
            skipped.append(message.text[:80])

    async def no_reply(self, within: float = 0.5) -> None:
        """Assert that the bot stays quiet for a short while (closing a question is quiet)."""
        try:
            message = await self._next(within)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected reply: {message.text!r}")

    def drain(self) -> list[BotMessage]:
        """Take every reply already queued, without waiting."""
        drained = []
        while not self.chat.events.empty():
            event = self.chat.events.get_nowait()
            message = _as_bot_message(event.kind, event.message)
            if not self._closes_a_question(message):
                drained.append(message)
        self.seen.extend(drained)
        return drained

    def block_bot(self) -> None:
        self.chat.blocked = True


class ScriptedGroup:
    """A group, supergroup or channel with the bot in it; members type and press there."""

    def __init__(
        self, standin: TelegramStandIn, title: str = "Back pain club", kind: str = "group"
    ) -> None:
        self.standin = standin
        self.chat: Chat = standin.open_group(title, kind)

    def add_bot(self, by: ScriptedUser) -> None:
        """Someone adds the bot to this chat."""
        self.standin.post_bot_added(self.chat, by.chat)

    async def send(self, member: ScriptedUser, text: str) -> None:
        """A member types here (a channel's post has no sender)."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.standin.post_user_message(self.chat, content, sender=member.chat)

    async def press_data(self, member: ScriptedUser, message_id: int, data: str) -> str:
        """A member presses a button with any data on one of the bot's messages here."""
        return self.standin.post_button_press(self.chat, message_id, data, sender=member.chat)

    async def reply(self, timeout: float = REPLY_TIMEOUT_SECONDS) -> BotMessage:
        """The next message or edit the bot makes in this chat."""
        try:
            event = await asyncio.wait_for(self.chat.events.get(), timeout)
        except TimeoutError:
            title = self.chat.first_name
            raise AssertionError(f"no reply in {title!r} within {timeout} s") from None
        return _as_bot_message(event.kind, event.message)

    async def no_reply(self, within: float = 0.5) -> None:
        """Assert that the bot stays quiet here for a short while."""
        try:
            event = await asyncio.wait_for(self.chat.events.get(), within)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected reply in a group: {event.message!r}")
