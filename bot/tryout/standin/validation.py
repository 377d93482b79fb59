"""Checks a request the way Telegram would: known method, required fields, text, markup, limits."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).parent / "bot_api" / "api.min.json"
MESSAGE_TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
CALLBACK_DATA_LIMIT = 64
BUTTONS_PER_ROW = 8
BUTTONS_PER_MESSAGE = 100
ALLOWED_HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
    "tg-time",
}
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


@dataclass(frozen=True)
class Rejection(Exception):
    """What Telegram would answer instead of ok."""

    status: int
    description: str


@cache
def bot_api_methods() -> dict[str, Any]:
    """The Bot API's methods, by name, from the machine-readable spec."""
    methods: dict[str, Any] = json.loads(SPEC_PATH.read_text())["methods"]
    return methods


def decode_params(method: str, raw: dict[str, str]) -> dict[str, Any]:
    """Turn form values into typed ones: plain strings stay strings, the rest is JSON."""
    spec = bot_api_methods().get(method)
    if spec is None:
        raise Rejection(404, "Not Found")
    fields = {field["name"]: field for field in spec.get("fields", [])}
    params: dict[str, Any] = {}
    for name, value in raw.items():
        types = fields.get(name, {}).get("types", ["String"])
        if types == ["String"]:
            params[name] = value
        else:
            try:
                params[name] = json.loads(value)
            except json.JSONDecodeError:
                params[name] = value
    for name, value in params.items():
        # Telegram ignores a parameter a method does not take; the stand-in refuses it, so a
        # flag sent where it has no effect (paid broadcast on an edit) cannot pass unnoticed.
        if name not in fields:
            raise Rejection(400, f'Bad Request: {method} takes no parameter "{name}"')
        if fields[name]["types"] == ["Boolean"] and not isinstance(value, bool):
            raise Rejection(400, f'Bad Request: parameter "{name}" must be a Boolean')
    for name, field in fields.items():
        if field["required"] and name not in params:
            raise Rejection(400, f'Bad Request: parameter "{name}" is required')
    return params


class _TelegramHtml(HTMLParser):
    """Collects the visible text and rejects what Telegram's HTML parser would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.visible: list[str] = []
        self.open_tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_HTML_TAGS:
            raise Rejection(
                400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"'
            )
        self.open_tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags or self.open_tags[-1] != tag:
            raise Rejection(400, f'Bad Request: can\'t parse entities: Unexpected end tag "{tag}"')
        self.open_tags.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees once entities are parsed, or a rejection for invalid markup."""
    if parse_mode is None or parse_mode == "":
        return text
    if parse_mode != "HTML":
        raise Rejection(400, f"Bad Request: unsupported parse_mode {parse_mode!r} in this stand-in")
    for match in re.finditer(r"&", text):
        if not _ENTITY.match(text, match.start()):
            raise Rejection(400, "Bad Request: can't parse entities: unescaped '&'")
    if re.search(r"<(?![a-zA-Z/])", text) or ">" in re.sub(r"<[^<>]*>", "", text):
        raise Rejection(400, "Bad Request: can't parse entities: unescaped '<' or '>'")
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.open_tags:
        raise Rejection(400, "Bad Request: can't parse entities: unclosed start tag")
    return html.unescape("".join(parser.visible))


def check_text(text: str | None, parse_mode: str | None, *, caption: bool = False) -> str:
    """Validate a message text or caption; return what the user sees."""
    shown = visible_text(text or "", parse_mode)
    if caption:
        if len(shown) > CAPTION_LIMIT:
            raise Rejection(400, "Bad Request: message caption is too long")
        return shown
    if not shown.strip():
        raise Rejection(400, "Bad Request: message text is empty")
    if len(shown) > MESSAGE_TEXT_LIMIT:
        raise Rejection(400, "Bad Request: message is too long")
    return shown


def check_reply_markup(markup: Any) -> None:
    """Reject inline keyboards Telegram would refuse."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise Rejection(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    total = 0
    for row in rows:
        if len(row) > BUTTONS_PER_ROW:
            raise Rejection(400, "Bad Request: too many buttons in a row")
        for button in row:
            total += 1
            if not button.get("text"):
                raise Rejection(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise Rejection(400, "Bad Request: BUTTON_DATA_INVALID")
            kinds = [key for key in button if key not in {"text", "style", "icon_custom_emoji_id"}]
            if len(kinds) != 1:
                raise Rejection(
                    400, "Bad Request: inline keyboard button must have exactly one action"
                )
    if total > BUTTONS_PER_MESSAGE:
        raise Rejection(400, "Bad Request: too many buttons")
