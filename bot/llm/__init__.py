"""Optional model-written answers (OpenAI or any compatible endpoint), never looser than core.

advisor = build_advisor(settings, engine)   # the engine itself when no key is set
decision = advisor.check(CheckRequest(text=draft))
"""

from __future__ import annotations

import logging

from bot.config import ConfigError, Settings
from bot.core.engine import Engine
from bot.core.models import Advisor
from bot.llm.advisor import LLMAdvisor
from bot.llm.client import ModelUnavailable
from bot.llm.config import LLMOptions, check_llm_settings, validate_llm_settings
from bot.llm.embeddings import EmbeddingIndexStats, index_embeddings

__all__ = [
    "ConfigError",
    "EmbeddingIndexStats",
    "LLMAdvisor",
    "LLMOptions",
    "ModelUnavailable",
    "build_advisor",
    "check_llm_settings",
    "check_model_access",
    "index_embeddings",
]

log = logging.getLogger(__name__)


def build_advisor(settings: Settings, engine: Engine) -> Advisor:
    """The advisor the app and CLI should use: the local engine unless a model is configured.

    Raises ConfigError (one line) for a malformed model configuration; logs each warning
    (e.g. REDACT_BEFORE_LLM=false) once. Makes no network call: a key the server rejects
    is reported in one log line at first use, and the local engine answers from then on.
    """
    if not settings.llm_enabled:
        for line in check_llm_settings(settings):  # unused settings never stop the bot
            log.warning("%s (the model path is off)", line.split(": ", 1)[1])
        return engine
    for line in validate_llm_settings(settings):
        log.warning("%s", line)
    advisor = LLMAdvisor(settings, engine)
    log.info(
        "model path on: model=%s endpoint=%s timeout=%ss redaction=%s prompt=%s encoding=%s",
        settings.openai_model,
        settings.openai_base_url or "api.openai.com",
        settings.openai_timeout_seconds,
        "on" if settings.redact_before_llm else "OFF",
        advisor.prompt_version,
        advisor.counter.encoding,
    )
    return advisor


def check_model_access(advisor: Advisor, settings: Settings) -> None:
    """At `serve` start: a key the model server rejects is one ConfigError line; a server
    that cannot be reached is a warning (the local engine answers until it comes back)."""
    if not isinstance(advisor, LLMAdvisor):
        return
    failure = advisor.client.check_access()
    if failure is None:
        return
    where = settings.openai_base_url or "api.openai.com"
    if failure.kind == "auth":
        raise ConfigError(f"the model server at {where} rejected OPENAI_API_KEY ({failure.reason})")
    log.warning(
        "cannot check the model server at %s (%s); answers fall back to the local engine "
        "while it is unavailable",
        where,
        failure.reason,
    )
