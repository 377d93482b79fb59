"""The bot's message text, in Telegram's HTML subset, made safe to put into the chat page.

Only the tags Telegram allows survive (mapped to plain HTML the page styles); links keep an
http, https, tg or mailto address; everything else becomes escaped text.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from urllib.parse import urlsplit

# Telegram's tag -> the page's tag (same meaning, one spelling each).
PAGE_TAGS = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "a",
    "span": "span",
    "tg-spoiler": "span",
    "tg-emoji": "span",
    "tg-time": "span",
}
LINK_SCHEMES = {"http", "https", "tg", "mailto"}


class _PageHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[tuple[str, str]] = []  # (Telegram's tag, the page's tag)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        page_tag = PAGE_TAGS.get(tag)
        if page_tag is None:
            return  # Telegram would have refused it; show its text only
        values = dict(attrs)
        extra = ""
        if tag == "a":
            href = values.get("href") or ""
            if urlsplit(href).scheme.lower() in LINK_SCHEMES:
                extra = f' href="{html.escape(href)}" target="_blank" rel="noopener noreferrer"'
        elif tag == "tg-spoiler" or (tag == "span" and values.get("class") == "tg-spoiler"):
            extra = ' class="spoiler"'
        self.out.append(f"<{page_tag}{extra}>")
        self.open.append((tag, page_tag))

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1][0] == tag:
            self.out.append(f"</{self.open.pop()[1]}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        while self.open:
            self.out.append(f"</{self.open.pop()[1]}>")
        return "".join(self.out)


def page_html(text: str | None, parse_mode: str | None) -> str:
    """Safe HTML for the page from a message text or caption and its parse mode."""
    if not text:
        return ""
    if (parse_mode or "").upper() != "HTML":
        return html.escape(text, quote=False)
    parser = _PageHtml()
    parser.feed(text)
    return parser.result()
