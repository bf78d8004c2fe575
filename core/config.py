"""Settings from the environment (and an optional `.env`), checked once at start-up."""

from __future__ import annotations

from pathlib import Path

import re
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("az", "ru", "en")  # the one list: catalogs, guidance, seeds and settings follow it
LANGUAGE_NAMES = {"az": "Azərbaycanca", "ru": "Русский", "en": "English"}  # each in itself


def language_code(code: str | None) -> str | None:
    """One of LANGUAGES from a Telegram app's IETF tag ("en-US" → "en"), or None."""
    base = (code or "").split("-")[0].lower()
    return base if base in LANGUAGES else None


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line a person can act on."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    telegram_bot_token: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    # Every Bot API call, upload and download through this proxy: http://, https:// or socks5://,
    # with user:password@ when it needs a login.
    telegram_proxy_url: str = ""
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'homeward.db'}"
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    staff_chat_id: int | None = None
    default_language: str = "az"
    log_level: str = "INFO"
    retention_days_closed: int = Field(default=365, ge=1)  # closed cases are purged after this
    inbox_retention_days: int = Field(default=7, ge=1)  # processed raw updates (they hold messages)
    # Nothing is kept forever: a report left half-way, the bare record of someone who never sent a
    # report, and a case marked deceased (which is never closed) each have their own period.
    draft_retention_days: int = Field(default=30, ge=1)  # untouched unfinished reports
    retention_days_no_report: int = Field(default=30, ge=1)  # people who never sent a report
    retention_days_deceased: int = Field(default=730, ge=30)  # after a case was marked deceased
    reminder_hours: int = Field(default=24, ge=1)  # one reminder this long after she stopped mid-report
    stats_min_cell: int = Field(default=5, ge=3)  # the stats export shows no count of fewer people
    max_cases_per_day: int = Field(default=5, ge=1)  # new reports one person may send in a day
    flood_messages: int = Field(default=30, ge=2)  # more than this many messages ...
    flood_seconds: int = Field(default=10, ge=1)  # ... within this many seconds: "please wait"
    # A 409 from Telegram (another poller, same token) in the first seconds means we are the
    # copy started by mistake: stop. Later it is the other copy's mistake: keep polling.
    conflict_grace_seconds: int = Field(default=30, ge=1)
    # Webhook mode instead of long polling when WEBHOOK_URL is set (the public HTTPS address).
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    # Where the daily database backups land: the launch check reads the newest one's age.
    backup_dir: Path | None = None

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> "Settings":
        if self.webhook_url:
            if not self.webhook_url.startswith(("https://", "http://")):
                raise ValueError("WEBHOOK_URL must be an https:// address")
            if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", self.webhook_secret):
                raise ValueError("WEBHOOK_SECRET must be 16-256 letters, digits, _ or - when WEBHOOK_URL is set")
        return self

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("must be numeric Telegram ids separated by commas, e.g. 12345,67890")
            return tuple(int(p) for p in parts)
        return value

    @field_validator("staff_chat_id", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        value = value.strip()
        bot_id, _, secret = value.partition(":")
        if value and not (bot_id.isdigit() and secret):
            # Never echo the value: a half-pasted token is still a secret.
            raise ValueError("does not look like a bot token from @BotFather (digits:letters)")
        return value

    @field_validator("telegram_proxy_url")
    @classmethod
    def _proxy_shape(cls, value: str) -> str:
        # Never echo the value: it may hold the proxy's password.
        parts = urlsplit(value.strip())
        if value and parts.scheme not in ("http", "https", "socks5"):
            raise ValueError("must start with http://, https:// or socks5://")
        try:
            port = parts.port
        except ValueError:
            port = None
        if value and not (parts.hostname and port):
            raise ValueError("must name the proxy's host and port, e.g. socks5://user:password@proxy.example.org:1080")
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line without the bad value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic checks them at run time
    except ValidationError as exc:
        first = exc.errors()[0]
        name = f"{str(first['loc'][0]).upper()} " if first["loc"] else ""
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"Configuration error: {name}{message}.") from None
