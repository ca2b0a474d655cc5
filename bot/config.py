"""Settings from the environment (and a `.env` file), validated once at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.errors import UserError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POLICY_DIR = REPO_ROOT / "policy_docs"
DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"


class ConfigError(UserError):
    """A missing or malformed setting; the message names the variable."""


def _split_ids(raw: str | None) -> frozenset[str]:
    if not raw:
        return frozenset()
    return frozenset(part.strip() for part in raw.replace(";", ",").split(",") if part.strip())


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be greater than 0, got {raw!r}")
    return value


def _seconds_or_off(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds, or 0 ("0", "off") to turn the feature off."""
    raw = env.get(name, "").strip().lower()
    if raw in {"0", "off", "false", "no"}:
        return 0.0
    return _float(env, name, default)


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


WORK_MODES = ("threads", "pool", "process")


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip().lower() or default
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    review_channel_id: str | None = None
    reviewer_ids: frozenset[str] = field(default_factory=frozenset)
    reviewer_group_id: str | None = None
    incident_channel_ids: frozenset[str] = field(default_factory=frozenset)
    policy_docs_dir: Path = DEFAULT_POLICY_DIR
    policy_reload_seconds: float = 0.0  # the app polls the policy folder this often; 0: never
    data_dir: Path = Path("data")
    database_url: str | None = None
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = DEFAULT_OPENAI_MODEL
    openai_embedding_model: str = DEFAULT_EMBEDDING_MODEL
    openai_timeout_seconds: float = 20.0
    openai_budget_seconds: float = 10.0
    redact_before_llm: bool = True
    retention_days: int = 30
    review_reminder_minutes: int = 60
    port: int = 3000
    max_request_bytes: int = 1024 * 1024
    work_mode: str = "process"  # threads | pool | process: where the work after an ack runs
    judge_workers: int = 2
    log_level: str = "INFO"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'canipost.db'}"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.openai_api_key)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
        """Build settings from `env` (default: the process environment plus `.env`)."""
        if env is None:
            if dotenv:
                from dotenv import load_dotenv

                load_dotenv(override=False)
            env = os.environ

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        log_level = (text("LOG_LEVEL") or "INFO").upper()
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
        api_url = text("SLACK_API_URL")
        if api_url and not api_url.endswith("/"):
            api_url += "/"
        return cls(
            slack_bot_token=text("SLACK_BOT_TOKEN"),
            slack_signing_secret=text("SLACK_SIGNING_SECRET"),
            slack_app_token=text("SLACK_APP_TOKEN"),
            slack_api_url=api_url,
            review_channel_id=text("REVIEW_CHANNEL_ID"),
            reviewer_ids=_split_ids(env.get("REVIEWER_IDS")),
            reviewer_group_id=text("REVIEWER_GROUP_ID"),
            incident_channel_ids=_split_ids(env.get("INCIDENT_CHANNEL_IDS")),
            policy_docs_dir=Path(text("POLICY_DOCS_DIR") or DEFAULT_POLICY_DIR),
            policy_reload_seconds=_seconds_or_off(env, "POLICY_RELOAD_SECONDS", 10.0),
            data_dir=Path(text("CANIPOST_DATA_DIR") or "data"),
            database_url=text("DATABASE_URL"),
            openai_api_key=text("OPENAI_API_KEY"),
            openai_base_url=text("OPENAI_BASE_URL"),
            openai_model=text("OPENAI_MODEL") or DEFAULT_OPENAI_MODEL,
            openai_embedding_model=text("OPENAI_EMBEDDING_MODEL") or DEFAULT_EMBEDDING_MODEL,
            openai_timeout_seconds=_float(env, "OPENAI_TIMEOUT_SECONDS", 20.0),
            openai_budget_seconds=_float(env, "OPENAI_BUDGET_SECONDS", 10.0),
            redact_before_llm=_bool(env, "REDACT_BEFORE_LLM", True),
            retention_days=_int(env, "RETENTION_DAYS", 30, minimum=1),
            review_reminder_minutes=_int(env, "REVIEW_REMINDER_MINUTES", 60, minimum=1),
            port=_int(env, "PORT", 3000, minimum=1),
            max_request_bytes=_int(env, "MAX_REQUEST_BYTES", 1024 * 1024, minimum=1024),
            work_mode=_choice(env, "WORK_MODE", "process", WORK_MODES),
            judge_workers=_int(env, "JUDGE_WORKERS", 2, minimum=1),
            log_level=log_level,
        )

    def require_slack(self, *, socket_mode: bool | None = None) -> None:
        """Raise ConfigError naming the first Slack variable the app cannot start without."""
        if not self.slack_bot_token:
            raise ConfigError("SLACK_BOT_TOKEN is not set (the bot token, xoxb-...)")
        if not self.slack_bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        use_socket = bool(self.slack_app_token) if socket_mode is None else socket_mode
        if use_socket:
            if not self.slack_app_token or not self.slack_app_token.startswith("xapp-"):
                raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
        elif not self.slack_signing_secret:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set (Basic Information > App Credentials)"
            )
