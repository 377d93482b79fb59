"""The bot's sentences by key, rendered with every inserted value escaped for Telegram's HTML."""

from __future__ import annotations

import html
import string
from collections.abc import Mapping

from content.i18n import SOURCE_LANGUAGE, Formats


class Html(str):
    """A string that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def escape(value: object) -> Html:
    """Escape a value for Telegram's HTML, leaving Html values as they are."""
    if isinstance(value, Html):
        return value
    return Html(html.escape(str(value), quote=False))


def join_lines(*lines: str) -> Html:
    """Join already-rendered lines, dropping empty ones."""
    return Html("\n".join(line for line in lines if line))


class Texts:
    """Looks up a sentence and fills its placeholders; `formats` writes dates and numbers the
    way readers of the same language expect them."""

    def __init__(self, sentences: Mapping[str, str], formats: Formats | None = None) -> None:
        self._sentences = dict(sentences)
        self.formats = formats or Formats(SOURCE_LANGUAGE)

    def __call__(self, key: str, **values: object) -> Html:
        template = self._sentences[key]
        return Html(template.format(**{name: escape(value) for name, value in values.items()}))

    def template(self, key: str) -> str:
        """The sentence as written, placeholders unfilled."""
        return self._sentences[key]

    def sentence_keys(self) -> list[str]:
        return list(self._sentences)

    def placeholders(self, key: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self._sentences[key]) if name}
