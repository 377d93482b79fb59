"""The chat page's web server: the page itself, a JSON API for what a person does, and a stream
of server-sent events for what the bot does.

Routes (all on loopback):
    GET  /                              the page (static/index.html, chat.css, chat.js)
    POST /api/people                    a new person (each tab is one)
    GET  /api/people/<id>/events        server-sent events: a snapshot, then every change
    POST /api/people/<id>/text          {"text": ...}: type a message or a /command
    POST /api/people/<id>/press         {"message_id": ..., "data": ...}: press an inline button
    POST /api/people/<id>/location      {"city": ...}: share a location from the short list
    GET  /api/people/<id>/clock         the coach's time and the person's time zone
    POST /api/people/<id>/clock         {"jump": "hour" | "next-0800"}
    GET  /file/<file_id>                a picture, animation or document the bot sent
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tornado.iostream
import tornado.web

from bot.reminders import DISPATCH_JOB
from bot.services import SERVICES_KEY, CoachApp, Services
from bot.tryout.clock import OffsetClock, next_at
from bot.tryout.people import CITIES, PageEvent, People, Person, city_named
from storage.queries import get_user

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
PAGE = "index.html"
KEEPALIVE_SECONDS = 15.0
TEXT_LIMIT = 4096  # what Telegram lets a person type into one message
MORNING = time(8, 0)
# Enough bytes to tell the pictures and animations the bot sends apart.
SIGNATURES = (
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"\x1a\x45\xdf\xa3", "video/webm"),
)


class Tryout:
    """What the page's handlers act on: the people, the coach's clock and the running bot."""

    def __init__(self, people: People, clock: OffsetClock, application: CoachApp) -> None:
        self.people, self.clock, self.application = people, clock, application

    @property
    def services(self) -> Services:
        services = self.application.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services

    async def zone_of(self, person: Person) -> ZoneInfo:
        """The person's time zone as the coach knows it (UTC until they set a reminder)."""
        async with self.services.sessions() as db:
            user = await get_user(db, person.user_id)
        try:
            return ZoneInfo(user.timezone) if user is not None else ZoneInfo("UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    async def clock_state(self, person: Person) -> PageEvent:
        """The coach's time (ms since the epoch) and the zone to show it in."""
        zone = await self.zone_of(person)
        return {"now": int(self.clock().timestamp() * 1000), "zone": zone.key}

    async def jump(self, person: Person, how: str) -> bool:
        """Move the coach's clock, then send what became due at once (reminders)."""
        if how == "hour":
            self.clock.jump(timedelta(hours=1))
        elif how == "next-0800":
            self.clock.jump_to(next_at(self.clock(), await self.zone_of(person), MORNING))
        else:
            return False
        assert self.application.job_queue is not None
        for job in self.application.job_queue.get_jobs_by_name(DISPATCH_JOB):
            await job.run(self.application)
        self.people.everyone({"type": "clock"})
        return True


class _Handler(tornado.web.RequestHandler):
    def initialize(self, tryout: Tryout) -> None:
        self.tryout = tryout

    def prepare(self) -> None:
        # Only pages served from loopback may drive the coach (no DNS-rebinding visitors).
        host = self.request.host_name
        if host not in ("127.0.0.1", "localhost", "[::1]", "::1"):
            raise tornado.web.HTTPError(403)
        # JSON only: another site's page cannot post it here without the browser asking first.
        json_body = self.request.headers.get("Content-Type", "").startswith("application/json")
        if self.request.method == "POST" and not json_body:
            raise tornado.web.HTTPError(415)

    def person(self, person_id: str) -> Person:
        person = self.tryout.people.by_id.get(int(person_id))
        if person is None:  # the try-out restarted: the page starts a new person
            raise tornado.web.HTTPError(404)
        return person

    def body(self) -> dict[str, Any]:
        try:
            decoded = json.loads(self.request.body or b"{}")
        except ValueError:
            raise tornado.web.HTTPError(400) from None
        if not isinstance(decoded, dict):
            raise tornado.web.HTTPError(400)
        return decoded

    def reply(self, payload: PageEvent | None = None) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload or {"ok": True}))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"ok": False, "status": status_code}))


class NewPerson(_Handler):
    """POST /api/people: a new person, with the bot's commands and the cities to share."""

    def post(self) -> None:
        person = self.tryout.people.new_person()
        self.reply(
            {
                "person": person.user_id,
                "name": person.first_name,
                "commands": self.tryout.people.standin.commands,
                "cities": [city.name for city in CITIES],
            }
        )


class Events(_Handler):
    """GET /api/people/<id>/events: the chat as it is, then every change, as server-sent events."""

    async def get(self, person_id: str) -> None:
        person = self.person(person_id)
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-cache")
        stream: asyncio.Queue[PageEvent | None] = asyncio.Queue()
        person.streams.add(stream)
        stream.put_nowait(person.snapshot())
        try:
            while True:
                try:
                    event = await asyncio.wait_for(stream.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    self.write(": still here\n\n")  # finds a closed tab, keeps proxies open
                else:
                    if event is None:
                        break
                    self.write(f"data: {json.dumps(event)}\n\n")
                await self.flush()
        except tornado.iostream.StreamClosedError:
            pass  # the tab was closed or reloaded
        finally:
            person.streams.discard(stream)


class Text(_Handler):
    """POST /api/people/<id>/text: type a message or a /command."""

    def post(self, person_id: str) -> None:
        person = self.person(person_id)
        text = self.body().get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > TEXT_LIMIT:
            raise tornado.web.HTTPError(400)
        self.tryout.people.send_text(person, text)
        self.reply()


class Press(_Handler):
    """POST /api/people/<id>/press: press an inline button (410 when its message is gone)."""

    def post(self, person_id: str) -> None:
        person = self.person(person_id)
        body = self.body()
        message_id, data = body.get("message_id"), body.get("data")
        if not isinstance(message_id, int) or not isinstance(data, str):
            raise tornado.web.HTTPError(400)
        if not self.tryout.people.press(person, message_id, data):
            raise tornado.web.HTTPError(410)  # the message is gone
        self.reply()


class Location(_Handler):
    """POST /api/people/<id>/location: share a city of the short list."""

    def post(self, person_id: str) -> None:
        person = self.person(person_id)
        city = city_named(str(self.body().get("city")))
        if city is None:
            raise tornado.web.HTTPError(400)
        self.tryout.people.share_location(person, city)
        self.reply()


class Clock(_Handler):
    """GET or POST /api/people/<id>/clock: read the coach's clock, or jump it forward."""

    async def get(self, person_id: str) -> None:
        self.reply(await self.tryout.clock_state(self.person(person_id)))

    async def post(self, person_id: str) -> None:
        person = self.person(person_id)
        if not await self.tryout.jump(person, str(self.body().get("jump"))):
            raise tornado.web.HTTPError(400)
        self.reply(await self.tryout.clock_state(person))


class File(_Handler):
    """GET /file/<file_id>: a picture, animation or document the bot sent."""

    def get(self, file_id: str) -> None:
        standin = self.tryout.people.standin
        data = standin.files.get(file_id)
        if data is None:
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", content_type(data, standin.file_names.get(file_id, "")))
        self.set_header("Cache-Control", "private, max-age=3600")
        self.finish(data)


def content_type(data: bytes, name: str) -> str:
    """What a file is, from its first bytes or else its name."""
    if data[4:8] == b"ftyp":
        return "video/mp4"
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            return kind
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def page_application(tryout: Tryout) -> tornado.web.Application:
    """The page's routes; serve it with `listen(port, "127.0.0.1")`."""
    person = r"/api/people/(\d+)"
    with_tryout = {"tryout": tryout}
    return tornado.web.Application(
        [
            (r"/api/people", NewPerson, with_tryout),
            (person + "/events", Events, with_tryout),
            (person + "/text", Text, with_tryout),
            (person + "/press", Press, with_tryout),
            (person + "/location", Location, with_tryout),
            (person + "/clock", Clock, with_tryout),
            (r"/file/([\w-]+)", File, with_tryout),
            (r"/()", tornado.web.StaticFileHandler, {"path": STATIC_DIR, "default_filename": PAGE}),
            (r"/static/(.+)", tornado.web.StaticFileHandler, {"path": STATIC_DIR}),
        ],
        log_function=lambda handler: None,  # no access log: one line per request is noise here
    )


def close_streams(people: People) -> None:
    """End every open event stream, so the server can stop at once."""
    for person in people.by_id.values():
        for stream in list(person.streams):
            stream.put_nowait(None)  # the stream's end
