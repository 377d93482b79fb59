"""Tables: who the user is, where they are in a conversation, what sessions they did, reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite hands back naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    disclaimer_accepted_at: Mapped[datetime | None]
    screening: Mapped[str | None] = mapped_column(String(16))
    screened_at: Mapped[datetime | None]
    region: Mapped[str | None] = mapped_column(String(16))
    side: Mapped[str | None] = mapped_column(String(8))
    reach: Mapped[int | None]
    pain_at_start: Mapped[int | None]
    dose_level: Mapped[str] = mapped_column(String(16), default="standard")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    onboarded_at: Mapped[datetime | None]
    blocked_bot_at: Mapped[datetime | None]
    best_streak: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the once-only advice to contact a clinician was given (content.rules.ClinicianReason).
    advised_rising_pain_at: Mapped[datetime | None]
    advised_no_improvement_at: Mapped[datetime | None]
    # Dose notches earned by calm sessions, per progressing exercise (content.progression).
    notches: Mapped[dict[str, int]] = mapped_column(JSON, default=dict, server_default="{}")
    # where the floor exercises are done: floor, bed or wall (content.models.Setup)
    setup: Mapped[str] = mapped_column(String(8), default="floor", server_default="floor")
    # The coach's language for this person (content.i18n.LANGUAGES); None until first contact.
    language: Mapped[str | None] = mapped_column(String(8))

    conversation: Mapped[ConversationState | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class ConversationState(Base):
    """Where a user is in a flow, kept here (not in process memory) so any instance can go on."""

    __tablename__ = "conversation_states"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(16), default="", server_default="")
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]
    # Bumped by every move: a move is saved only if the version is still the one it read.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    user: Mapped[User] = relationship(back_populates="conversation")


class ExerciseSession(Base):
    __tablename__ = "exercise_sessions"
    __table_args__ = (Index("ix_exercise_sessions_user_local_date", "user_id", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    local_date: Mapped[date] = mapped_column(Date)
    region: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(8))
    dose_level: Mapped[str] = mapped_column(String(16))
    setup: Mapped[str] = mapped_column(String(8), default="floor", server_default="floor")
    pain_before: Mapped[int | None]
    pain_after: Mapped[int | None]
    reach_before: Mapped[int | None]
    symptom_change: Mapped[str | None] = mapped_column(String(16))
    step_index: Mapped[int] = mapped_column(Integer, default=0)
    set_number: Mapped[int] = mapped_column(Integer, default=1)
    timer_ends_at: Mapped[datetime | None]
    ended_by_red_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    stopped_early: Mapped[bool] = mapped_column(Boolean, default=False)
    # Exercises dropped from this person's routine when the session started: fixed for the
    # session, so a drop during it never shifts the steps.
    dropped_keys: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # The dose notch of each progressing exercise for this session (content.progression).
    notches: Mapped[dict[str, int]] = mapped_column(JSON, default=dict, server_default="{}")
    # Bumped by every move of the session: the compare-and-set behind every press.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declaration

    exercises: Mapped[list[SessionExercise]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SessionExercise.position",
    )


class SessionExercise(Base):
    """What happened to one step of a session's routine: done, skipped or stopped."""

    __tablename__ = "session_exercises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("exercise_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    exercise_key: Mapped[str] = mapped_column(String(48))
    side: Mapped[str | None] = mapped_column(String(8))
    outcome: Mapped[str] = mapped_column(String(16))
    hurt_reason: Mapped[str | None] = mapped_column(String(16))
    sets_done: Mapped[int] = mapped_column(Integer, default=0)
    recorded_at: Mapped[datetime]
    feedback: Mapped[str | None] = mapped_column(String(8))  # easy, right or hard

    session: Mapped[ExerciseSession] = relationship(back_populates="exercises")


class DroppedExercise(Base):
    """An exercise left out of someone's routine because it hurt in sessions in a row."""

    __tablename__ = "dropped_exercises"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    exercise_key: Mapped[str] = mapped_column(String(48), primary_key=True)
    dropped_at: Mapped[datetime]


class Reminder(Base):
    __tablename__ = "reminders"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    local_time: Mapped[time] = mapped_column(Time)
    weekdays: Mapped[int] = mapped_column(Integer, default=0b1111111)
    timezone: Mapped[str] = mapped_column(String(64))
    next_due_utc: Mapped[datetime | None] = mapped_column(index=True)
    last_sent_local_date: Mapped[date | None] = mapped_column(Date)


class Pause(Base):
    """Days the user rests (a flare, a break): they neither count nor break a streak."""

    __tablename__ = "pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # None: until the user resumes


class Activity(Base):
    """An everyday activity the person finds hard (Patient-Specific Functional Scale)."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # at most 60 visible characters
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]  # None: one of the (up to three) active activities

    ratings: Mapped[list[ActivityRating]] = relationship(
        back_populates="activity",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ActivityRating.rated_on",
    )


class ActivityRating(Base):
    """How well the person could do an activity on a local day: 0 not at all, 10 as before."""

    __tablename__ = "activity_ratings"
    __table_args__ = (UniqueConstraint("activity_id", "rated_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    rated_on: Mapped[date] = mapped_column(Date)
    score: Mapped[int]

    activity: Mapped[Activity] = relationship(back_populates="ratings")


class StoredFile(Base):
    """A picture Telegram already has: send its file_id instead of uploading the bytes again."""

    __tablename__ = "stored_files"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(256))
    stored_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """Telegram update ids already taken by an instance: a retried delivery is handled once."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class PaidBroadcastDay(Base):
    """Messages sent with Telegram's paid broadcast on one UTC day: the budget every instance
    draws from (0.1 Stars each)."""

    __tablename__ = "paid_broadcast_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    paid_messages: Mapped[int] = mapped_column(Integer, default=0)
