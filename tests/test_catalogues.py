"""The translation catalogues stay complete and safe: every English sentence translated, the
same placeholders and Telegram HTML, within Telegram's limits, no English left behind, the
glossary used, and the compiled catalogues up to date with the .po files.

After changing English content, `make messages` updates every .po; these tests then name each
message still to translate.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.tryout.standin.validation import CALLBACK_ANSWER_LIMIT, Rejection, visible_text
from content.i18n import LANGUAGES, LOCALES_DIR, SOURCE_LANGUAGE, catalogue_path
from content.library import DATA_DIR, library_for, placeholders
from content.models import DoseLevel, RegionKey, Side
from content.translatable import WALKS, readable_sentences

TRANSLATED = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]
# Telegram sets no hard limit on a button's text, but a phone cuts a long one off: ours.
BUTTON_TEXT_LIMIT = 64
COMMAND_DESCRIPTION_LIMIT = 256
# Words that only English uses among our languages; any of them in a translation is a leftover.
ENGLISH_WORDS = {
    "the", "and", "your", "you", "with", "of", "is", "it", "please", "this", "that", "for",
    "to", "are", "my", "or", "not", "what", "if", "when", "after", "before", "pain", "back",
    "leg", "arm", "neck", "session", "exercise", "reps", "hold", "set", "side", "left", "right",
}  # fmt: skip
# A glossary's `same_spelling` lists its own words spelled like one of these (German "Arm").
CYRILLIC_LANGUAGES = {"ru", "uk"}
_TAG = re.compile(r"</?([a-z-]+)[^>]*>")
_PLACEHOLDER = re.compile(r"\{\w*\}")
_COMMAND = re.compile(r"/[a-z_]+")
_TIME_ZONE = re.compile(r"\b(?:[A-Z][A-Za-z_]+(?:/[A-Za-z_]+)+|UTC)\b")  # values, not words


def source_messages() -> dict[tuple[str, str], str]:
    """Every (context, English) the content files have now, as the extractor finds them."""
    found: dict[tuple[str, str], str] = {}
    for path in sorted(DATA_DIR.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for context, text in readable_sentences(path.name, raw):
            found[(context, text)] = path.name
    return found


@cache
def po(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as file:
        return read_po(file, locale=language)


def translations(language: str) -> list[tuple[str, str, str]]:
    """(context, English, translation) for every message of a language's catalogue."""
    return [(m.context or "", m.id, m.string) for m in po(language) if m.id]  # type: ignore[misc]


@cache
def glossary(language: str) -> dict[str, object]:
    path = LOCALES_DIR / language / "glossary.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: a mapping"
    return data


def allowed_english(language: str) -> list[str]:
    terms = glossary(language).get("allowed_english") or []
    assert isinstance(terms, list)
    return sorted((str(term) for term in terms), key=len, reverse=True)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_english_sentence_is_translated_and_nothing_is_stale(language: str) -> None:
    wanted = source_messages()
    catalogue = po(language)
    missing = [
        f"{context} | {english[:60]!r}"
        for context, english in wanted
        if not (m := catalogue.get(english, context=context)) or not m.string
    ]
    fuzzy = [f"{m.context} | {m.id[:60]!r}" for m in catalogue if m.id and m.fuzzy]
    stale = [
        f"{m.context} | {m.id[:60]!r}"
        for m in catalogue
        if m.id and (m.context, m.id) not in wanted
    ]
    assert not missing, f"{language}: translate these (run `make messages` first):\n" + "\n".join(
        missing
    )
    assert not fuzzy, f"{language}: check and unmark these fuzzy translations:\n" + "\n".join(fuzzy)
    assert not stale, f"{language}: no longer in the content (`make messages`):\n" + "\n".join(
        stale
    )
    assert not catalogue.obsolete, f"{language}: obsolete entries left: {list(catalogue.obsolete)}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_telegram_html(language: str) -> None:
    for context, english, translated in translations(language):
        if not translated:
            continue
        assert placeholders(translated) == placeholders(english), f"{language} {context}"
        tags = Counter(_TAG.findall(translated))
        assert tags == Counter(_TAG.findall(english)), f"{language} {context}: {dict(tags)}"
        try:
            visible_text(_PLACEHOLDER.sub("x", translated), "HTML")
        except Rejection as error:
            raise AssertionError(f"{language} {context}: {error}") from None


def leftover_english(language: str, text: str) -> list[str]:
    """English words in a translated sentence or a message the bot sent, once allowed terms and
    commands are taken out."""
    for term in allowed_english(language):
        text = text.replace(term, " ")
    text = _TIME_ZONE.sub(" ", text)
    text = _COMMAND.sub(" ", _PLACEHOLDER.sub(" ", _TAG.sub(" ", text)))
    words = re.findall(r"[A-Za-z]+(?:'[A-Za-z]+)*", text)
    if language in CYRILLIC_LANGUAGES:
        return words  # no Latin letters at all outside the allowed terms
    own = {str(word).lower() for word in glossary(language).get("same_spelling") or []}
    return [word for word in words if word.lower() in ENGLISH_WORDS - own]


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_english_is_left_in_a_translation(language: str) -> None:
    leftovers = {
        context: found
        for context, english, translated in translations(language)
        if translated and (found := leftover_english(language, translated))
    }
    assert not leftovers, f"{language}: English left (or add to allowed_english): {leftovers}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_glossary_is_used_consistently(language: str) -> None:
    """Where the English uses a glossary term, the translation uses the glossary's word."""
    checks = glossary(language).get("consistent") or {}
    assert isinstance(checks, dict) and checks, f"{language}: glossary.yaml needs `consistent`"
    terms = glossary(language).get("terms") or {}
    assert isinstance(terms, dict) and "sciatica" in terms and "saddle area" in terms
    for english_word, stems in checks.items():
        pattern = re.compile(rf"\b{re.escape(english_word)}\b", re.IGNORECASE)
        options = [stems] if isinstance(stems, str) else list(stems)
        for context, english, translated in translations(language):
            if translated and pattern.search(_PLACEHOLDER.sub(" ", english)):
                assert any(stem.lower() in translated.lower() for stem in options), (
                    f"{language} {context}: {english_word!r} is translated without {options}"
                )


def _button_texts(language: str) -> dict[str, str]:
    library = library_for(language)
    texts = library.texts
    # the longest values shown; any other placeholder gets a three-digit number
    sample: dict[str, object] = {"zone": "America/Argentina/Buenos_Aires"}
    buttons = {
        key: texts(key, **{name: sample.get(name, 120) for name in texts.placeholders(key)})
        for key in texts.sentence_keys()
        if key.startswith("button_")
    }
    for region in library.regions.values():
        buttons[f"region {region.key}"] = region.name
        for index, reach in enumerate(region.reach):
            buttons[f"reach {region.key} {index}"] = reach
        for reason in library.stop_rules.hurt_reasons:
            label = reason.label.format(pain_limit=3, spread=region.spread)
            buttons[f"hurt {reason.key} {region.key}"] = label
        for change in library.stop_rules.symptom_changes:
            buttons[f"change {change.key} {region.key}"] = change.label.format(spread=region.spread)
    for card in library.education.cards:
        buttons[f"card {card.key}"] = card.title
    for side in ("side_left", "side_right", "side_both", "screen_yes", "screen_no"):
        buttons[side] = texts(side)
    return buttons


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_buttons_answers_and_commands_fit_telegram_in_every_language(language: str) -> None:
    """Captions are checked as each language loads (content.library); buttons here."""
    library = library_for(language)  # loading renders every routine step against the caption limit
    too_long = {
        key: len(text)
        for key, text in _button_texts(language).items()
        if len(text) > BUTTON_TEXT_LIMIT or not text.strip()
    }
    assert not too_long, f"{language}: button texts over {BUTTON_TEXT_LIMIT}: {too_long}"
    for key in ("stale_button", "already_done"):  # answers to button presses
        assert len(library.texts(key)) <= CALLBACK_ANSWER_LIMIT
    for key in library.texts.sentence_keys():
        if key.startswith("command_"):
            assert 1 <= len(library.texts(key)) <= COMMAND_DESCRIPTION_LIMIT


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_matches_the_po_file(language: str) -> None:
    """`make` compiles each .po into the .mo the bot reads; a stale .mo would hide a fix."""
    compiled_path = catalogue_path(language, suffix=".mo")
    assert compiled_path.exists(), f"{compiled_path} missing: run `make`"
    with compiled_path.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for context, english, translated in translations(language):
        if translated:
            assert compiled.pgettext(context, english) == translated, (
                f"{language} {context}: the .mo is older than the .po: run `make`"
            )


def test_every_language_has_a_catalogue_and_a_glossary() -> None:
    for language in TRANSLATED:
        assert catalogue_path(language).exists()
        assert (LOCALES_DIR / language / "glossary.yaml").exists()
    assert {path.name for path in LOCALES_DIR.iterdir() if path.is_dir()} == set(TRANSLATED)


def test_a_language_loads_with_every_sentence_in_it() -> None:
    """Spot checks that the translated library really is translated, side words included."""
    russian = library_for("ru")
    assert russian.texts("menu") != library_for("en").texts("menu")
    routine = russian.build_routine(RegionKey.LUMBAR, Side.LEFT, DoseLevel.STANDARD)
    step = routine.steps[2]  # the left knee to chest
    assert step.side_label == "левая нога" and "левую" in step.steps[0]


def test_data_files_are_all_extracted() -> None:
    """A new content file needs a walk in content.translatable, or its words stay English."""
    assert {path.name for path in Path(DATA_DIR).glob("*.yaml")} == set(WALKS)
