"""The Babel extractor for the content files (babel.cfg names it; pyproject registers it).

`pybabel extract -F babel.cfg` (run by `make messages`) calls `extract_content` for each YAML
file under content/data and writes every readable sentence to the template, with its context
(see content.translatable). Locations are left out: the context already says where a sentence
lives, and catalogues then change only when a sentence does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import yaml

from content.translatable import readable_sentences


def extract_content(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Yield (line, "pgettext", (context, English), comments) for each readable sentence."""
    name = Path(getattr(fileobj, "name", "")).name
    raw = yaml.safe_load(fileobj.read().decode("utf-8"))
    for context, text in readable_sentences(name, raw):
        yield 0, "pgettext", (context, text), []
