"""Configuration from the environment and `.env`, read once at start and passed down."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{Path('data') / 'coach.sqlite3'}"


class Settings(BaseSettings):
    """Every setting the bot reads; `.env.example` documents each one."""

    # An empty value (`KEY=` as in .env.example) means unset, as a person copying the file expects.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    telegram_bot_token: SecretStr
    telegram_api_base_url: str = "https://api.telegram.org"
    database_url: str = DEFAULT_DATABASE_URL
    log_level: str = "INFO"
    polling_timeout_seconds: int = Field(default=30, ge=0, le=50)
    reminder_grace_hours: float = Field(default=2.0, ge=0)
    reminder_check_seconds: float = Field(default=30.0, gt=0)
    reminder_batch_size: int = Field(default=200, ge=1)
    weekly_target: int = Field(default=3, ge=1, le=7)
    # Telegram allows about 30 messages a second in total. A steady pace just under it, one
    # message at a time, never puts 31 into any second and avoids the 429 pauses of bursts.
    messages_per_second: float = Field(default=29.5, gt=0, le=30)
    # Updates of different chats handled at once (one chat's always in order, one at a time);
    # on PostgreSQL each instance keeps up to this many connections, plus five.
    concurrent_updates: int = Field(default=32, ge=1, le=256)
    # Paid broadcast (Bot API `allow_paid_broadcast`): up to 1,000 messages/s at 0.1 Stars each,
    # used only for reminders the free rate would deliver later than the window below.
    allow_paid_broadcast: bool = False
    paid_broadcast_daily_stars: int = Field(default=0, ge=0)
    paid_broadcast_within_minutes: float = Field(default=5.0, ge=0, le=120)
    picture_cache_dir: Path = Path("data") / "pictures"
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str = "telegram"
    webhook_secret: SecretStr | None = None
    tryout_port: int = Field(default=8080, ge=0, le=65535)  # the chat page without a token

    @field_validator("log_level")
    @classmethod
    def _log_level_logging_knows(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("webhook_secret")
    @classmethod
    def _secret_telegram_accepts(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_PATTERN.match(value.get_secret_value()):
            raise ValueError("1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("paid_broadcast_daily_stars")
    @classmethod
    def _paying_needs_a_budget(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("allow_paid_broadcast") and value == 0:
            raise ValueError("must be above 0 with ALLOW_PAID_BROADCAST=true (Stars a day)")
        return value

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("WEBHOOK_SECRET is required with WEBHOOK_URL")
        return self

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_looks_like_botfather_token(cls, value: SecretStr) -> SecretStr:
        if not TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("malformed")  # never echo the value: it is a secret
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


class SettingsError(Exception):
    """The settings cannot start the bot; the message is one line a person can act on."""


class TokenMissing(SettingsError):
    """No token at all (unset or empty) and nothing else wrong: the try-out can start instead."""


def load_settings() -> Settings:
    """Read the settings, turning validation errors into one actionable line."""
    try:
        return Settings()  # values come from the environment
    except ValidationError as error:
        # A check across fields (a model validator) names no field of its own.
        fields = {str(item["loc"][0]) if item["loc"] else "" for item in error.errors()}
        if "telegram_bot_token" in fields:
            missing = fields == {"telegram_bot_token"} and all(
                item["type"] == "missing" for item in error.errors()
            )
            raise (TokenMissing if missing else SettingsError)(
                "TELEGRAM_BOT_TOKEN is missing or malformed: open @BotFather in Telegram, send "
                "/newbot (or /token for an existing bot), and put the token it gives you in .env "
                "as TELEGRAM_BOT_TOKEN=123456789:ABC..."
            ) from None
        names = ", ".join(sorted(name.upper() for name in fields if name))
        reasons = "; ".join(str(item["msg"]) for item in error.errors())
        named = f"Invalid setting(s) {names}" if names else "Invalid settings"
        raise SettingsError(f"{named}: {reasons} (see .env.example)") from None
