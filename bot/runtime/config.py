"""Settings: ``config.yml`` for non-secret values, the environment for overrides and secrets.

Priority, highest first: ``BORGERCHAT_<SECTION>__<KEY>`` environment variables, the config file
(``BORGERCHAT_CONFIG``, else the checkout's ``config.yml``), the defaults below, which are the
installed package's configuration and equal the checkout's ``config.yml`` (a test keeps them so).
Secrets are read only from the environment (see :class:`Secrets`), and ``DATABASE_URL`` selects
the database. A wrong value raises :class:`ConfigError` naming the key.

All state lives in one data directory (``data_dir``, ``BORGERCHAT_DATA_DIR``): ``var/`` in a
checkout, else ``$XDG_DATA_HOME/borgerchat``. Relative paths in the settings (``nlu.model_dir``,
a SQLite file in ``database.url`` or ``DATABASE_URL``) are inside it, never the working directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.kernel.errors import ConfigError
from bot.runtime.attachment_settings import AttachmentSettings
from bot.runtime.crisis_settings import CrisisSettings, WaitingSettings
from bot.runtime.privacy_settings import JobcenterSettings, PrivacySettings
from bot.runtime.section import Section
from bot.runtime.web_settings import InboxSettings, ServerSettings, WebchatSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG_PATH = REPO_ROOT / "config.yml"
CONFIG_ENV = "BORGERCHAT_CONFIG"
DATA_DIR_ENV = "BORGERCHAT_DATA_DIR"
# The source checkout the code runs from (an editable install or PYTHONPATH); None when the
# package is installed, and its state then goes to the per-user data directory.
CHECKOUT_ROOT: Path | None = (
    REPO_ROOT
    if (REPO_ROOT / "pyproject.toml").is_file() and DEFAULT_CONFIG_PATH.is_file()
    else None
)


class DatabaseSettings(Section):
    url: str = "sqlite:///borgerchat.db"
    pool_size: int = Field(default=10, ge=1)
    echo: bool = False


class LocaleSettings(Section):
    timezone: str = "Europe/Copenhagen"
    default_language: Literal["da", "en"] = "da"
    # The consultant inbox's own words (bot/inbox/content/); citizens keep their language.
    inbox_language: Literal["da", "en"] = "da"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class ChatSettings(Section):
    max_text_chars: int = Field(default=4096, ge=1)
    # A citizen sending more than this in one minute gets one calm notice and no more
    # answers until the pace drops (messages are still stored; crisis still gets through).
    max_messages_per_minute: int = Field(default=30, ge=1)
    # Photos, PDFs and voice messages: kept up to a size and of allowed types only.
    attachments: AttachmentSettings = AttachmentSettings()


class NluSettings(Section):
    backend: Literal["embedded", "rasa"] = "embedded"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = Field(default=2.0, gt=0)
    fallback_threshold: float = Field(default=0.45, ge=0, le=1)
    model_dir: str = "nlu"


class TelegramSettings(Section):
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    messages_per_second: float = Field(default=30, gt=0)
    messages_per_chat_per_second: float = Field(default=1, gt=0)


class TwilioSettings(Section):
    base_url: str = "https://api.twilio.com"
    messages_per_second: float = Field(default=1, gt=0)
    max_segments: int = Field(default=2, ge=1, le=10)


class OutboxSettings(Section):
    batch_size: int = Field(default=50, ge=1)
    poll_interval_seconds: float = Field(default=0.5, gt=0)
    # Renewed every third of this while a send is on the way (a heartbeat).
    claim_seconds: float = Field(default=15, gt=0)
    max_backoff_seconds: float = Field(default=3600, gt=0)
    give_up_after_hours: float = Field(default=24, gt=0)
    sends_in_flight_per_channel: int = Field(default=4, ge=1)


class QuietHours(Section):
    start: str = "21:00"
    end: str = "08:00"


class RemindersSettings(Section):
    confirmation_at_booking: bool = True
    hours_before: list[float] = Field(default_factory=lambda: [48.0, 2.0])
    quiet_hours: QuietHours = QuietHours()
    policy: str = "48h+2h"
    # Check-ins ("Hvordan går det?") go out at this local time on their day.
    check_in_time: str = "10:00"
    # Run the reminder scheduler in this server process (several may: the database keeps them
    # from sending twice). Off for a process that should only serve requests.
    scheduler_enabled: bool = True
    # The scheduler looks for due reminders this often and sends at most batch_size per look.
    poll_interval_seconds: float = Field(default=10, gt=0)
    batch_size: int = Field(default=200, ge=1)


class Settings(BaseSettings):
    """All non-secret settings, by section."""

    model_config = SettingsConfigDict(
        env_prefix="BORGERCHAT_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    # Unset: var/ in the checkout, else $XDG_DATA_HOME/borgerchat; absolute once loaded.
    data_dir: str | None = None
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    locale: LocaleSettings = LocaleSettings()
    chat: ChatSettings = ChatSettings()
    webchat: WebchatSettings = WebchatSettings()
    nlu: NluSettings = NluSettings()
    telegram: TelegramSettings = TelegramSettings()
    twilio: TwilioSettings = TwilioSettings()
    outbox: OutboxSettings = OutboxSettings()
    reminders: RemindersSettings = RemindersSettings()
    privacy: PrivacySettings = PrivacySettings()
    waiting: WaitingSettings = WaitingSettings()
    crisis: CrisisSettings = CrisisSettings()
    inbox: InboxSettings = InboxSettings()
    jobcenter: JobcenterSettings = JobcenterSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            _EnvSource(settings_cls),
            _YamlSource(settings_cls, _yaml_data.get() or {}),
        )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.locale.timezone)


class Secrets(BaseModel):
    """Credentials, read only from the environment and never logged."""

    model_config = ConfigDict(frozen=True)

    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    secret_key: SecretStr | None = None
    # Opens GET /metrics to a scraper beyond localhost (Authorization: Bearer <token>).
    metrics_token: SecretStr | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Secrets:
        def read(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            telegram_bot_token=_secret(read("TELEGRAM_BOT_TOKEN")),
            telegram_webhook_secret=_secret(read("TELEGRAM_WEBHOOK_SECRET")),
            twilio_account_sid=read("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=_secret(read("TWILIO_AUTH_TOKEN")),
            twilio_from_number=read("TWILIO_FROM_NUMBER"),
            secret_key=_secret(read("BORGERCHAT_SECRET_KEY")),
            metrics_token=_secret(read("BORGERCHAT_METRICS_TOKEN")),
        )


class AppConfig(BaseModel):
    """What the process runs with: settings, secrets and the database URL."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    settings: Settings
    secrets: Secrets
    database_url: str
    data_dir: Path


_yaml_data: ContextVar[dict[str, Any] | None] = ContextVar("_yaml_data", default=None)
_environment: ContextVar[Mapping[str, str] | None] = ContextVar("_environment", default=None)


class _EnvSource(EnvSettingsSource):
    """The environment source, reading the mapping given to :func:`load_config`."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        env = _environment.get()
        if env is None:
            return super()._load_env_vars()
        return {key.lower(): value for key, value in env.items()}


class _YamlSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


def _secret(value: str | None) -> SecretStr | None:
    return SecretStr(value) if value is not None else None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(str(path), f"cannot be read ({exc.strerror})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(str(path), f"is not valid YAML{where}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "must be a mapping of sections")
    return data


def _key_of(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "config"


def default_data_dir(env: Mapping[str, str], checkout: Path | None = CHECKOUT_ROOT) -> Path:
    """``var/`` in a checkout, else ``$XDG_DATA_HOME/borgerchat`` (``~/.local/share/...``)."""
    if checkout is not None:
        return checkout / "var"
    xdg = Path(env.get("XDG_DATA_HOME", ""))
    # The XDG spec ignores a relative XDG_DATA_HOME.
    if not xdg.is_absolute():
        home = env.get("HOME")
        xdg = (Path(home) if home else Path.home()) / ".local" / "share"
    return xdg / "borgerchat"


def _data_dir(settings: Settings, env: Mapping[str, str], config_file: Path) -> Path:
    if not settings.data_dir:
        return default_data_dir(env)
    chosen = Path(settings.data_dir).expanduser()
    # Relative to the working directory when given on the command line or in the environment,
    # to the config file's folder when written in one.
    from_env = any(key.upper() == DATA_DIR_ENV and value.strip() for key, value in env.items())
    base = Path.cwd() if from_env else config_file.absolute().parent
    return base / chosen


def _database_url_in(data_dir: Path, url: str, key: str) -> str:
    """``url`` with a relative SQLite file placed in ``data_dir``; other URLs as they are."""
    if "://" not in url:
        raise ConfigError(key, f"not a database URL: {url!r}")
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(key, f"not a database URL: {url!r}") from exc
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return url
    if database.startswith("file:") or Path(database).is_absolute():
        return url
    return parsed.set(database=str(data_dir / database)).render_as_string(hide_password=False)


def _placed_in(data_dir: Path, settings: Settings) -> Settings:
    """``settings`` with its relative paths made absolute inside ``data_dir``."""
    model_dir = data_dir / Path(settings.nlu.model_dir).expanduser()
    database_url = _database_url_in(data_dir, settings.database.url, "database.url")
    return settings.model_copy(
        update={
            "data_dir": str(data_dir),
            "nlu": settings.nlu.model_copy(update={"model_dir": str(model_dir)}),
            "database": settings.database.model_copy(update={"url": database_url}),
        }
    )


def load_config(
    config_path: Path | str | None = None, env: Mapping[str, str] | None = None
) -> AppConfig:
    """Read settings, secrets and the database URL; raise ConfigError naming a bad key."""
    env = os.environ if env is None else env
    chosen = config_path or env.get(CONFIG_ENV, "").strip() or None
    path = Path(chosen or DEFAULT_CONFIG_PATH).expanduser()
    if chosen is not None and not path.is_file():
        raise ConfigError(str(path), "file not found")
    data = _read_yaml(path)
    yaml_token = _yaml_data.set(data)
    env_token = _environment.set(env)
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        key = _key_of(first["loc"])
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "unknown setting"
        raise ConfigError(key, message) from exc
    finally:
        _yaml_data.reset(yaml_token)
        _environment.reset(env_token)
    data_dir = _data_dir(settings, env, path)
    settings = _placed_in(data_dir, settings)
    from_env = env.get("DATABASE_URL", "").strip()
    database_url = (
        _database_url_in(data_dir, from_env, "DATABASE_URL") if from_env else settings.database.url
    )
    return AppConfig(
        settings=settings,
        secrets=Secrets.from_env(env),
        database_url=database_url,
        data_dir=data_dir,
    )
