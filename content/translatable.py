"""Which fields of the content files a person reads, so that each can be translated.

One walk over a file's raw YAML serves both sides of translation: the Babel extractor
(content/extract.py) collects every readable sentence with it, and the loader
(content/library.py) passes every sentence through a catalogue with it. Each sentence gets a
stable context naming its place (`texts:menu`, `exercises:childs_pose:steps:0`), and the English
text is the message id, so a changed English sentence shows up as a new message to translate.

A sentence with `{side}` or `{other_side}` is extracted once per side, filled in
("…your left knee…", "…your right knee…"), because most languages inflect the word for left or
right with the words around it. The two translations travel as one string, joined by
SIDE_VARIANTS, and content.routine picks the one for the side being worked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from content.motion import Demonstration

Translate = Callable[[str, str], str]  # (context, English sentence) -> the sentence to show

# Joins the left and right translations of a sided sentence (see content.routine.for_side).
SIDE_VARIANTS = "\n\x1e\n"
SIDED_WORDS = ("{side}", "{other_side}")
SIDES = ("left", "right")
DEMO_CONTEXT = "demos"  # the few words on demonstrations are shared by every exercise


def _sided(context: str, text: str, translate: Translate) -> str:
    """Translate a sentence naming a side once per side, joined for content.routine."""
    if not isinstance(text, str):  # not a sentence: left for validation to name
        return text
    if not any(word in text for word in SIDED_WORDS):
        return translate(context, text)
    variants = []
    for side, other in (SIDES, SIDES[::-1]):
        filled = text.replace("{side}", side).replace("{other_side}", other)
        variants.append(translate(f"{context}:{side}", filled))
    return SIDE_VARIANTS.join(variants)


def _texts(raw: dict[str, Any], translate: Translate) -> dict[str, Any]:
    return {
        key: translate(f"texts:{key}", value) if isinstance(value, str) else value
        for key, value in raw.items()
    }


def _list(context: str, items: list[Any], translate: Translate) -> list[Any]:
    return [_sided(f"{context}:{index}", item, translate) for index, item in enumerate(items)]


def _fields(
    context: str, body: dict[str, Any], names: tuple[str, ...], translate: Translate
) -> dict[str, Any]:
    """A copy of `body` with the named sentence (or list of sentences) fields translated."""
    out = dict(body)
    for name in names:
        value = body.get(name)
        if isinstance(value, str):
            out[name] = _sided(f"{context}:{name}", value, translate)
        elif isinstance(value, list):
            out[name] = _list(f"{context}:{name}", value, translate)
    return out


EXERCISE_FIELDS = (
    "name", "side_label", "when_both_sides_reason", "position", "steps", "feel", "safety",
    "cues", "mistakes",
)  # fmt: skip


def _exercises(raw: dict[str, Any], translate: Translate) -> dict[str, Any]:
    out = {}
    for key, body in raw.items():
        where = f"exercises:{key}"
        translated = _fields(where, body or {}, EXERCISE_FIELDS, translate)
        if isinstance(easier := translated.get("gentle_version"), dict):
            translated["gentle_version"] = _fields(
                f"{where}:gentle_version", easier, ("name", "steps", "feel"), translate
            )
        if isinstance(setups := translated.get("setups"), dict):
            translated["setups"] = {
                setup: _fields(f"{where}:setups:{setup}", body, ("position", "steps"), translate)
                if isinstance(body, dict)
                else body
                for setup, body in setups.items()
            }
        out[key] = translated
    return out


ROUTINE_FIELDS = ("name", "hint", "spread", "reach", "cautions")


def _routines(raw: dict[str, Any], translate: Translate) -> dict[str, Any]:
    return {
        key: _fields(f"routines:{key}", body or {}, ROUTINE_FIELDS, translate)
        for key, body in raw.items()
    }


def _red_flags(raw: dict[str, Any], translate: Translate) -> dict[str, Any]:
    out = dict(raw)
    out["emergency"] = [
        _fields(f"red_flags:{group.get('key')}", group, ("question", "signs"), translate)
        for group in raw.get("emergency") or []
    ]
    if isinstance(see_soon := raw.get("see_soon"), dict):
        signs: list[Any] = []
        for index, sign in enumerate(see_soon.get("signs") or []):
            context = f"red_flags:see_soon:signs:{index}"
            if isinstance(sign, dict):
                signs.append({**sign, "text": translate(context, sign.get("text", ""))})
            else:
                signs.append(translate(context, sign))
        question = translate("red_flags:see_soon:question", see_soon.get("question", ""))
        out["see_soon"] = {**see_soon, "question": question, "signs": signs}
    out["neck_movement"] = _list(
        "red_flags:neck_movement", raw.get("neck_movement") or [], translate
    )
    return out


def _stop_rules(raw: dict[str, Any], translate: Translate) -> dict[str, Any]:
    out = dict(raw)
    for list_name, short in (("hurt_reasons", "hurt"), ("symptom_changes", "change")):
        out[list_name] = [
            {**item, "label": translate(f"stop_rules:{short}:{item.get('key')}", item["label"])}
            for item in raw.get(list_name) or []
        ]
    return out


def _education(raw: dict[str, Any], translate: Translate) -> dict[str, Any]:
    out = dict(raw)
    out["cards"] = [
        _fields(f"education:{card.get('key')}", card, ("title", "body"), translate)
        for card in raw.get("cards") or []
    ]
    return out


def _demos(raw: dict[str, Any], translate: Translate) -> dict[str, Any]:
    out = dict(raw)
    exercises = {}
    for key, setups in (raw.get("exercises") or {}).items():
        translated_setups = {}
        for setup, body in (setups or {}).items():
            body = dict(body or {})
            for words in ("back_say", "start_say", "hold_say"):
                # A setup written `like` another inherits what it leaves out, words included.
                if words in body or "like" not in body:
                    english = body.get(words, Demonstration.model_fields[words].default)
                    body[words] = translate(DEMO_CONTEXT, english)
            if "moves" in body:
                body["moves"] = [
                    {**move, "say": translate(DEMO_CONTEXT, move["say"])}
                    if isinstance(move, dict) and "say" in move
                    else move
                    for move in body["moves"] or []
                ]
            translated_setups[setup] = body
        exercises[key] = translated_setups
    out["exercises"] = exercises
    return out


WALKS: dict[str, Callable[[dict[str, Any], Translate], dict[str, Any]]] = {
    "texts.yaml": _texts,
    "exercises.yaml": _exercises,
    "routines.yaml": _routines,
    "red_flags.yaml": _red_flags,
    "stop_rules.yaml": _stop_rules,
    "education.yaml": _education,
    "demos.yaml": _demos,
}


def translate_file(file_name: str, raw: Any, translate: Translate) -> Any:
    """A copy of a content file's raw YAML with every sentence a person reads translated."""
    walk = WALKS.get(file_name)
    if walk is None or not isinstance(raw, dict):
        return raw
    return walk(raw, translate)


def readable_sentences(file_name: str, raw: Any) -> list[tuple[str, str]]:
    """Every (context, English sentence) of a content file, in file order."""
    found: list[tuple[str, str]] = []

    def collect(context: str, text: str) -> str:
        found.append((context, text))
        return text

    translate_file(file_name, raw, collect)
    return found
