"""The content as shipped: it loads, the lumbar routine is the seed's, sides are mirrored,
red flags map to the right outcome, and every message is valid Telegram HTML within limits."""

import re
import shutil
from pathlib import Path

import pytest

from bot.tryout.standin.validation import check_text
from content.library import DATA_DIR, ContentError, Library, load_library
from content.messages import step_message
from content.models import DoseLevel, RegionKey, Side
from content.progress import next_set, next_step_index
from content.rules import (
    HurtOutcome,
    PainTrend,
    Screening,
    SessionOutcome,
    hurt_outcome,
    next_dose_level,
    pain_trend,
    reach_is_emergency,
    screening_outcome,
)


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def doses(library: Library, side: Side, level: DoseLevel = DoseLevel.STANDARD) -> list[tuple]:
    routine = library.build_routine(RegionKey.LUMBAR, side, level)
    return [(s.exercise_key, s.side, s.hold_seconds, s.reps, s.sets) for s in routine.steps]


L, R = Side.LEFT, Side.RIGHT


@pytest.mark.parametrize(
    ("side", "expected"),
    [
        (
            Side.RIGHT,
            [
                ("childs_pose", None, 30, 1, 2),
                ("knee_to_chest", R, 30, 1, 2),
                ("knee_to_chest", L, 30, 1, 2),
                ("lumbar_side_bend", L, None, 10, 2),
                ("glute_bridge", None, None, 10, 3),
                ("sciatic_nerve_glide", R, None, 20, 1),
            ],
        ),
        (
            Side.LEFT,
            [
                ("childs_pose", None, 30, 1, 2),
                ("knee_to_chest", R, 30, 1, 2),
                ("knee_to_chest", L, 30, 1, 2),
                ("lumbar_side_bend", R, None, 10, 2),
                ("glute_bridge", None, None, 10, 3),
                ("sciatic_nerve_glide", L, None, 20, 1),
            ],
        ),
        (
            Side.BOTH,
            [
                ("childs_pose", None, 30, 1, 2),
                ("knee_to_chest", R, 30, 1, 2),
                ("knee_to_chest", L, 30, 1, 2),
                ("glute_bridge", None, None, 10, 3),
                ("sciatic_nerve_glide", R, None, 20, 1),
                ("sciatic_nerve_glide", L, None, 20, 1),
            ],
        ),
    ],
)
def test_lumbar_routine_has_the_seed_doses_and_sides(
    library: Library, side: Side, expected: list[tuple]
) -> None:
    assert doses(library, side) == expected


def test_seed_ranges_are_kept_exactly(library: Library) -> None:
    ex = library.exercises
    assert (ex["childs_pose"].dose.hold_seconds.min, ex["childs_pose"].dose.hold_seconds.max) == (
        30,
        60,
    )
    assert (ex["knee_to_chest"].dose.sets.min, ex["knee_to_chest"].dose.sets.max) == (2, 3)
    assert (ex["lumbar_side_bend"].dose.sets.min, ex["lumbar_side_bend"].dose.sets.max) == (2, 3)
    assert ex["sciatic_nerve_glide"].gentle.reps.default == 10


def test_right_sided_user_bends_left_with_the_left_arm(library: Library) -> None:
    routine = library.build_routine(RegionKey.LUMBAR, Side.RIGHT, DoseLevel.STANDARD)
    bend = next(s for s in routine.steps if s.exercise_key == "lumbar_side_bend")
    assert bend.side_label == "leaning to your left"
    assert any("left hand" in line and "left leg" in line for line in bend.steps)


def test_both_sides_leaves_side_bending_out_and_says_why(library: Library) -> None:
    routine = library.build_routine(RegionKey.LUMBAR, Side.BOTH, DoseLevel.STANDARD)
    [left_out] = routine.left_out
    assert left_out.exercise_key == "lumbar_side_bend" and "both sides" in left_out.reason


def test_neck_turns_start_away_from_the_painful_side(library: Library) -> None:
    routine = library.build_routine(RegionKey.CERVICAL, Side.RIGHT, DoseLevel.STANDARD)
    turns = [s.side for s in routine.steps if s.exercise_key in ("neck_rotation", "neck_side_bend")]
    assert turns == [L, R, L, R]
    glides = [s.side for s in routine.steps if s.exercise_key == "median_nerve_slider"]
    assert glides == [R]


@pytest.mark.parametrize("region", list(RegionKey))
@pytest.mark.parametrize("side", list(Side))
def test_gentle_never_exceeds_standard_and_standard_never_exceeds_the_source(
    library: Library, region: RegionKey, side: Side
) -> None:
    standard = library.build_routine(region, side, DoseLevel.STANDARD).steps
    gentle = library.build_routine(region, side, DoseLevel.GENTLE).steps
    for std, gen in zip(standard, gentle, strict=True):
        exercise = library.exercises[std.exercise_key]
        assert std.reps <= exercise.dose.reps.max and std.sets <= exercise.dose.sets.max
        assert gen.reps <= std.reps and gen.sets <= std.sets
        assert (gen.hold_seconds or 0) <= (std.hold_seconds or 0)


@pytest.mark.parametrize("region", list(RegionKey))
@pytest.mark.parametrize("side", list(Side))
@pytest.mark.parametrize("level", list(DoseLevel))
def test_every_step_message_is_valid_telegram_html_within_limits(
    library: Library, region: RegionKey, side: Side, level: DoseLevel
) -> None:
    routine = library.build_routine(region, side, level)
    for position, step in enumerate(routine.steps, start=1):
        for set_number in range(1, step.sets + 1):
            text = step_message(
                library.texts,
                step,
                position=position,
                count=len(routine.steps),
                set_number=set_number,
                pain_limit=3,
                preface=library.texts("timer_released"),
            )
            check_text(text, "HTML")
            assert "{" not in text and "}" not in text


def test_every_sentence_renders_as_valid_html(library: Library) -> None:
    texts = library.texts
    for key in texts.sentence_keys():
        values = {name: "x < y & z" for name in texts.placeholders(key)}
        check_text(texts(key, **values), "HTML")


@pytest.mark.parametrize(
    ("emergency", "see_soon", "outcome"),
    [
        ({"bladder_bowel": False, "nerves_legs_hands": False}, False, Screening.CLEAR),
        ({"bladder_bowel": False, "nerves_legs_hands": False}, True, Screening.SEE_SOON),
        ({"bladder_bowel": True, "nerves_legs_hands": False}, False, Screening.EMERGENCY),
        ({"bladder_bowel": False, "nerves_legs_hands": True}, True, Screening.EMERGENCY),
    ],
)
def test_any_single_emergency_answer_wins(
    emergency: dict[str, bool], see_soon: bool, outcome: Screening
) -> None:
    assert screening_outcome(emergency, see_soon) is outcome


def test_every_emergency_sign_in_the_brief_is_asked(library: Library) -> None:
    signs = " ".join(" ".join([g.question, *g.signs]) for g in library.red_flags.emergency).lower()
    for fragment in [
        "both legs",
        "saddle",
        "peeing",
        "bowels",
        "erections",
        "foot",
        "balance",
        "face drooping",
        "chest pain",
        "accident",
        "stiff neck",
    ]:
        assert fragment in signs
    assert len(library.red_flags.see_soon.signs_for(None)) == 8


@pytest.mark.parametrize(
    ("region", "side", "reach", "emergency"),
    [
        (RegionKey.LUMBAR, Side.BOTH, 2, True),
        (RegionKey.LUMBAR, Side.BOTH, 1, False),
        (RegionKey.LUMBAR, Side.RIGHT, 4, False),
        (RegionKey.CERVICAL, Side.BOTH, 4, False),
    ],
)
def test_sciatica_down_both_legs_is_an_emergency(
    region: RegionKey, side: Side, reach: int, emergency: bool
) -> None:
    assert reach_is_emergency(region, side, reach) is emergency


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [
        ("sharper", HurtOutcome.STOP_EXERCISE),
        ("spreading", HurtOutcome.STOP_EXERCISE),
        ("numb_weak", HurtOutcome.STOP_EXERCISE),
        ("red_flag", HurtOutcome.EMERGENCY),
        ("false_alarm", HurtOutcome.CARRY_ON),
        ("unknown", HurtOutcome.STOP_EXERCISE),
    ],
)
def test_hurt_reasons_map_to_the_stop_rules(
    library: Library, reason: str, outcome: HurtOutcome
) -> None:
    assert hurt_outcome(library.stop_rules, reason) is outcome


def outcome(
    level: str, stopped: int = 0, change: str | None = "same", before: int = 5, after: int = 5
) -> SessionOutcome:
    return SessionOutcome(DoseLevel(level), stopped, change, before, after)


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], DoseLevel.STANDARD),
        ([outcome("standard")], DoseLevel.STANDARD),
        ([outcome("standard", stopped=1)], DoseLevel.GENTLE),
        ([outcome("standard", change="spread")], DoseLevel.GENTLE),
        ([outcome("standard", before=3, after=5)], DoseLevel.GENTLE),
        ([outcome("standard", before=3, after=4)], DoseLevel.STANDARD),
        ([outcome("standard", stopped=1), outcome("gentle")], DoseLevel.GENTLE),
        (
            [outcome("standard", stopped=1), outcome("gentle"), outcome("gentle")],
            DoseLevel.STANDARD,
        ),
        ([outcome("gentle"), outcome("gentle", change="spread")], DoseLevel.GENTLE),
    ],
)
def test_dose_level_backs_off_after_a_flare_and_returns_after_calm_sessions(
    library: Library, history: list[SessionOutcome], expected: DoseLevel
) -> None:
    assert next_dose_level(history, library.stop_rules) is expected


@pytest.mark.parametrize(
    ("before", "after", "trend"),
    [
        (5, 3, PainTrend.BETTER),
        (5, 4, PainTrend.SLIGHTLY_BETTER),
        (5, 5, PainTrend.SAME),
        (5, 6, PainTrend.SLIGHTLY_WORSE),
        (5, 7, PainTrend.WORSE),
    ],
)
def test_a_change_of_two_points_is_called_meaningful(
    before: int, after: int, trend: PainTrend
) -> None:
    assert pain_trend(before, after, 2) is trend


def test_next_step_skips_a_stopped_exercise_on_both_sides() -> None:
    keys = ["a", "b", "b", "c"]
    assert next_step_index(keys, 0, {"b"}) == 3
    assert next_step_index(keys, 3, set()) is None
    assert next_set(3, 2) == 3 and next_set(3, 3) is None


def broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    path = target / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return target


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "routines.yaml",
            "    - glute_bridge\n",
            "    - glute_bridgee\n",
            "routines.yaml: lumbar.exercises[3]: unknown exercise 'glute_bridgee'",
        ),
        (
            "exercises.yaml",
            "    reps: 10\n    sets: 3\n",
            "    sets: 3\n",
            "exercises.yaml: glute_bridge: dose.reps",
        ),
        (
            "exercises.yaml",
            "  sided: false\n  side_rule: none\n  position: On your hands",
            "  sided: false\n  side_rule: affected_side\n  position: On your hands",
            "exercises.yaml: childs_pose: (top): Value error, side_rule 'affected_side' does not",
        ),
        (
            "exercises.yaml",
            "    reps: 10\n    sets: 1\n    rest_seconds: 0\n  source: Seed post (20",
            "    reps: 30\n    sets: 1\n    rest_seconds: 0\n  source: Seed post (20",
            "gentle dose is above the standard dose in reps",
        ),
    ],
)
def test_broken_content_fails_loudly_naming_file_and_field(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    with pytest.raises(ContentError, match=re.escape(message)):
        load_library(broken_copy(tmp_path, file, old, new))


def test_a_message_over_telegrams_limit_fails_at_load(tmp_path: Path) -> None:
    long_step = "Breathe. " * 600
    data = broken_copy(
        tmp_path,
        "exercises.yaml",
        "    - Glide your head straight back",
        f"    - {long_step}\n    - Glide your head straight back",
    )
    with pytest.raises(ContentError, match="chin_tuck: the rendered message is .* over Telegram"):
        load_library(data)
