"""The people trying the coach, one per browser tab: what each chat shows, kept as page items.

The stand-in tells us everything that happens in a chat (Observed); each change becomes a page
event (JSON) for that tab's open event streams, and the current state is kept so that a
reloaded tab can be shown its chat again.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.tryout.standin import Chat, Observed, TelegramStandIn
from bot.tryout.telegram_html import page_html

PageEvent = dict[str, Any]

FIRST_NAMES = ("Alex", "Sam", "Robin", "Kim", "Jo", "Noor", "Ari", "Mika")


@dataclass(frozen=True, slots=True)
class City:
    name: str
    latitude: float
    longitude: float


# A short list to share a location from; each lies in a different time zone.
CITIES = (
    City("London", 51.5074, -0.1278),
    City("Berlin", 52.52, 13.405),
    City("New York", 40.7128, -74.006),
    City("Los Angeles", 34.0522, -118.2437),
    City("São Paulo", -23.5505, -46.6333),
    City("Lagos", 6.5244, 3.3792),
    City("Mumbai", 19.076, 72.8777),
    City("Tokyo", 35.6762, 139.6503),
    City("Sydney", -33.8688, 151.2093),
)


@dataclass
class Person:
    """One tab's Telegram user, their chat as the page shows it, and the tab's event streams."""

    user_id: int
    first_name: str
    chat: Chat
    items: dict[str, PageEvent] = field(default_factory=dict)  # in the order they appeared
    keyboard: PageEvent | None = None  # the reply keyboard under the text box, if any
    streams: set[asyncio.Queue[PageEvent | None]] = field(default_factory=set)  # None ends one

    def publish(self, event: PageEvent) -> None:
        for stream in self.streams:
            stream.put_nowait(event)

    def snapshot(self) -> PageEvent:
        """Everything a freshly opened page needs to draw this chat as it is."""
        return {"type": "snapshot", "items": list(self.items.values()), "keyboard": self.keyboard}


class People:
    """Every person of this run, fed by the stand-in's observations."""

    def __init__(self, standin: TelegramStandIn, clock: Callable[[], datetime]) -> None:
        self.standin = standin
        self.clock = clock
        self.by_id: dict[int, Person] = {}
        # Ids from the wall clock: a new run never meets an earlier run's people in the database.
        self._user_ids = itertools.count(int(time.time() * 1000))
        self._notices = itertools.count(1)
        standin.observers.append(self._observe)

    def new_person(self) -> Person:
        """A new Telegram user with a private chat, for a new tab."""
        user_id = next(self._user_ids)
        first_name = FIRST_NAMES[len(self.by_id) % len(FIRST_NAMES)]
        person = Person(user_id, first_name, self.standin.open_chat(user_id, first_name))
        self.by_id[user_id] = person
        return person

    def everyone(self, event: PageEvent) -> None:
        """Tell every open tab (the clock is shared by all)."""
        for person in self.by_id.values():
            person.publish(event)

    # --- what the person does ---------------------------------------------------------------

    def send_text(self, person: Person, text: str) -> None:
        """Typed text; a leading /command carries a bot_command entity, as Telegram sends it."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.standin.post_user_message(person.chat, content)

    def share_location(self, person: Person, city: City) -> None:
        """Send the city's location, as Telegram's location sharing does."""
        location = {"latitude": city.latitude, "longitude": city.longitude}
        self.standin.post_user_message(person.chat, {"location": location})

    def press(self, person: Person, message_id: int, data: str) -> bool:
        """Press an inline button; False when the message is gone."""
        if message_id not in person.chat.messages:
            return False
        self.standin.post_button_press(person.chat, message_id, data)
        return True

    # --- what the stand-in saw --------------------------------------------------------------

    def _observe(self, seen: Observed) -> None:
        person = self.by_id.get(seen.chat_id)
        if person is None:
            return  # a chat of the bot that is not a tab (none in the try-out)
        if seen.kind == "refused":  # shown in the chat, so a developer sees what went wrong
            key = f"refused-{next(self._notices)}"
            text = f"Telegram would refuse {seen.params['method']}: {seen.params['description']}"
            notice = {
                "id": key,
                "from": "system",
                "html": page_html(text, None),
                "at": self._now_ms(),
            }
            person.items[key] = notice
            person.publish({"type": "message", "item": notice})
            return
        if seen.kind == "answer":
            if seen.params.get("text"):
                alert = bool(seen.params.get("show_alert"))
                person.publish({"type": "toast", "text": seen.params["text"], "alert": alert})
            return
        key = f"{'me' if seen.kind == 'user' else 'bot'}-{seen.message.get('message_id')}"
        if seen.kind == "delete":
            person.items.pop(key, None)
            person.publish({"type": "delete", "id": key})
            return
        item = self._user_item(key, seen) if seen.kind == "user" else self._bot_item(key, seen)
        item["edited"] = seen.kind == "edit"
        person.items[key] = item
        person.publish({"type": "edit" if seen.kind == "edit" else "message", "item": item})
        self._follow_reply_keyboard(person, seen)

    def _user_item(self, key: str, seen: Observed) -> PageEvent:
        location = seen.message.get("location")
        if location is not None:
            place = _city_at(location["latitude"], location["longitude"])
            text = f"📍 {place}" if place else "📍 Location"
        else:
            text = seen.message.get("text") or ""
        return {"id": key, "from": "me", "html": page_html(text, None), "at": self._now_ms()}

    def _bot_item(self, key: str, seen: Observed) -> PageEvent:
        person_items = self.by_id[seen.chat_id].items
        message, params = seen.message, seen.params
        earlier = person_items.get(key)
        if "text" in params or "caption" in params or earlier is None:
            shown = page_html(params.get("text") or params.get("caption"), params.get("parse_mode"))
        else:  # only the buttons changed
            shown = earlier["html"]
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        buttons = [
            [{"text": b["text"], "data": b.get("callback_data"), "url": b.get("url")} for b in row]
            for row in rows
        ]
        return {
            "id": key,
            "message_id": message["message_id"],
            "from": "bot",
            "html": shown,
            "media": self._media(message),
            "buttons": buttons,
            "at": earlier["at"] if earlier else self._now_ms(),
        }

    def _media(self, message: dict[str, Any]) -> PageEvent | None:
        for kind in ("photo", "animation", "video", "document"):
            media = message.get(kind)
            if media is None:
                continue
            file_id = media[-1]["file_id"] if isinstance(media, list) else media["file_id"]
            name = self.standin.file_names.get(file_id, file_id)
            return {"kind": kind, "url": f"/file/{file_id}", "name": name}
        return None

    def _follow_reply_keyboard(self, person: Person, seen: Observed) -> None:
        """A reply keyboard stays under the text box until removed (or used, if one-time)."""
        markup = seen.params.get("reply_markup")
        if seen.kind == "user" and person.keyboard and person.keyboard.get("one_time"):
            person.keyboard = None
        elif seen.kind == "message" and isinstance(markup, dict) and "keyboard" in markup:
            person.keyboard = {
                "rows": [
                    [
                        {
                            "text": b if isinstance(b, str) else b["text"],
                            "location": isinstance(b, dict) and bool(b.get("request_location")),
                        }
                        for b in row
                    ]
                    for row in markup["keyboard"]
                ],
                "one_time": bool(markup.get("one_time_keyboard")),
                "placeholder": markup.get("input_field_placeholder") or "",
            }
        elif seen.kind == "message" and isinstance(markup, dict) and markup.get("remove_keyboard"):
            person.keyboard = None
        else:
            return
        person.publish({"type": "keyboard", "keyboard": person.keyboard})

    def _now_ms(self) -> int:
        """The coach's time (jumps included), for the page to show in the person's zone."""
        return int(self.clock().timestamp() * 1000)


def city_named(name: str) -> City | None:
    """The city of the short list with this name, if any."""
    return next((city for city in CITIES if city.name == name), None)


def _city_at(latitude: float, longitude: float) -> str | None:
    for city in CITIES:
        if (city.latitude, city.longitude) == (latitude, longitude):
            return city.name
    return None
