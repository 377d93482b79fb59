"""Typed models of the content files; validation here runs when the files are loaded.

Over 300 lines on purpose: every content file's shape is checked in one place.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from content.statuses import SymptomChangeKey

PLACEHOLDER = re.compile(r"\{(\w+)\}")


class RegionKey(StrEnum):
    LUMBAR = "lumbar"
    CERVICAL = "cervical"
    THORACIC = "thoracic"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"


class DoseLevel(StrEnum):
    STANDARD = "standard"
    GENTLE = "gentle"


class SideRule(StrEnum):
    NONE = "none"
    EACH_SIDE = "each_side"
    AFFECTED_SIDE = "affected_side"
    AWAY_FROM_SYMPTOMS = "away_from_symptoms"


class Setup(StrEnum):
    """Where a person does the floor exercises: on the floor, on a bed, or standing at a wall."""

    FLOOR = "floor"
    BED = "bed"
    WALL = "wall"


# When an exercise has no version for the chosen setup, the next one that suits someone who
# cannot get down to the floor is used, and the floor version (as written) last.
SETUP_FALLBACK: dict[Setup, tuple[Setup, ...]] = {
    Setup.FLOOR: (Setup.FLOOR,),
    Setup.BED: (Setup.BED, Setup.WALL, Setup.FLOOR),
    Setup.WALL: (Setup.WALL, Setup.BED, Setup.FLOOR),
}


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Amount(Frozen):
    """A number the source gives as a range; the coach uses `default`."""

    min: int = Field(ge=0)
    max: int = Field(ge=0)
    default: int = Field(ge=0)

    @model_validator(mode="before")
    @classmethod
    def _plain_number(cls, value: Any) -> Any:
        if isinstance(value, int):
            return {"min": value, "max": value, "default": value}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Amount:
        if not self.min <= self.default <= self.max:
            raise ValueError(
                f"needs min <= default <= max, got {self.min}, {self.default}, {self.max}"
            )
        return self


class Dose(Frozen):
    hold_seconds: Amount | None = None
    reps: Amount
    sets: Amount
    rest_seconds: int = Field(default=0, ge=0)

    def within(self, limit: Dose) -> list[str]:
        """The fields where this dose asks for more than `limit`."""
        over = []
        for name in ("reps", "sets"):
            if getattr(self, name).max > getattr(limit, name).max:
                over.append(name)
        if self.hold_seconds is not None and (
            limit.hold_seconds is None or self.hold_seconds.max > limit.hold_seconds.max
        ):
            over.append("hold_seconds")
        return over


class GentleVersion(Frozen):
    """An easier movement used with the gentle dose (a nerve slider before the tensioner)."""

    name: str
    steps: list[str] = Field(min_length=1)
    feel: str


class ExerciseSetup(Frozen):
    """How the exercise reads on a bed or at a wall: its own starting position, and steps
    when they differ."""

    position: str
    steps: list[str] | None = Field(default=None, min_length=1)


class Progression(Frozen):
    """The notches of one dose field, from the default up to the source's maximum."""

    field: Literal["hold_seconds", "sets"]
    values: list[int] = Field(min_length=2)

    @model_validator(mode="before")
    @classmethod
    def _one_field(cls, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1 and "field" not in value:
            [(name, values)] = value.items()
            return {"field": name, "values": values}
        return value


class Exercise(Frozen):
    key: str
    name: str
    sided: bool
    side_rule: SideRule
    side_label: str | None = None
    start_away: bool = False
    when_both_sides: Literal["skip", "each_side"] | None = None
    when_both_sides_reason: str | None = None
    position: str
    steps: list[str] = Field(min_length=1)
    feel: str
    safety: list[str] = []
    cues: list[str] = Field(min_length=1, max_length=3)
    mistakes: list[str] = Field(min_length=1, max_length=2)
    setups: dict[Setup, ExerciseSetup] = {}
    dose: Dose
    gentle: Dose
    gentle_version: GentleVersion | None = None
    progression: Progression | None = None
    source: str

    def setup_for(self, chosen: Setup) -> Setup:
        """The setup this exercise is done in for someone who chose `chosen`."""
        return next(s for s in SETUP_FALLBACK[chosen] if s is Setup.FLOOR or s in self.setups)

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        if self.sided == (self.side_rule is SideRule.NONE):
            raise ValueError(
                f"side_rule {self.side_rule.value!r} does not fit sided: {str(self.sided).lower()}"
            )
        if Setup.FLOOR in self.setups:
            raise ValueError("setups: floor is the exercise as written; list only bed or wall")
        if self.sided and not self.side_label:
            raise ValueError("a sided exercise needs side_label")
        if self.side_rule is SideRule.AWAY_FROM_SYMPTOMS and self.when_both_sides is None:
            raise ValueError("away_from_symptoms needs when_both_sides")
        if self.when_both_sides == "skip" and not self.when_both_sides_reason:
            raise ValueError("when_both_sides: skip needs when_both_sides_reason")
        if self.progression is not None:
            amount = getattr(self.dose, self.progression.field)
            values = self.progression.values
            if amount is None or values[0] != amount.default or max(values) > amount.max:
                raise ValueError("progression must start at the dose's default and stay in range")
            if values != sorted(set(values)):
                raise ValueError("progression values must rise")
        if over := self.gentle.within(self.dose):
            raise ValueError(f"gentle dose is above the standard dose in {', '.join(over)}")
        allowed = {"side", "other_side"} if self.sided else set()
        if self.dose.hold_seconds is not None:
            allowed.add("hold")
        easier = self.gentle_version
        extra = [easier.feel, *easier.steps] if easier else []
        variants = [t for v in self.setups.values() for t in [v.position, *(v.steps or [])]]
        texts = [self.position, self.feel, self.side_label or "", *self.steps, *self.safety]
        for text in [*texts, *extra, *self.cues, *self.mistakes, *variants]:
            if unknown := set(PLACEHOLDER.findall(text)) - allowed:
                raise ValueError(
                    f"placeholder {{{sorted(unknown)[0]}}} is not allowed in: {text!r}"
                )
        return self


class Region(Frozen):
    key: RegionKey
    name: str
    hint: str
    spread: str
    reach: list[str] = Field(min_length=2)
    cautions: list[str] = []
    exercises: list[str] = Field(min_length=1)


class RedFlagGroup(Frozen):
    key: str
    question: str
    signs: list[str] = Field(min_length=1)
    regions: list[RegionKey] = list(RegionKey)
    advice: str = "emergency_advice"


class SeeSoonSign(Frozen):
    text: str
    not_for: list[RegionKey] = []

    @model_validator(mode="before")
    @classmethod
    def _plain_sentence(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class SeeSoonList(Frozen):
    question: str
    signs: list[SeeSoonSign] = Field(min_length=1)

    def signs_for(self, region: RegionKey | None) -> list[str]:
        """The signs asked of someone with symptoms in `region` (all of them when unknown)."""
        return [sign.text for sign in self.signs if region is None or region not in sign.not_for]


class RedFlags(Frozen):
    emergency: list[RedFlagGroup] = Field(min_length=1)
    see_soon: SeeSoonList
    first_for: list[RegionKey] = []
    neck_movement: list[str] = Field(min_length=1)

    def groups_for(self, region: RegionKey | None) -> list[RedFlagGroup]:
        """The emergency questions for someone with symptoms in `region` (all when unknown)."""
        return [g for g in self.emergency if region is None or region in g.regions]

    def group(self, key: str) -> RedFlagGroup | None:
        return next((group for group in self.emergency if group.key == key), None)


HurtOutcomeName = Literal["stop_exercise", "emergency", "same_day", "carry_on"]


class HurtReason(Frozen):
    key: str
    label: str
    outcome: HurtOutcomeName
    regions: list[RegionKey] = list(RegionKey)
    # A "see a clinician soon" sign (content brief, section 4): the session's end says to get
    # checked instead of calling a flare fine.
    get_checked: bool = False


class ClinicianAdvice(Frozen):
    rising_points: int = Field(ge=1, le=10)
    rising_sessions: int = Field(ge=1)
    no_improvement_weeks: int = Field(ge=1)


class SymptomChange(Frozen):
    key: SymptomChangeKey
    label: str


class StopRules(Frozen):
    pain_limit_during: int = Field(ge=0, le=10)
    meaningful_pain_change: int = Field(ge=1, le=10)
    standard_after_calm_sessions: int = Field(ge=1)
    high_pain_before: int = Field(ge=1, le=10)
    drop_after_sessions_in_a_row: int = Field(ge=1)
    clinician_advice: ClinicianAdvice
    hurt_reasons: list[HurtReason] = Field(min_length=1)
    symptom_changes: list[SymptomChange] = Field(min_length=3, max_length=3)

    def hurt_reason(self, key: str) -> HurtReason | None:
        return next((reason for reason in self.hurt_reasons if reason.key == key), None)

    def hurt_reasons_for(self, region: RegionKey) -> list[HurtReason]:
        """The "It hurts" choices offered in a session for `region`."""
        return [reason for reason in self.hurt_reasons if region in reason.regions]


class EducationCard(Frozen):
    key: str
    title: str
    body: str | None = None
    body_from: Literal["red_flags"] | None = None

    @model_validator(mode="after")
    def _one_body(self) -> EducationCard:
        if (self.body is None) == (self.body_from is None):
            raise ValueError("a card needs exactly one of body or body_from")
        return self


class Education(Frozen):
    cards: list[EducationCard] = Field(min_length=1)
    region_first: dict[RegionKey, str]

    @field_validator("region_first")
    @classmethod
    def _every_region(cls, value: dict[RegionKey, str]) -> dict[RegionKey, str]:
        if missing := set(RegionKey) - set(value):
            raise ValueError(f"missing regions: {sorted(missing)}")
        return value
